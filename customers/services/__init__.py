"""Customer use cases, one module per family (lifecycle, creation, imports, editing, erasure, merge). The API,
the admin and the management commands call these and only format the result, so every channel applies the
same rules with the same outcomes. Callers import from here; the modules are how the package is read."""

from customers.services.base import get_customer
from customers.services.creation import create_customer, create_customers, create_customers_in_bulk
from customers.services.editing import change_customer, update_customer
from customers.services.erasure import anonymize_due_customers, erasure_retained_until, request_erasure
from customers.services.identity import ensure_identity_is_free
from customers.services.imports import import_customers
from customers.services.lifecycle import (
    MAX_BULK_IDS,
    customers_deactivated_by,
    deactivate_customer,
    deactivate_customers,
    ensure_lifecycle_allows_changes,
    lifecycle_refusal,
    reactivate_customer,
    reactivate_customers,
    undo_deactivation,
)
from customers.services.merge import merge_customers, merge_preview
from customers.services.nif_validation import NifValidation, validate_nif
from customers.services.reports import (
    CreationFailure,
    CreationReport,
    DeactivationFailure,
    DeactivationReport,
    ImportedRow,
    ImportMessage,
    ImportReport,
    ImportStatus,
    ReactivationReport,
    SourceType,
)

__all__ = [
    "MAX_BULK_IDS",
    "CreationFailure",
    "CreationReport",
    "DeactivationFailure",
    "DeactivationReport",
    "ImportMessage",
    "ImportReport",
    "ImportStatus",
    "ImportedRow",
    "NifValidation",
    "ReactivationReport",
    "SourceType",
    "anonymize_due_customers",
    "change_customer",
    "create_customer",
    "create_customers",
    "create_customers_in_bulk",
    "customers_deactivated_by",
    "deactivate_customer",
    "deactivate_customers",
    "ensure_identity_is_free",
    "ensure_lifecycle_allows_changes",
    "erasure_retained_until",
    "get_customer",
    "import_customers",
    "lifecycle_refusal",
    "merge_customers",
    "merge_preview",
    "reactivate_customer",
    "reactivate_customers",
    "request_erasure",
    "undo_deactivation",
    "update_customer",
    "validate_nif",
]
