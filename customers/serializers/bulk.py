"""The endpoints that take many customers at once (the bulk create and deactivation, the CSV import): their
bodies and their reports."""

import uuid

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from beel.api.serializers import APISerializer, ErrorSerializer
from beel.errors import BadRequest
from customers.errors import ImportFileTooLarge
from customers.services import (
    MAX_BULK_IDS,
    CreationFailure,
    CreationReport,
    DeactivationFailure,
    DeactivationReport,
    ImportedRow,
    ImportMessage,
    ImportReport,
    ImportStatus,
)
from customers.spreadsheet import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS

MAX_BULK_CREATE = 100


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


class CreationFailureSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    error = ErrorSerializer()

    def to_representation(self, failure: CreationFailure) -> dict:
        return {"index": failure.index, "error": ErrorSerializer(failure.error).data}


class BulkCreationResultSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    successful = serializers.IntegerField()
    failed = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    created_ids = serializers.ListField(child=serializers.UUIDField())
    errors = CreationFailureSerializer(many=True)

    def to_representation(self, report: CreationReport) -> dict:
        return {
            "total": report.total,
            "successful": report.successful,
            "failed": report.failed,
            "dry_run": report.dry_run,
            "created_ids": [str(customer.pk) for customer in report.created],
            "errors": [CreationFailureSerializer(failure).data for failure in report.failures],
        }


# The CSV import's report (POST /customers/import-csv-preview); up to 1,000 rows, written out by hand.


class ImportMessageSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The customer field it is about, if any.")
    message = serializers.CharField()

    def to_representation(self, message: ImportMessage) -> dict:
        return {"field": message.field, "message": message.message}


class ImportedRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line in the file (the header is line 1).")
    status = serializers.ChoiceField(choices=[status.value for status in ImportStatus])
    messages = ImportMessageSerializer(many=True)
    customer = serializers.JSONField(
        help_text="The customer as POST /customers takes it: normalised as it will be written for VALID, "
        "WARNING and DUPLICATE rows; as read from the file for ERROR and NIF_INVALID ones."
    )
    customer_id = serializers.UUIDField(allow_null=True, help_text="The customer created (dry_run=false).")

    def to_representation(self, row: ImportedRow) -> dict:
        return {
            "line": row.line,
            "status": row.status.value,
            "messages": [{"field": message.field, "message": message.message} for message in row.messages],
            "customer": row.customer,
            "customer_id": str(row.customer_id) if row.customer_id else None,
        }


class ImportCountsSerializer(serializers.Serializer):
    VALID = serializers.IntegerField()
    WARNING = serializers.IntegerField()
    ERROR = serializers.IntegerField()
    DUPLICATE = serializers.IntegerField()
    NIF_INVALID = serializers.IntegerField()


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    encoding = serializers.ChoiceField(choices=["utf-8", "windows-1252"])
    delimiter = serializers.ChoiceField(choices=[";", ","])
    columns = serializers.DictField(
        child=serializers.CharField(), help_text="Each recognised header of the file and the field it fills."
    )
    ignored_columns = serializers.ListField(
        child=serializers.CharField(), help_text="Headers the import does not know; their cells are ignored."
    )
    total = serializers.IntegerField(help_text="Data rows read (blank lines are skipped).")
    counts = ImportCountsSerializer()
    created = serializers.IntegerField(help_text="Customers written: 0 with dry_run.")
    created_ids = serializers.ListField(child=serializers.UUIDField())
    rows = ImportedRowSerializer(many=True)

    def to_representation(self, report: ImportReport) -> dict:
        return {
            "dry_run": report.dry_run,
            "encoding": report.encoding,
            "delimiter": report.delimiter,
            "columns": report.columns,
            "ignored_columns": report.ignored_columns,
            "total": len(report.rows),
            "counts": {status.value: count for status, count in report.counts.items()},
            "created": len(report.created_ids),
            "created_ids": report.created_ids,
            "rows": [ImportedRowSerializer(row).data for row in report.rows],
        }


@extend_schema_field({"type": "string", "format": "binary", "minLength": 1})
class UploadedFileField(serializers.FileField):
    """A file of at least one byte: Django's multipart parser does not deliver an empty file part at all."""


class CsvUploadSerializer(APISerializer):
    """The multipart body of the CSV import."""

    file = UploadedFileField(
        help_text=f"The CSV: at most {MAX_IMPORT_BYTES // (1024 * 1024)} MiB and {MAX_IMPORT_ROWS} data rows; "
        "`;` or `,` separated; UTF-8 (with or without BOM) or Windows-1252; Spanish or English headers "
        "(GET /customers/csv-template).",
    )

    def validate_file(self, upload):
        if upload.size > MAX_IMPORT_BYTES:
            raise ImportFileTooLarge(f"The file is larger than {MAX_IMPORT_BYTES} bytes (5 MiB)")
        return upload
