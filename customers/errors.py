from beel.errors import Conflict, DomainError, ErrorCode, InvalidParameter, NotFound


class CustomerNotFound(NotFound):
    default_message = "Customer not found"


class InvalidCustomerId(InvalidParameter):
    default_message = "Invalid customer ID: expected a UUID"


class CustomerHasInvoices(Conflict):
    code = ErrorCode.CLIENT_HAS_INVOICES
    default_message = "Cannot deactivate customer because it has associated invoices"


class CustomerAlreadyExists(Conflict):
    code = ErrorCode.CUSTOMER_ALREADY_EXISTS
    default_message = "An active customer with this NIF already exists"


class CustomerInactive(Conflict):
    code = ErrorCode.CUSTOMER_INACTIVE
    default_message = "The customer is deactivated"


class CustomerMerged(Conflict):
    code = ErrorCode.CUSTOMER_MERGED
    default_message = "The customer was merged into another customer"


class CustomerErasurePending(Conflict):
    code = ErrorCode.CUSTOMER_ERASURE_PENDING
    default_message = "The customer asked to be forgotten and stays inactive until it is anonymised"


class CustomerAnonymized(Conflict):
    code = ErrorCode.CUSTOMER_ANONYMIZED
    default_message = "The customer was anonymised; its record can no longer change"


class RetentionActive(Conflict):
    code = ErrorCode.RETENTION_ACTIVE
    default_message = (
        "Invoices issued to this customer must be kept until the retention period ends; the erasure is recorded "
        "and the customer will be anonymised then"
    )


class AlternativeIdInvalid(DomainError):
    """The alternative id breaks one of AEAT's rules (customers.validators.validate_alternative_id);
    `details` says which."""

    code = ErrorCode.ALTERNATIVE_ID_INVALID
    default_message = "The alternative id is not valid for the tax authority (AEAT)"


class CsvUnreadable(DomainError):
    code = ErrorCode.CSV_INVALID
    default_message = "The file is not a CSV the import can read"


class CsvTooManyRows(DomainError):
    code = ErrorCode.CSV_TOO_MANY_ROWS
    default_message = "The file has too many rows for one import"


class ImportFileTooLarge(DomainError):
    code = ErrorCode.PAYLOAD_TOO_LARGE
    default_message = "The file is larger than the import accepts"
