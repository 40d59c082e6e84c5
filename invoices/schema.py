from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from beel.api.schema import error_responses
from beel.api.serializers import page_serializer
from beel.errors import ErrorCode
from invoices.serializers import InvoiceCreateSerializer, InvoiceSerializer, IssueInvoiceSerializer, MarkPaidSerializer

INVOICE_ID = OpenApiParameter("invoice_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Invoice ID")
COMPANY_ID = OpenApiParameter(
    "company_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The company the operation acts on (its id, not its NIF): the only context, the "
    "`BeeL-Active-Company` header is not read. A company this key cannot reach, and one that does not exist, "
    "are both 403 ACTIVE_COMPANY_NOT_ACCESSIBLE; a malformed id is 400.",
)
# BeeL's SDKs send it on issueInvoice; beel renders no PDF, so the answer is the same either way.
WAIT_FOR_PDF = OpenApiParameter(
    "wait_for_pdf",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description="BeeL's: wait for the invoice's PDF before answering. beel renders no PDF, so it has no effect.",
)

list_invoices = extend_schema(
    operation_id="listInvoices",
    summary="List invoices",
    description="Paginated like the customers list; newest issue date first.",
    responses={200: page_serializer("InvoicePage", "invoices", InvoiceSerializer), **error_responses(400)},
)
retrieve_invoice = extend_schema(
    operation_id="getInvoice",
    summary="Get an invoice",
    parameters=[INVOICE_ID],
    responses={200: InvoiceSerializer, **error_responses(400, 404)},
)
create_invoice = extend_schema(
    operation_id="createInvoice",
    summary="Create a draft invoice",
    description="A draft has no number (`number` and `full_number` are null): it takes the next one of its "
    "series (default series A) when issued (`issueInvoice`), so a discarded draft leaves no gap. Its "
    "`recipient` follows the customer until then. Refused with CUSTOMER_INACTIVE for a deactivated customer.",
    request=InvoiceCreateSerializer,
    responses={201: InvoiceSerializer, **error_responses(400, 404, 409, 415, conflict=ErrorCode.CUSTOMER_INACTIVE)},
)

issue_invoice = extend_schema(
    operation_id="issueInvoice",
    summary="Issue a draft invoice",
    description="The draft takes the next number of its series at this moment (numbers follow the order of "
    "issue, without gaps or duplicates, however many are issued at once), is dated today, and keeps a copy "
    "of its customer's fiscal identity (legal name, NIF, address) as `recipient` and of its company's as "
    "`issuer`: later changes to the customer or the company never change an issued invoice. Each company "
    "numbers its own series. Refused with INVOICE_NOT_DRAFT for an invoice already issued, paid or cancelled, "
    "with CUSTOMER_INACTIVE, CUSTOMER_MERGED, CUSTOMER_ERASURE_PENDING or CUSTOMER_ANONYMIZED when its "
    "customer can take no invoice, and with 422 EMISSION_NOT_READY while the company's fiscal identity is "
    "incomplete (`details.missing_fields`). It falls due on the body's `due_date` (beel's extension), else the "
    "draft's, else today + the customer's `preferred_payment_method.payment_term_days` (30 without one); a due "
    "date before today is 422 VALIDATION_ERROR.",
    parameters=[INVOICE_ID, WAIT_FOR_PDF],
    request=IssueInvoiceSerializer,
    responses={
        200: InvoiceSerializer,
        **error_responses(400, 404, 409, 415, conflict=ErrorCode.INVOICE_NOT_DRAFT),
        422: OpenApiResponse(description="The company cannot issue yet (`EMISSION_NOT_READY`)"),
    },
)
cancel_invoice = extend_schema(
    operation_id="cancelInvoice",
    summary="Cancel an invoice",
    description="An issued invoice keeps its number and recipient (the series stays correlative and the "
    "document on record); a draft is cancelled without ever taking a number. Refused with "
    "INVOICE_NOT_CANCELLABLE for a paid invoice. Cancelling again answers the same.",
    parameters=[INVOICE_ID],
    request=None,
    responses={
        200: InvoiceSerializer,
        **error_responses(400, 404, 409, conflict=ErrorCode.INVOICE_NOT_CANCELLABLE),
    },
)


PAYMENT_ID = OpenApiParameter("payment_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Payment ID")
mark_invoice_paid = extend_schema(
    operation_id="markInvoicePaid",
    summary="Mark an invoice as paid (record a payment)",
    description="BeeL's markInvoicePaid: records a payment dated `payment_date` (today when omitted; not "
    "later than today). beel's extension `amount` records a partial payment (at most `amount_due`, in the "
    "invoice's currency); omitted, it pays what is due. The invoice becomes `paid` (with `payment_date` and "
    "`paid_at`, and the event `invoice.paid`) when its payments cover its total. Refused with "
    "INVOICE_NOT_PAYABLE for a draft, cancelled or already paid invoice; an amount that is not positive or "
    "exceeds what is due is 422 VALIDATION_ERROR. Of `payment_method`, only `method` is kept.",
    parameters=[INVOICE_ID],
    request=MarkPaidSerializer,
    responses={
        200: InvoiceSerializer,
        **error_responses(400, 404, 409, 415, 422, conflict=ErrorCode.INVOICE_NOT_PAYABLE),
    },
)
undo_invoice_payment = extend_schema(
    operation_id="deleteInvoicePayment",
    summary="Undo a payment recorded by mistake",
    description="beel's extension: deletes one of the invoice's payments; a paid invoice its payments no "
    "longer cover is `issued` again (`payment_date` and `paid_at` null). Refused with INVOICE_NOT_PAYABLE "
    "for a cancelled invoice; NOT_FOUND for a payment that is not the invoice's.",
    parameters=[INVOICE_ID, PAYMENT_ID],
    request=None,
    responses={200: InvoiceSerializer, **error_responses(400, 404, 409, conflict=ErrorCode.INVOICE_NOT_PAYABLE)},
)


def on_company(operation, operation_id: str):
    """The same operation on BeeL 1.9.0's canonical route, `/v1/companies/{company_id}/invoices...`: its own
    operationId (BeeL's where it has the operation) and the company in the path."""

    def decorate(view_function):
        view_function = operation(view_function)
        return extend_schema(operation_id=operation_id, parameters=[COMPANY_ID])(view_function)

    return decorate


list_company_invoices = on_company(list_invoices, "listCompanyInvoices")
retrieve_company_invoice = on_company(retrieve_invoice, "getCompanyInvoice")
create_company_invoice = on_company(create_invoice, "createCompanyInvoice")
issue_company_invoice = on_company(issue_invoice, "issueCompanyInvoice")
# beel's own (BeeL voids an issued invoice with a corrective one instead): named after the flat cancelInvoice.
cancel_company_invoice = on_company(cancel_invoice, "cancelCompanyInvoice")
mark_company_invoice_paid = on_company(mark_invoice_paid, "markCompanyInvoicePaid")
undo_company_invoice_payment = on_company(undo_invoice_payment, "deleteCompanyInvoicePayment")
