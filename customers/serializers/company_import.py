"""The multipart body of BeeL 1.9.0's canonical customer import and its preview: `file` and `source`."""

from rest_framework import serializers

from beel.api.serializers import APISerializer
from beel.errors import ValidationFailed
from customers.serializers.bulk import CsvUploadSerializer, UploadedFileField
from customers.spreadsheet import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS

MIB = 1024 * 1024
# BeeL's `source` also names `holded` (an .xlsx exported from Holded's contacts); beel reads CSV only, so that
# value is answered as any value outside beel's vocabulary: 422 VALIDATION_ERROR naming the field.
SOURCES = ("csv",)


class CompanyCustomerImportSerializer(APISerializer):
    file = UploadedFileField(
        help_text=f"The CSV: at most {MAX_IMPORT_BYTES // MIB} MB and {MAX_IMPORT_ROWS} data rows; `;` or `,` "
        "separated; UTF-8 (with or without BOM) or Windows-1252; the template's headers "
        "(GET /templates/customer-import) or their English names.",
    )
    source = serializers.ChoiceField(
        choices=SOURCES,
        help_text="The file's format; required, no default. beel imports `csv` only: BeeL's `holded` (an .xlsx "
        "of Holded's contacts) is answered 422 VALIDATION_ERROR with `allowed_values` `csv`.",
    )

    def validate_file(self, upload):
        return CsvUploadSerializer().validate_file(upload)  # 400 CSV_FILE_TOO_LARGE past 5 MB, with its figures

    def to_internal_value(self, data):
        source = data.get("source")
        if source not in (None, "", *SOURCES):
            # BeeL's answer to a value outside an enum: its FieldDeserializationError, with what is allowed.
            raise ValidationFailed(
                f"Unsupported source {str(source)[:40]!r}: beel imports CSV files only",
                details={
                    "field": "source",
                    "invalid_value": str(source)[:64],
                    "expected_format": None,
                    "allowed_values": ",".join(SOURCES),
                },
            )
        return super().to_internal_value(data)
