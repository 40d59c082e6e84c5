"""BeeL 1.9.0's createCompanyCustomerImport and previewCompanyCustomerImport, under
`/v1/companies/{company_id}/customers/imports`: thin HTTP over customers.services.import_customers, acting on the
path's company."""

import functools

from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from apikeys.models import Scope
from beel.api.views import APIViewSet, actor_of
from beel.idempotency.decorators import HEADER
from beel.idempotency.errors import IdempotencyKeyRequired
from customers import services
from customers.models import Customer
from customers.schema.deletion import create_company_customer_import, preview_company_customer_import
from customers.serializers import CustomerValidationUnifiedResultSerializer
from customers.serializers.company_import import CompanyCustomerImportSerializer


def idempotency_key_required(view_method):
    """BeeL's RequiredIdempotencyKeyHeader: without the header, 400 IDEMPOTENCY_KEY_REQUIRED before anything is
    read; with it, the idempotent write every POST is (APIViewSet, beel.idempotency)."""

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        if request.headers.get(HEADER) is None:
            raise IdempotencyKeyRequired()
        return view_method(view, request, *args, **kwargs)

    return wrapper


class CompanyCustomerImportViewSet(APIViewSet):
    queryset = Customer.objects.none()  # for the schema generator
    parser_classes = [MultiPartParser]
    required_scopes = {"create_import": Scope.CUSTOMERS_WRITE, "preview_import": Scope.CUSTOMERS_WRITE}

    @create_company_customer_import
    @idempotency_key_required
    def create_import(self, request, company_id: str):
        return self._import(request, dry_run=False, answer=status.HTTP_201_CREATED)

    @preview_company_customer_import
    def preview_import(self, request, company_id: str):
        return self._import(request, dry_run=True, answer=status.HTTP_200_OK)

    def _import(self, request, *, dry_run: bool, answer: int) -> Response:
        body = CompanyCustomerImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        report = services.import_customers(
            scope=self.data_scope(),
            content=upload.read(),
            actor=actor_of(request),
            dry_run=dry_run,
            filename=upload.name,
        )
        return Response(CustomerValidationUnifiedResultSerializer(report).data, status=answer)
