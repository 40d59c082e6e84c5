from collections.abc import Iterator
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.http import StreamingHttpResponse
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from apikeys.models import Scope
from beel.api.filters import validate_list_parameters
from beel.api.params import parse_flag
from beel.api.renderers import CSVDownloadNegotiation, CSVRenderer, EnvelopeJSONRenderer
from beel.api.views import APIViewSet, actor_of
from beel.clock import clock
from beel.lists import Listing
from customers import receivables, schema, selectors, services, spreadsheet
from customers.errors import BulkValidationFailed, ClientNotFound, CustomerNotFound, RetentionActive
from customers.filters import CustomerFilterSet
from customers.models import Customer
from customers.representations import render_customer
from customers.serializers import (
    BulkCreateSerializer,
    BulkDeactivationResultSerializer,
    CsvUploadSerializer,
    CustomerChangeSerializer,
    CustomerDetailSerializer,
    CustomerReplaceSerializer,
    CustomerSerializer,
    CustomerValidationUnifiedResultSerializer,
    CustomerWriteSerializer,
    MergeSerializer,
    bulk_refusal,
    parse_bulk_ids,
)
from customers.serializers.nif import ValidateNifRequestSerializer, ValidateNifResponseSerializer
from customers.services import exports

# Sent with every export of customers (direct or a job's file): how many it holds, so a client can tell a cut
# download (docs/api.md, "Exports").
TOTAL_ROWS_HEADER = "X-Total-Rows"

# The downloads answer CSV whatever JSON-or-CSV Accept asks for (but a refusal of CSV, a 406); their errors stay
# in the envelope.
CSV_DOWNLOAD = {
    "renderer_classes": [EnvelopeJSONRenderer, CSVRenderer],
    "content_negotiation_class": CSVDownloadNegotiation,
}


