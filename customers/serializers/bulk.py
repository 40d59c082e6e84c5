"""The endpoints that take many customers at once (the bulk create and deactivation, the CSV import): their
bodies and their reports."""

import uuid

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from beel.api.serializers import APISerializer, ErrorSerializer
from beel.errors import BadRequest, ErrorCode
from customers.errors import ImportFileTooLarge
from customers.services import (
    MAX_BULK_IDS,
    DeactivationFailure,
    DeactivationReport,
    ImportedRow,
    ImportMessage,
    ImportReport,
    ImportStatus,
    SourceType,
)
from customers.spreadsheet import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS

MAX_BULK_CREATE = 500
MIB = 1024 * 1024


class BulkCreateSerializer(APISerializer):
    """The body of POST /customers/bulk: the items stay raw here; each is validated on its own so one bad
    item fails alone (customers.batch.validate_bulk_items)."""

    customers = serializers.ListField(
        # Any JSON at all per item, null included: each is validated alone and reported by its index.
        child=serializers.JSONField(allow_null=True),
        min_length=1,
        max_length=MAX_BULK_CREATE,
        allow_empty=False,
    )


def parse_bulk_ids(query_params) -> list[str]:
    """`ids=a,b` (or `ids=a&ids=b`): the ids to deactivate, at most MAX_BULK_IDS distinct ones."""
    raw_values = query_params.getlist("ids")
    ids = [item.strip() for raw in raw_values for item in raw.split(",") if item.strip()]
    if not ids:
        raise BadRequest("Query parameter 'ids' is required: a comma-separated list of customer IDs")
    distinct = len({_identity(customer_id) for customer_id in ids})
    if distinct > MAX_BULK_IDS:
        raise BadRequest(f"Too many ids: at most {MAX_BULK_IDS} customer IDs per request, got {distinct}")
    return ids


def _identity(customer_id: str) -> str:
    """The same UUID written in upper and lower case is one id, as the service counts it."""
    try:
        return str(uuid.UUID(customer_id))
    except ValueError:
        return customer_id


# The bulk reports. Written out by hand in to_representation (up to 100 entries each); the declared fields
# describe the shape for the OpenAPI schema.


class DeactivationFailureSerializer(serializers.Serializer):
    customer_id = serializers.CharField()
    error = ErrorSerializer()

    def to_representation(self, failure: DeactivationFailure) -> dict:
        return {"customer_id": failure.customer_id, "error": ErrorSerializer(failure.error).data}


class BulkDeactivationResultSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    successful = serializers.IntegerField()
    failed = serializers.IntegerField()
    deactivated_ids = serializers.ListField(child=serializers.UUIDField())
    errors = DeactivationFailureSerializer(many=True)

    def to_representation(self, report: DeactivationReport) -> dict:
        return {
            "total": report.total,
            "successful": report.successful,
            "failed": report.failed,
            "deactivated_ids": report.deactivated_ids,
            "errors": [DeactivationFailureSerializer(failure).data for failure in report.failures],
        }


# BeeL's CustomerValidationUnifiedResult, the answer of the bulk creation and the CSV import (up to 1,000
# rows, written out by hand in to_representation; the declared fields describe it for the OpenAPI schema).


class ValidationErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's path in the customer (`address.postal_code`).")
    value = serializers.CharField(
        allow_blank=True, help_text="The value submitted there, as text; empty when none was (a missing field)."
    )
    message = serializers.CharField()


class ValidationWarningSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class CustomerValidationItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="0-based position in a bulk request; 1-based data row of a file.")
    status = serializers.ChoiceField(choices=[status.value for status in ImportStatus])
    errors = ValidationErrorSerializer(many=True, help_text="What keeps the customer from being created.")
    warnings = ValidationWarningSerializer(many=True, help_text="What was changed or ignored; it is created.")
    customer = serializers.JSONField(
        required=False,
        help_text="Echo of the customer as POST /customers takes it: as submitted, or for a file's valid rows as "
        "it will be written (normalised). Absent for a bulk item that is not an object.",
    )
    customer_id = serializers.UUIDField(required=False, help_text="Only when this row created a customer.")
    row_number = serializers.IntegerField(
        required=False, help_text="Files only: the row's line in the file (the header is line 1)."
    )

    def to_representation(self, row: ImportedRow) -> dict:
        item = {
            "index": row.index,
            "status": row.status.value,
            "errors": [_problem(message) for message in row.errors],
            "warnings": [{"field": message.field or "row", "message": message.message} for message in row.warnings],
        }
        if row.customer is not None:
            item["customer"] = row.customer
        if row.customer_id is not None:
            item["customer_id"] = str(row.customer_id)
        if row.line is not None:
            item["row_number"] = row.line
        return item


def _problem(message: ImportMessage) -> dict:
    return {"field": message.field or "customer", "value": message.value or "", "message": message.message}


