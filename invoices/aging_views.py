"""GET /customers/aging and /customers/aging/export (flat: the key's account, every company it reaches) and
their canonical routes under /companies/{company_id} (that company): thin HTTP over invoices.aging_report.
docs/api.md, Receivables, "Aging across customers"."""

from django.http import StreamingHttpResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from apikeys.models import Scope
from beel.api.pagination import PagePagination
from beel.api.params import PageParams, parse_page_params, refusal
from beel.api.renderers import AcceptHeaderNegotiation
from beel.api.schema import error_responses
from beel.api.serializers import PaginationSerializer
from beel.api.views import APIViewSet
from beel.clock import today as clock_today
from beel.errors import ValidationFailed
from beel.lists import Totals
from beel.timestamps import parse_day
from customers.company_views import CompanyPagePagination
from invoices import aging_report, aging_spreadsheet
from invoices.aging import AGING_BUCKET_KEYS
from invoices.aging_report import SORT_FIELDS, AgingAsked

REPORT_PARAMETERS = frozenset({"as_of", "sort_by", "sort_order"})
PAGE_PARAMETERS = frozenset({"page", "limit"})


def parse_report_params(query_params) -> AgingAsked:
    """`as_of`, `sort_by` and `sort_order`; every bad value named in one 422 VALIDATION_ERROR."""
    errors: dict[str, str] = {}
    as_of = clock_today()
    raw = query_params.get("as_of")
    if raw is not None:
        try:
            as_of = parse_day(raw)
        except ValueError:
            errors["as_of"] = gettext("%(name)s must be a date (YYYY-MM-DD).") % {"name": "as_of"}
        else:
            try:
                aging_report.check_as_of(as_of)
            except ValidationFailed as error:
                errors.update(error.details)
    sort_by = query_params.get("sort_by", aging_report.DEFAULT_SORT)
    if sort_by not in SORT_FIELDS:
        errors["sort_by"] = f"sort_by must be one of: {', '.join(SORT_FIELDS)}."
    sort_order = query_params.get("sort_order")
    if sort_order is not None and sort_order not in ("asc", "desc"):
        errors["sort_order"] = "sort_order must be asc or desc."
    if errors:
        raise ValidationFailed(details=errors)
    descending = sort_by in aging_report.DESCENDING_BY_DEFAULT if sort_order is None else sort_order == "desc"
    return AgingAsked(as_of=as_of, sort_by=sort_by, descending=descending)


def amount(value) -> str:
    return f"{value:.2f}"


def represent_row(row: dict) -> dict:
    return {
        "customer_id": str(row["customer_id"]),
        "legal_name": row["legal_name"],
        "nif": row["nif"] or None,
        "currency": row["currency"],
        **{key: amount(row[key]) for key in AGING_BUCKET_KEYS},
        "total": amount(row["total_due"]),
    }


def represent_totals(totals: aging_report.CurrencyTotals) -> dict:
    return {
        "currency": totals.currency,
        "customers": totals.customers,
        **{key: amount(totals.amounts[key]) for key in AGING_BUCKET_KEYS},
        "total": amount(totals.total),
    }


class WithoutCursor:
    """The report pages by `page` only: its rows are sums, which a cursor's keyset cannot resume after."""

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        return [parameter for parameter in parameters if parameter["name"] != "cursor"]


class AgingPagination(WithoutCursor, PagePagination):
    pass


class CompanyAgingPagination(WithoutCursor, CompanyPagePagination):
    pass