def client_not_found(view):
    """BeeL's 404 for a customer, CLIENT_NOT_FOUND, on every route but the seed DELETEs, whose pages say
    NOT_FOUND (the services raise CustomerNotFound, as those pages want)."""

    @wraps(view)
    def answer(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except CustomerNotFound as error:
            raise ClientNotFound(error.message, details=error.details) from None

    return answer


def csv_download(filename: str, lines: Iterator[str]) -> StreamingHttpResponse:
    """A CSV of customers.spreadsheet, streamed as it is written (an export of a million customers takes the
    memory of one chunk)."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingHttpResponse(lines, content_type=spreadsheet.MEDIA_TYPE, headers=headers)


class CompanyRoutedIdempotency:
    """For the views of a canonical route family and its flat aliases (`route_prefix`: what the canonical
    routes put before `/customers`)."""

    route_prefix = ""

    def idempotency_target(self, request) -> str:
        """The operation an `Idempotency-Key` is bound to (beel.idempotency.decorators): the same on a canonical
        route and on its flat alias for one company, so a retry that switches route replays instead of writing
        twice (BeeL 1.9.0, createCompanyCustomer), and another company's on the same route (a flat route with
        another `BeeL-Active-Company`) is another operation (409 IDEMPOTENCY_KEY_MISMATCH, never a replay)."""
        path = request.path
        if self.route_prefix:
            path = path.replace(self.route_prefix.format(**self.kwargs), "", 1)
        return f"{request.method} {path.rstrip('/')} company={self.data_scope().company.pk}"


class CustomerOperations(CompanyRoutedIdempotency, APIViewSet):
    """What the flat routes (`/customers...`, CustomerViewSet) and the canonical ones
    (`/companies/{company_id}/customers...`, customers.company_views) share: a thin HTTP layer over
    customers.services, where the rules live. Each family of routes adds its own operations and descriptions,
    and acts on one company (beel.api.views.APIViewSet.data_scope)."""

    queryset = Customer.objects.none()  # for the schema generator; requests use get_queryset()
    serializer_class = CustomerSerializer
    lookup_url_kwarg = "customer_id"
    results_key = "customers"
    filterset_class = CustomerFilterSet
    # The CSV export reads the list's filters and sort.
    listing_actions = frozenset({"list", "export"})
    required_scopes = {
        "list": Scope.CUSTOMERS_READ,
        "retrieve": Scope.CUSTOMERS_READ,
        "create": Scope.CUSTOMERS_WRITE,
        "partial_update": Scope.CUSTOMERS_WRITE,
        "update": Scope.CUSTOMERS_WRITE,
        "destroy": Scope.CUSTOMERS_WRITE,
        "bulk_deactivate": Scope.CUSTOMERS_WRITE,
        "bulk_create": Scope.CUSTOMERS_WRITE,
        "reactivate": Scope.CUSTOMERS_WRITE,
        "anonymize": Scope.CUSTOMERS_WRITE,
        "merge": Scope.CUSTOMERS_WRITE,
        "import_csv": Scope.CUSTOMERS_WRITE,
        "csv_template": Scope.CUSTOMERS_READ,
        "csv_template_alias": Scope.CUSTOMERS_READ,
        "export": Scope.CUSTOMERS_READ,
    }
    # The path a route family puts before `/customers` (the canonical routes' `/companies/{company_id}`).

    def get_queryset(self):
        return Customer.objects.within(self.data_scope())

    def asked_of(self, filterset: CustomerFilterSet) -> selectors.CustomerFilters:
        """The list's validated parameters, as this family of routes reads them."""
        return filterset.asked()

    def read_list(self, filterset: CustomerFilterSet) -> Listing:
        self.asked = self.asked_of(filterset)
        return selectors.list_customers(self.data_scope(), self.asked)

    def list(self, request, **route):
        response = super().list(request)
        if "summary" in self.asked.include:
            # Next to the list in `data`, leaving BeeL's `customers` and `pagination` as they are.
            response.data["summary"] = receivables.summary_of(
                selectors.matching_customers(self.data_scope(), self.asked)
            )
        return response

    def represent_rows(self, rows) -> list:
        customers = [render_customer(row) for row in rows]
        if "stats" in self.asked.include:
            stats = receivables.stats_by_customer([row["id"] for row in rows])
            for customer, row in zip(customers, rows, strict=True):
                customer["stats"] = stats[row["id"]]
        return customers

    @schema.retrieve_customer
    @client_not_found
    def retrieve(self, request, customer_id: str, **route):
        customer = services.get_customer(scope=self.data_scope(), customer_id=customer_id)
        return Response(CustomerDetailSerializer(customer).data)

    @schema.create_customer
    def create(self, request, **route):
        data = CustomerWriteSerializer(data=request.data).validated_or_refused()
        customer = services.create_customer(scope=self.data_scope(), data=data, actor=actor_of(request))
        return Response(CustomerDetailSerializer(customer).data, status=status.HTTP_201_CREATED)

    @schema.update_customer
    @client_not_found
    def partial_update(self, request, customer_id: str, **route):
        customer = services.get_customer(scope=self.data_scope(), customer_id=customer_id)
        data = CustomerChangeSerializer(customer, data=request.data, partial=True).validated_or_refused()
        customer = services.change_customer(
            scope=self.data_scope(), customer_id=customer_id, data=data, actor=actor_of(request)
        )
        return Response(CustomerDetailSerializer(customer).data)

    def create_in_bulk(self, request):
        """createCustomersBulk and createCompanyCustomersBulk: 201 created, 200 a dry run, 422 refused."""
        body = BulkCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dry_run = parse_flag(request.query_params, "dry_run")
        try:
            report = services.create_customers_in_bulk(
                scope=self.data_scope(),
                raw_items=body.validated_data["customers"],
                actor=actor_of(request),
                dry_run=dry_run,
            )
        except BulkValidationFailed as refused:
            # BeeL's 422 lists the problems in `error.errors`, beside code and message (not in `details`).
            return Response(bulk_refusal(refused.report), status=refused.status_code)
        status_code = status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
        return Response(CustomerValidationUnifiedResultSerializer(report).data, status=status_code)

    @schema.reactivate_customer
    @action(detail=True, methods=["post"])
    @client_not_found
    def reactivate(self, request, customer_id: str, **route):
        customer = services.reactivate_customer(
            scope=self.data_scope(), customer_id=customer_id, actor=actor_of(request)
        )
        return Response(CustomerDetailSerializer(customer).data)

    @schema.anonymize_customer
    @action(detail=True, methods=["post"])
    @client_not_found
    def anonymize(self, request, customer_id: str, **route):
        outcome = services.request_erasure(scope=self.data_scope(), customer_id=customer_id, actor=actor_of(request))
        if not outcome.anonymized:
            # The request was recorded and committed: answered as the error it is, not raised (which would
            # roll the record back).
            return self.handle_exception(RetentionActive(details={"retain_until": outcome.retain_until.isoformat()}))
        return Response(CustomerDetailSerializer(outcome.customer).data)

    @schema.merge_customer
    @action(detail=True, methods=["post"])
    @client_not_found
    def merge(self, request, customer_id: str, **route):
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer = services.merge_customers(
            scope=self.data_scope(),
            customer_id=customer_id,
            into_id=str(body.validated_data["into"]),
            actor=actor_of(request),
        )
        return Response(CustomerDetailSerializer(customer).data)

    @schema.export_customers
    @action(detail=False, methods=["get"], **CSV_DOWNLOAD)
    def export(self, request, **route):
        # Filtered (and its parameters checked, a 400 in the envelope) before the first byte is sent, as the list.
        filterset = self.filterset_of(request)
        validate_list_parameters(filterset, request.query_params)
        customers = selectors.sorted_customers(self.get_queryset(), filterset.asked())
        # Counted first (EXPORT_TOO_LARGE past the limit), in the snapshot the rows are then streamed from.
        total, lines = exports.direct_export(customers)
        filename = f"clientes-{datetime.fromtimestamp(clock.now(), UTC):%Y%m%d-%H%M%S}.csv"
        response = csv_download(filename, lines)
        response[TOTAL_ROWS_HEADER] = str(total)
        return response


