from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from apikeys.models import Scope
from beel.api.params import parse_flag
from beel.api.views import APIViewSet, actor_of
from beel.lists import Listing
from invoices import payments, schema, selectors, services
from invoices.filters import InvoiceFilterSet
from invoices.models import Invoice
from invoices.serializers import (
    InvoiceCreateSerializer,
    InvoiceSerializer,
    IssueInvoiceSerializer,
    MarkPaidSerializer,
)

PAYMENT_PATH = r"payments/(?P<payment_id>[^/]+)"


class InvoiceViewSet(APIViewSet):
    queryset = Invoice.objects.none()  # for the schema generator; requests use get_queryset()
    serializer_class = InvoiceSerializer
    lookup_url_kwarg = "invoice_id"
    results_key = "invoices"
    filterset_class = InvoiceFilterSet
    required_scopes = {
        "list": Scope.INVOICES_READ,
        "retrieve": Scope.INVOICES_READ,
        "create": Scope.INVOICES_WRITE,
        "issue": Scope.INVOICES_WRITE,
        "cancel": Scope.INVOICES_WRITE,
        "mark_paid": Scope.INVOICES_WRITE,
        "undo_payment": Scope.INVOICES_WRITE,
    }
    declared_query_parameters = {"issue": frozenset({"wait_for_pdf"})}

    def get_queryset(self):
        # The customer: a draft shows its customer's current details as its recipient.
        return Invoice.objects.within(self.data_scope()).select_related("customer", "company")

    @schema.list_invoices
    def list(self, request):
        return super().list(request)

    def read_list(self, filterset: InvoiceFilterSet) -> Listing:
        return selectors.list_invoices(self.data_scope(), filterset.asked())

    @schema.retrieve_invoice
    def retrieve(self, request, invoice_id: str):
        invoice = services.get_invoice(scope=self.data_scope(), invoice_id=invoice_id)
        return Response(InvoiceSerializer(invoice).data)

    @schema.create_invoice
    def create(self, request):
        serializer = InvoiceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer_id = data.pop("customer_id")
        invoice = services.create_invoice(
            scope=self.data_scope(), customer_id=customer_id, data=data, actor=actor_of(request)
        )
        return Response(InvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)

    @schema.issue_invoice
    @action(detail=True, methods=["post"])
    def issue(self, request, invoice_id: str):
        parse_flag(request.query_params, "wait_for_pdf")  # read for its validity only: beel renders no PDF
        body = IssueInvoiceSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        invoice = services.issue_invoice(
            scope=self.data_scope(),
            invoice_id=invoice_id,
            actor=actor_of(request),
            due_date=body.validated_data.get("due_date"),
        )
        return Response(InvoiceSerializer(invoice).data)

    @schema.mark_invoice_paid
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, invoice_id: str):
        body = MarkPaidSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        method = (body.validated_data.get("payment_method") or {}).get("method") or ""
        invoice = payments.record_payment(
            scope=self.data_scope(),
            invoice_id=invoice_id,
            actor=actor_of(request),
            payment_date=body.validated_data.get("payment_date"),
            amount=body.validated_data.get("amount"),
            method=method,
        )
        return Response(InvoiceSerializer(invoice).data)

    @schema.undo_invoice_payment
    @action(detail=True, methods=["delete"], url_path=PAYMENT_PATH)
    def undo_payment(self, request, invoice_id: str, payment_id: str):
        invoice = payments.undo_payment(
            scope=self.data_scope(), invoice_id=invoice_id, payment_id=payment_id, actor=actor_of(request)
        )
        return Response(InvoiceSerializer(invoice).data)

    @schema.cancel_invoice
    @action(detail=True, methods=["post"])
    def cancel(self, request, invoice_id: str):
        invoice = services.cancel_invoice(scope=self.data_scope(), invoice_id=invoice_id, actor=actor_of(request))
        return Response(InvoiceSerializer(invoice).data)


class CompanyInvoiceViewSet(InvoiceViewSet):
    """The same operations on BeeL 1.9.0's canonical routes, `/v1/companies/{company_id}/invoices...`: the
    path's company is the request's (resolved before the view runs: see APIViewSet.data_scope), the
    `BeeL-Active-Company` header is not read."""

    @schema.list_company_invoices
    def list(self, request, company_id: str):
        return super().list(request)

    @schema.retrieve_company_invoice
    def retrieve(self, request, company_id: str, invoice_id: str):
        return super().retrieve(request, invoice_id)

    @schema.create_company_invoice
    def create(self, request, company_id: str):
        return super().create(request)

    @schema.issue_company_invoice
    @action(detail=True, methods=["post"])
    def issue(self, request, company_id: str, invoice_id: str):
        return super().issue(request, invoice_id)

    @schema.cancel_company_invoice
    @action(detail=True, methods=["post"])
    def cancel(self, request, company_id: str, invoice_id: str):
        return super().cancel(request, invoice_id)

    @schema.mark_company_invoice_paid
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, company_id: str, invoice_id: str):
        return super().mark_paid(request, invoice_id)

    @schema.undo_company_invoice_payment
    @action(detail=True, methods=["delete"], url_path=PAYMENT_PATH)
    def undo_payment(self, request, company_id: str, invoice_id: str, payment_id: str):
        return super().undo_payment(request, invoice_id, payment_id)
