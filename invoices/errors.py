from beel.api.errors import Conflict, NotFound


class CustomerInactive(Conflict):
    code = "CUSTOMER_INACTIVE"
    default_message = "Cannot create an invoice for an inactive customer"


class InvoiceNotFound(NotFound):
    default_message = "Invoice not found"