class AgingReportOperations(APIViewSet):
    """What both route families share; each says whose invoices it reads (`report_scope`)."""

    filter_backends = []
    pagination_class = AgingPagination
    results_key = "customers"
    listing_actions = frozenset()
    required_scopes = {"list": Scope.INVOICES_READ, "export": Scope.INVOICES_READ}
    declared_query_parameters = {"list": REPORT_PARAMETERS | PAGE_PARAMETERS, "export": REPORT_PARAMETERS}
    # No `?format=`: Accept decides. The export's routes take customers.views.CSV_DOWNLOAD (invoices.aging_urls).
    content_negotiation_class = AcceptHeaderNegotiation

    def company_ids(self):
        """The companies of the scope the report reads: None for all of them."""
        return None

    def report_rows(self, asked: AgingAsked):
        return aging_report.aging_rows(self.data_scope(), asked, company_ids=self.company_ids())

    def list(self, request, **route):
        page_asked: PageParams = parse_page_params(request.query_params)
        try:
            asked = parse_report_params(request.query_params)
        except ValidationFailed as error:
            # Named with the paging's errors, in one refusal.
            raise refusal({**error.details, **page_asked.errors}, page_asked.unparsed) from None
        if page_asked.errors:
            raise refusal(page_asked.errors, page_asked.unparsed)
        totals = aging_report.currency_totals(self.data_scope(), asked.as_of, company_ids=self.company_ids())
        paginator = self.paginator
        paginator.by_cursor, paginator.next_cursor, paginator.limit = False, None, page_asked.limit
        known = sum(currency.customers for currency in totals)
        rows = paginator.paginate_by_page(self.report_rows(asked), page_asked.page, Totals(known=lambda: known))
        return Response(
            {
                "as_of": asked.as_of.isoformat(),
                "customers": [represent_row(row) for row in rows],
                "totals": [represent_totals(currency) for currency in totals],
                "pagination": paginator.pagination_figures(),
            }
        )

    def export(self, request, **route):
        asked = parse_report_params(request.query_params)
        lines = aging_spreadsheet.csv_lines(self.report_rows(asked))
        headers = {"Content-Disposition": f'attachment; filename="{aging_spreadsheet.filename(asked.as_of)}"'}
        return StreamingHttpResponse(lines, content_type=aging_spreadsheet.MEDIA_TYPE, headers=headers)


class AgingRowSerializer(serializers.Serializer):
    customer_id = serializers.UUIDField()
    legal_name = serializers.CharField()
    nif = serializers.CharField(allow_null=True, help_text="The customer's NIF, as the customer list names it")
    currency = serializers.CharField(help_text="ISO 4217: a customer owing in two currencies has two rows")
    current = serializers.DecimalField(12, 2, help_text="Not yet past due (due today or later, or no due date)")
    days_1_30 = serializers.DecimalField(12, 2, help_text="1 to 30 days past the due date")
    days_31_60 = serializers.DecimalField(12, 2, help_text="31 to 60 days past the due date")
    days_61_90 = serializers.DecimalField(12, 2, help_text="61 to 90 days past the due date")
    days_over_90 = serializers.DecimalField(12, 2, help_text="91 days or more past the due date")
    total = serializers.DecimalField(12, 2, help_text="The row's buckets added up (one currency)")


class AgingTotalsSerializer(AgingRowSerializer):
    customer_id = legal_name = nif = None
    currency = serializers.CharField(help_text="ISO 4217: amounts of different currencies are never added")
    customers = serializers.IntegerField(help_text="Rows (customers owing) in this currency")


# The report is one object holding its page of rows (`customers`), not a list: without many=False the schema
# generator wraps a `list` action's answer in the paginator's array.
@extend_schema_serializer(many=False)
class AgingReportSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    customers = AgingRowSerializer(many=True)
    totals = AgingTotalsSerializer(many=True, help_text="The whole report's sums (every page), one per currency")
    pagination = PaginationSerializer()


