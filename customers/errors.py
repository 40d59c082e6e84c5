from beel.errors import Conflict, ErrorCode, NotFound, ValidationFailed


class CustomerNotFound(NotFound):
    default_message = "Customer not found"


class InvalidCustomerId(ValidationFailed):
    default_message = "Invalid customer ID: expected a UUID"


class CustomerHasInvoices(Conflict):
    code = ErrorCode.CLIENT_HAS_INVOICES
    default_message = "Cannot deactivate customer because it has associated invoices"


class CustomerAlreadyExists(Conflict):
    code = ErrorCode.CUSTOMER_ALREADY_EXISTS
    default_message = "An active customer with this NIF already exists"
