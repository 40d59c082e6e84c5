"""BeeL 1.9.0's CustomerBulkDeleteResult, the answer of deleteCompanyCustomersBulk, and its `ids` parameter.
Written out by hand in to_representation (up to 100 rows); the declared fields describe it for the schema."""

from rest_framework import serializers

from beel.api.serializers import ErrorSerializer
from beel.errors import MissingParameter
from customers.serializers.bulk import parse_bulk_ids
from customers.services import DeletionOutcome, DeletionReport, DeletionStatus

# What the report's metadata calls this batch operation (BeeL's CustomerBulkDeleteMetadata.operation).
OPERATION = "BULK_DELETE"


def parse_ids_to_delete(query_params) -> list[str]:
    """`ids=a,b` (or `ids=a&ids=b`), at most MAX_BULK_IDS distinct ones (400 BAD_REQUEST past that); none at
    all is BeeL's 400 MISSING_PARAMETER naming `ids`."""
    if not any(item.strip() for raw in query_params.getlist("ids") for item in raw.split(",")):
        raise MissingParameter(
            "Query parameter 'ids' is required: a comma-separated list of customer IDs",
            details={"ids": "Required: a comma-separated list of customer IDs."},
        )
    return parse_bulk_ids(query_params)


class CustomerBulkDeleteMetadataSerializer(serializers.Serializer):
    total_customers = serializers.IntegerField(help_text="Number of identifiers submitted.")
    operation = serializers.CharField(help_text=f"The batch operation this report belongs to: `{OPERATION}`.")
    is_dry_run = serializers.BooleanField(help_text="Always false: deleting has no rehearsal mode.")


class CustomerBulkDeleteItemErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="`CLIENT_NOT_FOUND` or `CLIENT_HAS_INVOICES` (the single DELETE's codes).")
    message = serializers.CharField()


class CustomerBulkDeleteItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the identifier in the submitted list (0-based).")
    customer_id = serializers.CharField(help_text="The identifier as submitted.")
    status = serializers.ChoiceField(
        choices=[status.value for status in DeletionStatus],
        help_text="DELETED (its identifier is free again); NOT_FOUND (no such customer in this company, a "
        "malformed id, or one already deleted earlier in the list); HAS_INVOICES (deactivate it instead). beel "
        "has no recurring invoices, so HAS_RECURRING_INVOICE never occurs, and deletes in one transaction, so "
        "ERROR neither.",
    )
    error = CustomerBulkDeleteItemErrorSerializer(required=False, help_text="Only when it was not deleted.")


class CustomerBulkDeleteStatisticsSerializer(serializers.Serializer):
    total_processed = serializers.IntegerField()
    deleted = serializers.IntegerField()
    not_found = serializers.IntegerField()
    has_invoices = serializers.IntegerField()
    errors = serializers.IntegerField()


class CustomerBulkDeleteLegacyErrorSerializer(serializers.Serializer):
    customer_id = serializers.CharField()
    error = ErrorSerializer()


class CustomerBulkDeleteResultSerializer(serializers.Serializer):
    metadata = CustomerBulkDeleteMetadataSerializer()
    customers_deletion = CustomerBulkDeleteItemSerializer(many=True)
    statistics = CustomerBulkDeleteStatisticsSerializer()
    deleted_ids = serializers.ListField(child=serializers.UUIDField())
    deactivated_ids = serializers.ListField(
        child=serializers.UUIDField(), help_text="Deprecated alias of `deleted_ids` (identical content)."
    )
    total = serializers.IntegerField(help_text="Deprecated: `statistics.total_processed`.")
    successful = serializers.IntegerField(help_text="Deprecated: `statistics.deleted`.")
    failed = serializers.IntegerField(help_text="Deprecated: the rows not deleted, whatever the reason.")
    errors = CustomerBulkDeleteLegacyErrorSerializer(
        many=True, help_text="Deprecated: the rows of `customers_deletion` not deleted, in the same order."
    )

    def to_representation(self, report: DeletionReport) -> dict:
        total = len(report.outcomes)
        deleted = report.count(DeletionStatus.DELETED)
        return {
            "metadata": {"total_customers": total, "operation": OPERATION, "is_dry_run": False},
            "customers_deletion": [_item(outcome) for outcome in report.outcomes],
            "statistics": {
                "total_processed": total,
                "deleted": deleted,
                "not_found": report.count(DeletionStatus.NOT_FOUND),
                "has_invoices": report.count(DeletionStatus.HAS_INVOICES),
                "errors": report.count(DeletionStatus.ERROR),
            },
            "deleted_ids": report.deleted_ids,
            "deactivated_ids": report.deleted_ids,
            "total": total,
            "successful": deleted,
            "failed": total - deleted,
            "errors": [{"customer_id": outcome.customer_id, "error": _error(outcome)} for outcome in report.failures],
        }


def _error(outcome: DeletionOutcome) -> dict:
    return {"code": outcome.error.code.value, "message": outcome.error.message}


def _item(outcome: DeletionOutcome) -> dict:
    item = {"index": outcome.index, "customer_id": outcome.customer_id, "status": outcome.status.value}
    if outcome.error is not None:
        item["error"] = _error(outcome)
    return item
