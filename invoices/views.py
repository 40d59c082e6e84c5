from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from apikeys.models import Scope
from beel.api.params import parse_flag
from beel.api.views import APIViewSet, actor_of
from beel.lists import Listing
from invoices import schema, selectors, services
from invoices.filters import InvoiceFilterSet
from invoices.models import Invoice
from invoices.serializers import InvoiceCreateSerializer, InvoiceSerializer


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
        invoice = services.issue_invoice(scope=self.data_scope(), invoice_id=invoice_id, actor=actor_of(request))
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
