"""GET /customers/{customer_id}/statement and GET /companies/{company_id}/customers/{customer_id}/statement: a
customer's statement of account (docs/api.md, "Statements"), as JSON or, with `Accept: text/csv`, as the
Spanish-Excel CSV. Thin HTTP over invoices.statements (the computation) and invoices.statement_csv."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apikeys.models import Scope
from beel.api.renderers import AcceptHeaderNegotiation, CSVRenderer, EnvelopeJSONRenderer
from beel.api.schema import error_responses
from beel.api.views import APIViewSet
from customers.models import Customer
from customers.views import client_not_found, csv_download
from invoices import statement_csv, statements
from invoices.aging import AGING_BUCKET_KEYS
from invoices.schema import COMPANY_ID


def _money(amount) -> str:
    return f"{amount:.2f}"


def _day(day) -> str | None:
    return None if day is None else day.isoformat()


def represent_statement(statement: statements.Statement) -> dict:
    """The JSON answer. Written by hand rather than by StatementSerializer (which describes it in the schema):
    a statement of thousands of lines renders several times faster."""
    return {
        "customer_id": str(statement.customer.pk),
        "legal_name": statement.customer.legal_name,
        "from": statement.start.isoformat(),
        "to": statement.end.isoformat(),
        "currencies": [
            {
                "currency": section.currency,
                "opening_balance": _money(section.opening_balance),
                "lines": [
                    {
                        "type": line.type,
                        "date": line.date.isoformat(),
                        "invoice_id": str(line.invoice_id),
                        "invoice_number": line.invoice_number,
                        "issue_date": line.issue_date.isoformat(),
                        "due_date": _day(line.due_date),
                        "payment_id": None if line.payment_id is None else str(line.payment_id),
                        "amount": _money(line.amount),
                        "balance": _money(line.balance),
                    }
                    for line in section.lines
                ],
                "invoiced": _money(section.invoiced),
                "paid": _money(section.paid),
                "closing_balance": _money(section.closing_balance),
                "aging": {key: _money(section.aging[key]) for key in AGING_BUCKET_KEYS},
            }
            for section in statement.sections
        ],
    }


# --- the schema --------------------------------------------------------------------------------------------

_MONEY = {"max_length": 16, "help_text": "A decimal string with two places, e.g. 121.00."}


class StatementLineSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=[statements.INVOICE, statements.PAYMENT],
        help_text="`invoice`: an invoice issued, a debit of its total; `payment`: a payment received, a credit.",
    )
    date = serializers.DateField(help_text="The invoice's issue date, or the payment's date.")
    invoice_id = serializers.UUIDField()
    invoice_number = serializers.CharField(help_text="The invoice's full number, series-number (A-000012).")
    issue_date = serializers.DateField()
    due_date = serializers.DateField(allow_null=True)
    payment_id = serializers.UUIDField(allow_null=True, help_text="The payment's id; null on an invoice's line.")
    amount = serializers.CharField(**_MONEY)
    balance = serializers.CharField(help_text="What the customer owes after this line.", max_length=16)


AgingSerializer = type(
    "StatementAgingSerializer",
    (serializers.Serializer,),
    {key: serializers.CharField(**_MONEY) for key in AGING_BUCKET_KEYS},
)


class CurrencySectionSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217; amounts of different currencies are never added.")
    opening_balance = serializers.CharField(help_text="Owed at the start of `from`.", max_length=16)
    lines = StatementLineSerializer(many=True, help_text="In date order; on one day, invoices before payments.")
    invoiced = serializers.CharField(help_text="The invoices' lines added up.", max_length=16)
    paid = serializers.CharField(help_text="The payments' lines added up.", max_length=16)
    closing_balance = serializers.CharField(help_text="Owed at the end of `to`.", max_length=16)
    aging = AgingSerializer(
        help_text="What is owed at the end of `to` by days past its due date as of `to` (current: not yet past "
        "due; days_1_30, days_31_60, days_61_90, days_over_90); the buckets add up to `closing_balance`."
    )


class StatementSerializer(serializers.Serializer):
    customer_id = serializers.UUIDField()
    legal_name = serializers.CharField()
    # `from` is a keyword: declared by name below.
    to = serializers.DateField()
    currencies = CurrencySectionSerializer(many=True)

    def get_fields(self):
        return {"from": serializers.DateField(), **super().get_fields()}


_PERIOD = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        OpenApiParameter.QUERY,
        description="The period's first day (YYYY-MM-DD), included. Default: January 1st of `to`'s year.",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        OpenApiParameter.QUERY,
        description="The period's last day (YYYY-MM-DD), included, and the day the aging is as of. Default: "
        "today. Not later than today.",
    ),
    OpenApiParameter("format", exclude=True),
    OpenApiParameter(
        "customer_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The customer's id (not its NIF)."
    ),
]
_DESCRIPTION = (
    "beel's extension: the customer's statement of account for a period, one section per currency (amounts "
    "of different currencies are never added). `opening_balance` is what the customer owed at the start of "
    "`from`; `lines` are the invoices issued (debits of their totals, on their issue dates) and the payments "
    "received (credits, on their payment dates) in the period, in date order, each with the running "
    "`balance`; `closing_balance` is what it owed at the end of `to`, and `aging` splits it by days past due "
    "as of `to`. Payments dated after `to` do not count. Drafts never appear; a cancelled invoice is void and "
    "left out with its payments. With `Accept: text/csv`, the same as a `;`-separated UTF-8 CSV with a BOM, "
    "Spanish headers, a decimal comma and formula-guarded cells (a download named "
    "`extracto-{customer_id}-{from}-{to}.csv`); another Accept is 406. `from` after `to`, `to` after today or a "
    "date that is not YYYY-MM-DD is 422 VALIDATION_ERROR. Needs `invoices:read`."
)


def _operation(operation_id: str, parameters: list):
    return extend_schema(
        operation_id=operation_id,
        summary="A customer's statement of account",
        description=_DESCRIPTION,
        parameters=[*parameters, *_PERIOD],
        responses={
            (200, "application/json"): StatementSerializer,
            (200, "text/csv"): OpenApiResponse(
                response={"type": "string", "description": "`;`-separated UTF-8 with a byte order mark (BOM)."},
                description="The statement as CSV.",
            ),
            **error_responses(400, 404, 422),
            406: OpenApiResponse(description="Not acceptable (`NOT_ACCEPTABLE`): an Accept other than JSON or CSV."),
        },
    )


# --- the views ---------------------------------------------------------------------------------------------


class CustomerStatementViewSet(APIViewSet):
    """The flat route: the `BeeL-Active-Company` header's company, or the account's only one."""

    queryset = Customer.objects.none()  # for the schema generator
    filter_backends = []
    renderer_classes = [EnvelopeJSONRenderer, CSVRenderer]
    content_negotiation_class = AcceptHeaderNegotiation
    required_scopes = {"statement": Scope.INVOICES_READ}
    declared_query_parameters = {"statement": frozenset({"from", "to"})}

    @client_not_found
    def answer(self, request, customer_id: str):
        start, end = statements.statement_period(
            start=request.query_params.get("from"), end=request.query_params.get("to")
        )
        statement = statements.customer_statement(
            scope=self.data_scope(), customer_id=customer_id, start=start, end=end
        )
        if request.accepted_renderer.format == CSVRenderer.format:
            return csv_download(statement_csv.filename_of(statement), statement_csv.statement_lines(statement))
        return Response(represent_statement(statement))

    @_operation("getCustomerStatement", [])
    def statement(self, request, customer_id: str):
        return self.answer(request, customer_id)


class CompanyCustomerStatementViewSet(CustomerStatementViewSet):
    """The canonical route: the path's company."""

    @_operation("getCompanyCustomerStatement", [COMPANY_ID])
    def statement(self, request, company_id: str, customer_id: str):
        return self.answer(request, customer_id)
