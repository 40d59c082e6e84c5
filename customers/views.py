import uuid

from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from apikeys.models import Scope
from beel.api.envelope import error_payload
from beel.api.errors import BadRequest, ValidationFailed
from beel.api.exceptions import flatten_validation_errors
from beel.api.idempotency import idempotent
from beel.api.params import parse_flag
from beel.api.views import APIViewSet, actor_of
from customers import schema, services
from customers.filters import TEXT_FILTERS, CustomerFilterSet
from customers.models import Customer, CustomerCount
from customers.serializers import (
    BulkCreateSerializer,
    CustomerDetailSerializer,
    CustomerSerializer,
    CustomerWriteSerializer,
)
from customers.services import MAX_BULK_IDS, CreationReport, DeactivationReport


def parse_bulk_ids(query_params) -> list[str]:
    raw_values = query_params.getlist("ids")
    ids = [item.strip() for raw in raw_values for item in raw.split(",") if item.strip()]
    if not ids:
        raise BadRequest("Query parameter 'ids' is required: a comma-separated list of customer IDs")
    distinct = len({_identity(customer_id) for customer_id in ids})
    if distinct > MAX_BULK_IDS:
        raise BadRequest(f"Too many ids: at most {MAX_BULK_IDS} customer IDs per request, got {distinct}")
    return ids


def _identity(customer_id: str) -> str:
    """The same UUID written in upper and lower case is one id, as the service counts it."""
    try:
        return str(uuid.UUID(customer_id))
    except ValueError:
        return customer_id


def deactivation_report_data(report: DeactivationReport) -> dict:
    return {
        "total": report.total,
        "successful": report.successful,
        "failed": report.failed,
        "deactivated_ids": report.deactivated_ids,
        "errors": [
            {
                "customer_id": failure.customer_id,
                "error": {"code": failure.error.code, "message": failure.error.message},
            }
            for failure in report.failures
        ],
    }


def creation_report_data(report: CreationReport) -> dict:
    return {
        "total": report.total,
        "successful": report.successful,
        "failed": len(report.failures),
        "dry_run": report.dry_run,
        "created_ids": [str(customer.pk) for customer in report.created],
        "errors": [
            {
                "index": failure.index,
                "error": error_payload(failure.error.code, failure.error.message, failure.error.details),
            }
            for failure in report.failures
        ],
    }


def validate_bulk_items(raw_items: list) -> list:
    """Each item validated on its own: its validated data, or the error it gets in the report."""
    items = []
    for raw in raw_items:
        serializer = CustomerWriteSerializer(data=raw)
        if serializer.is_valid():
            items.append(serializer.validated_data)
        else:
            items.append(ValidationFailed(details=flatten_validation_errors(serializer.errors)))
    return items


class CustomerViewSet(APIViewSet):
    """Thin HTTP layer over customers.services; the rules live there."""

    queryset = Customer.objects.none()  # for the schema generator; requests use get_queryset()
    serializer_class = CustomerSerializer
    lookup_url_kwarg = "customer_id"
    results_key = "customers"
    filterset_class = CustomerFilterSet
    required_scopes = {
        "list": Scope.CUSTOMERS_READ,
        "retrieve": Scope.CUSTOMERS_READ,
        "create": Scope.CUSTOMERS_WRITE,
        "partial_update": Scope.CUSTOMERS_WRITE,
        "destroy": Scope.CUSTOMERS_WRITE,
        "bulk_deactivate": Scope.CUSTOMERS_WRITE,
        "bulk_create": Scope.CUSTOMERS_WRITE,
        "reactivate": Scope.CUSTOMERS_WRITE,
    }

    def known_total_items(self) -> int | None:
        """The maintained counters answer `total_items` when nothing but `active` narrows the list (the
        default request); any text filter needs the rows themselves counted."""
        asked = self.filterset.form.cleaned_data
        if any(asked.get(name) for name in TEXT_FILTERS):
            return None
        return CustomerCount.total(**self.data_scope(), active=asked.get("active"))

    def get_queryset(self):
        return Customer.objects.for_account(**self.data_scope())

    @schema.list_customers
    def list(self, request):
        return super().list(request)

    @schema.retrieve_customer
    def retrieve(self, request, customer_id: str):
        customer = services.get_customer(**self.data_scope(), customer_id=customer_id)
        return Response(CustomerDetailSerializer(customer).data)

    @schema.create_customer
    @idempotent
    def create(self, request):
        serializer = CustomerWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.create_customer(
            **self.data_scope(), data=serializer.validated_data, actor=actor_of(request)
        )
        return Response(CustomerDetailSerializer(customer).data, status=status.HTTP_201_CREATED)

    @schema.update_customer
    def partial_update(self, request, customer_id: str):
        customer = services.get_customer(**self.data_scope(), customer_id=customer_id)
        serializer = CustomerWriteSerializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        customer = services.update_customer(
            **self.data_scope(), customer_id=customer_id, data=serializer.validated_data, actor=actor_of(request)
        )
        return Response(CustomerDetailSerializer(customer).data)

    @schema.deactivate_customer
    def destroy(self, request, customer_id: str):
        services.deactivate_customer(**self.data_scope(), customer_id=customer_id, actor=actor_of(request))
        return Response({"message": "Customer deactivated successfully"})

    @schema.bulk_deactivate_customers
    @action(detail=False, methods=["delete"], url_path="bulk")
    def bulk_deactivate(self, request):
        ids = parse_bulk_ids(request.query_params)
        report = services.deactivate_customers(**self.data_scope(), ids=ids, actor=actor_of(request))
        return Response(deactivation_report_data(report))

    @schema.bulk_create_customers
    @bulk_deactivate.mapping.post
    @idempotent
    def bulk_create(self, request):
        body = BulkCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dry_run = parse_flag(request.query_params, "dry_run")
        report = services.create_customers(
            **self.data_scope(),
            items=validate_bulk_items(body.validated_data["customers"]),
            actor=actor_of(request),
            dry_run=dry_run,
        )
        return Response(creation_report_data(report))

    @schema.reactivate_customer
    @action(detail=True, methods=["post"])
    @idempotent
    def reactivate(self, request, customer_id: str):
        customer = services.reactivate_customer(**self.data_scope(), customer_id=customer_id, actor=actor_of(request))
        return Response(CustomerDetailSerializer(customer).data)
