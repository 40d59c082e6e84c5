from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from beel.api.schema import error_responses
from beel.api.serializers import page_serializer
from beel.errors import ErrorCode
from invoices.serializers import InvoiceCreateSerializer, InvoiceSerializer

INVOICE_ID = OpenApiParameter("invoice_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Invoice ID")

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
    description="The number is the next one of the account's series (default series A), without gaps or "
    "duplicates. Refused with CUSTOMER_INACTIVE for a deactivated customer.",
    request=InvoiceCreateSerializer,
    responses={201: InvoiceSerializer, **error_responses(400, 404, 409, 415, conflict=ErrorCode.CUSTOMER_INACTIVE)},
)
