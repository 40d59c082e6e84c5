from django.utils.translation import gettext_lazy as _

from beel.errors import Conflict, DomainError, ErrorCode, NotFound
from customers.errors import CustomerInactive


class CustomerCannotBeInvoiced(CustomerInactive):
    default_message = _("Cannot create an invoice for an inactive customer")


class InvoiceNotFound(NotFound):
    default_message = _("Invoice not found")


class InvoiceNotDraft(Conflict):
    code = ErrorCode.INVOICE_NOT_DRAFT
    default_message = _("Only a draft invoice can be issued")


class InvoiceNotCancellable(Conflict):
    code = ErrorCode.INVOICE_NOT_CANCELLABLE
    default_message = _("A paid invoice cannot be cancelled")


class EmissionNotReady(DomainError):
    """RD 1619/2012, art. 6: an invoice names its issuer's name, NIF and address; a company lacking any of
    them cannot issue."""

    code = ErrorCode.EMISSION_NOT_READY
    default_message = _("The issuing company's fiscal identity is incomplete: complete it before issuing")


class RecipientTaxIdInvalid(DomainError):
    """VeriFactu: AEAT rejects or flags an invoice record whose recipient is not in its census; an intra-EU
    invoice needs a VAT number valid in VIES. A PENDING check lets the invoice through."""

    code = ErrorCode.RECIPIENT_TAX_ID_INVALID
    default_message = _("The customer's tax id is not in its registry: correct it before issuing")


class InvoiceNotPayable(Conflict):
    code = ErrorCode.INVOICE_NOT_PAYABLE
    default_message = _("Only an issued invoice takes a payment")


class PaymentNotFound(NotFound):
    default_message = _("Payment not found")