_ORDER = f"`sort_by` one of {', '.join(f'`{name}`' for name in SORT_FIELDS)} (default `total`)"
REPORT_QUERY = [
    OpenApiParameter(
        "as_of",
        OpenApiTypes.DATE,
        OpenApiParameter.QUERY,
        description="The day the report is as of (default today): invoices issued after it are out, payments "
        "dated after it are still owed. A day after today is 422.",
    ),
    OpenApiParameter("sort_by", str, OpenApiParameter.QUERY, enum=list(SORT_FIELDS), description=_ORDER),
    OpenApiParameter(
        "sort_order",
        str,
        OpenApiParameter.QUERY,
        enum=["asc", "desc"],
        description="Default `desc` for an amount, `asc` for `legal_name`, `nif` and `currency`; ties are "
        "ordered by the customer's id and the currency.",
    ),
]
_DESCRIPTION = (
    "beel's extension (issue 29): what each customer owes as of `as_of`, by how far past its due date: the "
    "unpaid amount (total - amount_paid as of that day) of its issued invoices in the buckets `current`, "
    "`days_1_30`, `days_31_60`, `days_61_90`, `days_over_90` (the due date is the last day to pay). One row per "
    "customer and currency, only customers owing something; `totals` per currency for the whole report. "
    "Drafts, cancelled and paid invoices are out (a paid one counts as of a day before a payment that settled "
    "it). `next_cursor` is always null: this report pages by `page` only. Bad values are 422 VALIDATION_ERROR."
)
_EXPORT_DESCRIPTION = (
    "The whole report (every row, the same order and `as_of` as the JSON) streamed as CSV: `;`-separated UTF-8 "
    "with a BOM, amounts with a decimal comma, cells starting with `=`, `+`, `-` or `@` prefixed with `'`. "
    "Headers (Spanish, the buckets' labels with an en dash): ID cliente;Razón social;NIF;Moneda;Al corriente;"
    "1\u201330 días;31\u201360 días;61\u201390 días;Más de 90 días;Total."
)
_CSV = OpenApiResponse(
    response={"type": "string", "description": "`;`-separated UTF-8 with a byte order mark (BOM)."},
    description="The report as CSV (Content-Disposition: attachment).",
)
COMPANY_ID = OpenApiParameter(
    "company_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The company whose customers are reported (its id). A company this key cannot reach, and one "
    "that does not exist, are both 403 ACTIVE_COMPANY_NOT_ACCESSIBLE; a malformed id is 400.",
)


def _list_schema(operation_id: str, where: str, extra=()):
    return extend_schema(
        tags=["customers"],
        operation_id=operation_id,
        summary=f"Aging of what customers owe ({where})",
        description=_DESCRIPTION,
        parameters=[*extra, *REPORT_QUERY],  # `page` and `limit`: the paginator's
        responses={200: AgingReportSerializer, **error_responses(400, 422)},
    )


def _export_schema(operation_id: str, where: str, extra=()):
    return extend_schema(
        tags=["customers"],
        operation_id=operation_id,
        summary=f"Aging of what customers owe, as CSV ({where})",
        description=_EXPORT_DESCRIPTION,
        parameters=[*extra, *REPORT_QUERY, OpenApiParameter("format", exclude=True)],
        responses={(200, "text/csv"): _CSV, **error_responses(400, 422)},
    )


class AgingReportViewSet(AgingReportOperations):
    """`/customers/aging`: the key's account in its mode, every company the key reaches (the
    `BeeL-Active-Company` header is not read)."""

    acts_on_company = False

    def company_ids(self):
        return list(self.request.auth.company_ids) or None

    @_list_schema("getCustomersAging", "the account's companies")
    def list(self, request):
        return super().list(request)

    @_export_schema("exportCustomersAgingCsv", "the account's companies")
    def export(self, request):
        return super().export(request)


class CompanyAgingReportViewSet(AgingReportOperations):
    """`/companies/{company_id}/customers/aging`: that company's customers."""

    pagination_class = CompanyAgingPagination

    @_list_schema("getCompanyCustomersAging", "one company", [COMPANY_ID])
    def list(self, request, company_id: str):
        return super().list(request)

    @_export_schema("exportCompanyCustomersAgingCsv", "one company", [COMPANY_ID])
    def export(self, request, company_id: str):
        return super().export(request)