class ValidationMetadataSerializer(serializers.Serializer):
    total_customers = serializers.IntegerField()
    is_dry_run = serializers.BooleanField()
    processing_time_ms = serializers.IntegerField()
    source_type = serializers.ChoiceField(choices=[source.value for source in SourceType])
    filename = serializers.CharField(required=False, allow_null=True, help_text="Files only.")
    file_size_bytes = serializers.IntegerField(required=False, help_text="Files only.")
    total_rows = serializers.IntegerField(required=False, help_text="Files only: data rows read (blank lines skipped).")
    encoding = serializers.ChoiceField(
        choices=["utf-8", "windows-1252"], required=False, help_text="beel's extension, files only."
    )
    delimiter = serializers.ChoiceField(choices=[";", ","], required=False, help_text="beel's extension, files only.")
    columns = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="beel's extension, files only: each recognised header of the file and the field it fills.",
    )
    ignored_columns = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="beel's extension, files only: headers the import does not know; their cells are ignored.",
    )


class ValidationStatisticsSerializer(serializers.Serializer):
    total_processed = serializers.IntegerField()
    valid = serializers.IntegerField()
    with_warnings = serializers.IntegerField()
    with_errors = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    invalid_nifs = serializers.IntegerField()
    imported = serializers.IntegerField(help_text="Customers this request created: 0 on a dry run.")
    success_rate = serializers.FloatField(min_value=0, max_value=1, help_text="(valid + with_warnings) / total.")
    importable = serializers.IntegerField(help_text="valid + with_warnings.")
    not_importable = serializers.IntegerField(help_text="with_errors + duplicates + invalid_nifs.")


class CustomerValidationUnifiedResultSerializer(serializers.Serializer):
    metadata = ValidationMetadataSerializer()
    customers_validation = CustomerValidationItemSerializer(many=True)
    statistics = ValidationStatisticsSerializer()

    def to_representation(self, report: ImportReport) -> dict:
        metadata: dict = {
            "total_customers": len(report.rows),
            "is_dry_run": report.dry_run,
            "processing_time_ms": report.processing_time_ms,
            "source_type": report.source_type.value,
        }
        if (sheet := report.sheet) is not None:
            metadata |= {
                "filename": sheet.filename,
                "file_size_bytes": sheet.file_size_bytes,
                "total_rows": len(report.rows),
                "encoding": sheet.encoding,
                "delimiter": sheet.delimiter,
                "columns": sheet.columns,
                "ignored_columns": sheet.ignored_columns,
            }
        item = CustomerValidationItemSerializer()
        return {
            "metadata": metadata,
            "customers_validation": [item.to_representation(row) for row in report.rows],
            "statistics": report.statistics(),
        }


class BulkErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's 0-based position in `customers`.")
    field = serializers.CharField()
    message = serializers.CharField()


def bulk_refusal(report: ImportReport) -> dict:
    """The `error` of a 422 BULK_VALIDATION_ERROR: every problem of every item that keeps the batch from being
    created, by the item's index (BeeL's `error.errors`)."""
    return {
        "code": ErrorCode.BULK_VALIDATION_ERROR.value,
        "message": "The batch was rejected: some customers are not valid; nothing was created",
        "errors": [
            {"index": row.index, "field": problem.field or "customer", "message": problem.message}
            for row in report.rows
            for problem in row.errors
        ],
    }


@extend_schema_field({"type": "string", "format": "binary", "minLength": 1})
class UploadedFileField(serializers.FileField):
    """A file of at least one byte: Django's multipart parser does not deliver an empty file part at all."""


class FormFlag(serializers.BooleanField):
    """A boolean form field that may be left out: DRF reads an absent checkbox of an HTML form as false."""

    default_empty_html = serializers.empty


class CsvUploadSerializer(APISerializer):
    """The multipart body of the CSV import."""

    file = UploadedFileField(
        help_text=f"The CSV: at most {MAX_IMPORT_BYTES // MIB} MB and {MAX_IMPORT_ROWS} data rows; `;` or `,` "
        "separated; UTF-8 (with or without BOM) or Windows-1252; BeeL's template headers, their English names "
        "or Spanish spreadsheet headers (POST /customers/templates/csv).",
    )
    dry_run = FormFlag(
        required=False,
        help_text="true (the default): report only. false: also create the VALID and WARNING rows. The query "
        "parameter `dry_run` is read too when the form field is not sent (beel's extension).",
    )

    def validate_file(self, upload):
        if upload.size > MAX_IMPORT_BYTES:
            raise ImportFileTooLarge(
                f"The file has {upload.size / MIB:.2f} MB; an import takes at most {MAX_IMPORT_BYTES // MIB} MB",
                details={"file_size_mb": round(upload.size / MIB, 2), "max_file_size_mb": MAX_IMPORT_BYTES // MIB},
            )
        return upload
