from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beel.errors import Conflict, DomainError, ErrorCode, InvalidParameter, NotFound


class CustomerNotFound(NotFound):
    default_message = _("Customer not found")


class ClientNotFound(NotFound):
    """BeeL's 404 for a customer on getCustomer, updateCustomer and patchCustomer; the seed DELETE routes keep
    NOT_FOUND (CustomerNotFound), as their pages say."""

    code = ErrorCode.CLIENT_NOT_FOUND
    default_message = _("Customer not found")


class InvalidCustomerId(InvalidParameter):
    default_message = _("Invalid customer ID: expected a UUID")


class CustomerHasInvoices(Conflict):
    code = ErrorCode.CLIENT_HAS_INVOICES
    default_message = _("Cannot deactivate customer because it has associated invoices")


class CustomerAlreadyExists(Conflict):
    code = ErrorCode.CLIENT_DUPLICATE
    default_message = _("An active customer with this NIF already exists")


class CustomerInactive(Conflict):
    code = ErrorCode.CUSTOMER_INACTIVE
    default_message = _("The customer is deactivated")


class CustomerMerged(Conflict):
    code = ErrorCode.CUSTOMER_MERGED
    default_message = _("The customer was merged into another customer")


class CustomerErasurePending(Conflict):
    code = ErrorCode.CUSTOMER_ERASURE_PENDING
    default_message = _("The customer asked to be forgotten and stays inactive until it is anonymised")


class CustomerAnonymized(Conflict):
    code = ErrorCode.CUSTOMER_ANONYMIZED
    default_message = _("The customer was anonymised; its record can no longer change")


class RetentionActive(Conflict):
    code = ErrorCode.RETENTION_ACTIVE
    default_message = _(
        "Invoices issued to this customer must be kept until the retention period ends; the erasure is recorded "
        "and the customer will be anonymised then"
    )


class RuleBroken(DomainError):
    """A record rule answered with BeeL's own code for it (customers.validators.RULE_CODES, 422); `details`
    names the field."""

    def __init__(self, code: ErrorCode, message: str | None = None, *, details: dict | None = None):
        self.code = code
        super().__init__(message or code.meaning, details=details)


class CsvUnreadable(DomainError):
    code = ErrorCode.CSV_INVALID
    default_message = _("The file is not a CSV the import can read")


class CsvMissingHeaders(DomainError):
    code = ErrorCode.MISSING_HEADERS
    default_message = _("The header line lacks a required column")


class CsvTooManyRows(DomainError):
    code = ErrorCode.TOO_MANY_RECORDS
    default_message = _("The file has too many rows for one import")


class CsvTooManyColumns(DomainError):
    code = ErrorCode.TOO_MANY_COLUMNS
    default_message = _("A line of the file has more cells than an import reads")


class ImportFileTooLarge(DomainError):
    code = ErrorCode.CSV_FILE_TOO_LARGE
    default_message = _("The file is larger than the import accepts")


class BulkValidationFailed(DomainError):
    """A bulk creation with an item that is not valid or is a duplicate: nothing is written, and `report`
    (customers.services.ImportReport) says what is wrong with each item."""

    code = ErrorCode.BULK_VALIDATION_ERROR
    default_message = _("The batch was rejected: some customers are not valid; nothing was created")

    def __init__(self, report, message: str | None = None):
        super().__init__(message)
        self.report = report


class FieldBlank(DomainError):
    """BeeL's 422 FIELD_BLANK: a required field absent or empty, named in `details.field`."""

    code = ErrorCode.FIELD_BLANK
    default_message = _("A required field is blank")

    def __init__(self, field: str):
        super().__init__(gettext("The field '%(field)s' is required") % {"field": field}, details={"field": field})


class CustomerExportNotFound(NotFound):
    default_message = _("Export not found")


class InvalidExportId(InvalidParameter):
    default_message = _("Invalid export ID: expected a UUID")


class ExportTooLarge(Conflict):
    code = ErrorCode.EXPORT_TOO_LARGE
    default_message = _("Too many customers for a direct export; start an export job (POST /customers/exports)")


class ExportNotReady(Conflict):
    code = ErrorCode.EXPORT_NOT_READY
    default_message = _("The export has no file to download yet")


class ExportExpired(DomainError):
    code = ErrorCode.EXPORT_EXPIRED
    default_message = _("The export's file has expired; start a new export")
