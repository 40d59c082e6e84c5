"""BeeL 1.9.0's deleteCompanyCustomer and deleteCompanyCustomersBulk, under
`/v1/companies/{company_id}/customers`: thin HTTP over customers.services.delete_customer(s). The company is
the path's (APIViewSet resolves it before the view runs: 403 for one the key cannot reach)."""

from django.http import HttpResponse
from rest_framework import status
from rest_framework.response import Response

from apikeys.models import Scope
from beel.api.views import APIViewSet, actor_of
from customers import services
from customers.models import Customer
from customers.schema.deletion import delete_company_customer, delete_company_customers_bulk
from customers.serializers.deletion import CustomerBulkDeleteResultSerializer, parse_ids_to_delete


class CompanyCustomerDeletionViewSet(APIViewSet):
    queryset = Customer.objects.none()  # for the schema generator; the services read within the scope
    lookup_url_kwarg = "customer_id"
    # Canonical routes: a query parameter the operation does not declare is a 400 naming it.
    declared_query_parameters = {"bulk_delete": frozenset({"ids"})}
    required_scopes = {"destroy": Scope.CUSTOMERS_WRITE, "bulk_delete": Scope.CUSTOMERS_WRITE}

    @delete_company_customer
    def destroy(self, request, company_id: str, customer_id: str):
        services.delete_customer(scope=self.data_scope(), customer_id=customer_id, actor=actor_of(request))
        response = HttpResponse(status=status.HTTP_204_NO_CONTENT)
        del response["Content-Type"]  # no body, so nothing to describe
        return response

    @delete_company_customers_bulk
    def bulk_delete(self, request, company_id: str):
        ids = parse_ids_to_delete(request.query_params)
        report = services.delete_customers(scope=self.data_scope(), ids=ids, actor=actor_of(request))
        return Response(CustomerBulkDeleteResultSerializer(report).data)
