from beel.errors import Conflict, ErrorCode, NotFound
from customers.errors import CustomerInactive


class CustomerCannotBeInvoiced(CustomerInactive):
    default_message = "Cannot create an invoice for an inactive customer"


class InvoiceNotFound(NotFound):
    default_message = "Invoice not found"


class InvoiceNotDraft(Conflict):
    code = ErrorCode.INVOICE_NOT_DRAFT
    default_message = "Only a draft invoice can be issued"


class InvoiceNotCancellable(Conflict):
    code = ErrorCode.INVOICE_NOT_CANCELLABLE
    default_message = "A paid invoice cannot be cancelled"
