"""The customer API's serializers: one customer's shapes (customer.py) and the bulk and import endpoints'
bodies and reports (bulk.py)."""

from customers.serializers.bulk import (
    MAX_BULK_CREATE,
    BulkCreateSerializer,
    BulkDeactivationResultSerializer,
    BulkErrorSerializer,
    CsvUploadSerializer,
    CustomerValidationUnifiedResultSerializer,
    bulk_refusal,
    parse_bulk_ids,
)
from customers.serializers.customer import (
    AddressSerializer,
    AlternativeIdSerializer,
    CustomerChangeSerializer,
    CustomerDetailSerializer,
    CustomerReplaceSerializer,
    CustomerSerializer,
    CustomerWriteSerializer,
    MergeSerializer,
)
from customers.serializers.fields import METADATA_PAIRS_SCHEMA

__all__ = [
    "MAX_BULK_CREATE",
    "METADATA_PAIRS_SCHEMA",
    "AddressSerializer",
    "AlternativeIdSerializer",
    "BulkCreateSerializer",
    "BulkDeactivationResultSerializer",
    "BulkErrorSerializer",
    "CsvUploadSerializer",
    "CustomerChangeSerializer",
    "CustomerDetailSerializer",
    "CustomerReplaceSerializer",
    "CustomerSerializer",
    "CustomerValidationUnifiedResultSerializer",
    "CustomerWriteSerializer",
    "MergeSerializer",
    "bulk_refusal",
    "parse_bulk_ids",
]
