"""BeeL 1.9.0's canonical customer routes, `/companies/{company_id}/customers...` (CompanyCustomers, §6 of the
customers contract): the company is the path's, the only context (APIViewSet.data_scope; an unknown company, another
account's or one the key is not allowed is 403 ACTIVE_COMPANY_NOT_ACCESSIBLE, a malformed id 400 naming
`company_id`), an undeclared query parameter is a 400 naming it, and neither `Sunset` nor `BeeL-Warning` is sent.

The operations are the flat routes' (customers.views.CustomerOperations) with their canonical answers: the list's
`active` defaults to true and an empty list has one page, a creation names its URL in `Location`, there is no PUT
(405). deleteCompanyCustomer (C5), deleteCompanyCustomersBulk (C7) and the imports (C8, C9) are their own modules'
(customers.company_deletion_views, customers.company_import_views): a `destroy` mixed into this viewset answers
DELETE on a customer and a `bulk_delete` DELETE on `bulk` (see CompanyCustomerViewSet.bulk_create)."""

import dataclasses

from rest_framework.decorators import action

from apikeys.models import Scope
from beel.api.pagination import PagePagination
from beel.api.views import APIViewSet
from customers import schema, selectors, spreadsheet
from customers.filters import CustomerFilterSet
from customers.views import CSV_DOWNLOAD, CustomerOperations, csv_download

CANONICAL_PREFIX = "/companies/{company_id}"


class CompanyPagePagination(PagePagination):
    """BeeL's canonical lists answer `total_pages` 1 for an empty collection, where its flat aliases keep 0."""

    def pagination_figures(self) -> dict:
        figures = super().pagination_figures()
        if figures.get("total_pages") == 0:
            figures["total_pages"] = 1
        return figures


class CompanyCustomerViewSet(CustomerOperations):
    """The customers of the path's company. Every handler takes the route's `company_id` (read once, when the
    request's scope is resolved) and answers as its flat alias would, within that company."""

    pagination_class = CompanyPagePagination
    route_prefix = CANONICAL_PREFIX
    required_scopes = {**CustomerOperations.required_scopes, "bulk_delete": Scope.CUSTOMERS_WRITE}
    declared_query_parameters = {"bulk_delete": frozenset({"ids"}), "bulk_create": frozenset({"dry_run"})}

    @schema.list_company_customers
    def list(self, request, company_id: str):
        return super().list(request)

    def asked_of(self, filterset: CustomerFilterSet) -> selectors.CustomerFilters:
        asked = filterset.asked()
        if "active" not in filterset.data:  # BeeL: `active` defaults to true on the canonical list
            asked = dataclasses.replace(asked, active=True)
        return asked

    @schema.create_company_customer
    def create(self, request, company_id: str):
        return super().create(request)

    def finalize_response(self, request, response, *args, **kwargs):
        # Added to the answer, not in `create`: a replay of a creation (which holds its data only) names the
        # customer too.
        if self.action == "create" and response.status_code == 201:
            response["Location"] = self.customer_path(request, response.data["id"])
        return super().finalize_response(request, response, *args, **kwargs)

    def customer_path(self, request, customer_id: str) -> str:
        """The canonical URL of a customer of this company, as the request reached this route."""
        return f"{request.path.rstrip('/')}/{customer_id}"

    @schema.get_company_customer
    def retrieve(self, request, company_id: str, customer_id: str):
        return super().retrieve(request, customer_id)

    @schema.patch_company_customer
    def partial_update(self, request, company_id: str, customer_id: str):
        return super().partial_update(request, customer_id)

    @schema.create_company_customers_bulk
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk_create(self, request, company_id: str):
        return self.create_in_bulk(request)

    # deleteCompanyCustomersBulk (C7) shares the path: the `bulk_delete` of the deletion module, mixed into this
    # viewset, answers its DELETE. Until it is there the router leaves DELETE out (405 with `Allow: POST`).
    bulk_create.mapping["delete"] = "bulk_delete"

    @schema.reactivate_company_customer
    @action(detail=True, methods=["post"])
    def reactivate(self, request, company_id: str, customer_id: str):
        return super().reactivate(request, customer_id)

    @schema.anonymize_company_customer
    @action(detail=True, methods=["post"])
    def anonymize(self, request, company_id: str, customer_id: str):
        return super().anonymize(request, customer_id)

    @schema.merge_company_customer
    @action(detail=True, methods=["post"])
    def merge(self, request, company_id: str, customer_id: str):
        return super().merge(request, customer_id)

    @schema.export_company_customers
    @action(detail=False, methods=["get"], **CSV_DOWNLOAD)
    def export(self, request, company_id: str):
        return super().export(request)


class CustomerImportTemplateViewSet(APIViewSet):
    """GET /templates/customer-import (downloadCustomerImportTemplate): the file of the flat
    `POST /customers/templates/csv`, the same for every credential and company, so clients may keep it an
    hour. Routed by customers.urls as its one operation (`download`)."""

    acts_on_company = False  # it reads no company's data: a multi-company account needs no header here
    renderer_classes = CSV_DOWNLOAD["renderer_classes"]
    content_negotiation_class = CSV_DOWNLOAD["content_negotiation_class"]
    required_scopes = {"download": Scope.CUSTOMERS_READ}
    CACHE_CONTROL = "private, max-age=3600"

    @schema.download_customer_import_template
    def download(self, request):
        response = csv_download(spreadsheet.TEMPLATE_FILENAME, spreadsheet.template_lines())
        response["Cache-Control"] = self.CACHE_CONTROL
        return response
