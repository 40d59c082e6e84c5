from beel.errors import NotFound
from customers.errors import CustomerInactive


class CustomerCannotBeInvoiced(CustomerInactive):
    default_message = "Cannot create an invoice for an inactive customer"


class InvoiceNotFound(NotFound):
    default_message = "Invoice not found"
