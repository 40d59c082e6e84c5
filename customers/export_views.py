"""Customer exports as background jobs (issue 26): `POST .../customers/exports` starts one with the direct
export's filters and sort (a JSON body), `GET .../exports/{export_id}` is its status, and
`GET .../exports/{export_id}/download` streams its file once it succeeded. On the flat routes (the
`BeeL-Active-Company` header's company) and the canonical ones (`/companies/{company_id}/customers/exports`);
thin HTTP over customers.services.exports. Another account's, company's or mode's job is a 404."""

import base64
from datetime import UTC, datetime

from django.http import FileResponse
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from apikeys.models import Scope
from beel.api.views import APIViewSet, actor_of
from beel.clock import clock
from customers import schema, spreadsheet
from customers.company_views import CANONICAL_PREFIX
from customers.export_jobs import CustomerExport
from customers.models import Customer
from customers.representations import export_representation
from customers.serializers.exports import export_request
from customers.services import exports
from customers.views import CSV_DOWNLOAD, TOTAL_ROWS_HEADER, CompanyRoutedIdempotency


def _now() -> datetime:
    return datetime.fromtimestamp(clock.now(), UTC)


class CustomerExportOperations(CompanyRoutedIdempotency, APIViewSet):
    queryset = CustomerExport.objects.none()  # for the schema generator
    lookup_url_kwarg = "export_id"
    filter_backends = []
    # The direct export's scope: a job reads what `GET /customers/export` reads.
    required_scopes = {
        "create": Scope.CUSTOMERS_READ,
        "retrieve": Scope.CUSTOMERS_READ,
        "download": Scope.CUSTOMERS_READ,
    }
    declared_query_parameters = {"create": frozenset(), "retrieve": frozenset(), "download": frozenset()}

    def started(self, request) -> Response:
        asked = export_request(request.data, queryset=Customer.objects.none())
        export = exports.start_export(scope=self.data_scope(), asked=asked, actor=actor_of(request))
        return Response(export_representation(export, now=_now()), status=status.HTTP_202_ACCEPTED)

    def finalize_response(self, request, response, *args, **kwargs):
        # Added to the answer, not in `started`: a replay of a start (which holds its data only) names the job too.
        if self.action == "create" and response.status_code == status.HTTP_202_ACCEPTED:
            response["Location"] = response.data["url"]
        return super().finalize_response(request, response, *args, **kwargs)

    def status_of(self, request, export_id: str) -> Response:
        export = exports.get_export(scope=self.data_scope(), export_id=export_id)
        return Response(export_representation(export, now=_now()))

    def file_of(self, request, export_id: str) -> FileResponse:
        export, file = exports.export_file(scope=self.data_scope(), export_id=export_id)
        response = FileResponse(
            file,
            as_attachment=True,
            filename=f"clientes-{export.created_at.astimezone(UTC):%Y%m%d-%H%M%S}.csv",
            content_type=spreadsheet.MEDIA_TYPE,
        )
        response[TOTAL_ROWS_HEADER] = str(export.row_count)
        # RFC 9530: the file's SHA-256, which `sha256` of the status resource also gives.
        response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(export.sha256)).decode()}:"
        return response


class CustomerExportViewSet(CustomerExportOperations):
    """`/customers/exports...`: the company of the `BeeL-Active-Company` header, or the account's only one."""

    @schema.start_customer_export
    def create(self, request):
        return self.started(request)

    @schema.get_customer_export
    def retrieve(self, request, export_id: str):
        return self.status_of(request, export_id)

    @schema.download_customer_export
    @action(detail=True, methods=["get"], **CSV_DOWNLOAD)
    def download(self, request, export_id: str):
        return self.file_of(request, export_id)


class CompanyCustomerExportViewSet(CustomerExportOperations):
    """`/companies/{company_id}/customers/exports...`: the path's company."""

    route_prefix = CANONICAL_PREFIX

    @schema.start_company_customer_export
    def create(self, request, company_id: str):
        return self.started(request)

    @schema.get_company_customer_export
    def retrieve(self, request, company_id: str, export_id: str):
        return self.status_of(request, export_id)

    @schema.download_company_customer_export
    @action(detail=True, methods=["get"], **CSV_DOWNLOAD)
    def download(self, request, company_id: str, export_id: str):
        return self.file_of(request, export_id)