class CustomerViewSet(CustomerOperations):
    """The flat routes, `/customers...`: BeeL's deprecated aliases (the seed pages' behaviour for list and
    DELETE), acting on the `BeeL-Active-Company` header's company, or the account's only one."""

    # What the operations read from the query string besides a list's filters and paging (beel.api.pipeline);
    # any other parameter is a 400 naming it, the seed operations' included (BeeL's flat aliases since
    # 2026-09-03: the seed pages say nothing of parameters they do not declare).
    declared_query_parameters = {
        "bulk_deactivate": frozenset({"ids"}),
        "bulk_create": frozenset({"dry_run"}),
        "import_csv": frozenset({"dry_run"}),
    }
    # BeeL's CSV template is a POST that only downloads a fixed file: nothing to repeat, and no data to replay.
    actions_without_idempotency = frozenset({"csv_template"})

    @schema.list_customers
    def list(self, request):
        return super().list(request)

    @schema.replace_customer
    @client_not_found
    def update(self, request, customer_id: str):
        customer = services.get_customer(scope=self.data_scope(), customer_id=customer_id)
        data = CustomerReplaceSerializer(customer, data=request.data).validated_or_refused()
        customer = services.change_customer(
            scope=self.data_scope(), customer_id=customer_id, data=data, actor=actor_of(request)
        )
        return Response(CustomerDetailSerializer(customer).data)

    @schema.deactivate_customer
    def destroy(self, request, customer_id: str):
        services.deactivate_customer(scope=self.data_scope(), customer_id=customer_id, actor=actor_of(request))
        return Response({"message": "Customer deactivated successfully"})

    @schema.bulk_deactivate_customers
    @action(detail=False, methods=["delete"], url_path="bulk")
    def bulk_deactivate(self, request):
        ids = parse_bulk_ids(request.query_params)
        report = services.deactivate_customers(scope=self.data_scope(), ids=ids, actor=actor_of(request))
        return Response(BulkDeactivationResultSerializer(report).data)

    @schema.bulk_create_customers
    @bulk_deactivate.mapping.post
    def bulk_create(self, request):
        return self.create_in_bulk(request)

    @schema.import_customers_csv
    @action(detail=False, methods=["post"], url_path="import-csv-preview", parser_classes=[MultiPartParser])
    def import_csv(self, request):
        body = CsvUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dry_run = body.validated_data.get("dry_run")
        if dry_run is None:  # BeeL's form field first; beel's query parameter still read
            dry_run = parse_flag(request.query_params, "dry_run", default=True)
        upload = body.validated_data["file"]
        report = services.import_customers(
            scope=self.data_scope(),
            content=upload.read(),
            actor=actor_of(request),
            dry_run=dry_run,
            filename=upload.name,
        )
        return Response(CustomerValidationUnifiedResultSerializer(report).data)

    @schema.csv_template
    @action(detail=False, methods=["post"], url_path="templates/csv", **CSV_DOWNLOAD)
    def csv_template(self, request):
        return csv_download(spreadsheet.TEMPLATE_FILENAME, spreadsheet.template_lines())

    @schema.csv_template_alias
    @action(detail=False, methods=["get"], url_path="csv-template", **CSV_DOWNLOAD)
    def csv_template_alias(self, request):
        return self.csv_template(request)


class NifViewSet(APIViewSet):
    """POST /nif/validate: a NIF checked against AEAT's census (customers.services.nif_validation)."""

    # A NIF is checked for whoever asks, whatever company they act for.
    acts_on_company = False
    # It reads no list: no filter to describe (the schema generator would look for a model to filter).
    filter_backends = []
    serializer_class = ValidateNifRequestSerializer
    required_scopes = {"validate_nif": Scope.NIF_VALIDATE}

    @property
    def extra_rate_limit(self) -> str:
        return settings.NIF_VALIDATE_RATE_LIMIT

    @schema.validate_nif
    @action(detail=False, methods=["post"], url_path="validate")
    def validate_nif(self, request):
        nif, legal_name = ValidateNifRequestSerializer.parsed(request.data)
        outcome = services.validate_nif(nif=nif, legal_name=legal_name)
        return Response(ValidateNifResponseSerializer(outcome).data)
