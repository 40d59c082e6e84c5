from beel.errors import Conflict, ErrorCode, NotFound


class CustomerInactive(Conflict):
    code = ErrorCode.CUSTOMER_INACTIVE
    default_message = "Cannot create an invoice for an inactive customer"


class InvoiceNotFound(NotFound):
    default_message = "Invoice not found"
