"""Two comparison points for the customers list, served by the same gunicorn as the service.

- `CustomerViewSet`: what people write instead of this service, a plain DRF ModelViewSet with a
  ModelSerializer, django-filter `icontains` filters, `SearchFilter`, `OrderingFilter` and page-number
  pagination (whose `COUNT(*)` counts the rows). It authenticates with the same bearer key as the service.
- `bare_customers`: the least Django can do for the default page, the bench's SQL floor run through
  psycopg (one connection per worker process) and returned as JSON, without authentication.
"""

import django_filters
import psycopg
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, pagination, serializers, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer

from apikeys.authentication import APIKeyAuthentication
from companies.models import primary_company_of
from customers.models import Customer

FIELDS = [
    "id", "legal_name", "nif", "email", "phone", "street", "number", "floor", "door", "postal_code", "city",
    "province", "country", "active", "created_at", "updated_at",
]  # fmt: skip


class BaselineCustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = FIELDS


class CustomerFilter(django_filters.FilterSet):
    legal_name = django_filters.CharFilter(lookup_expr="icontains")
    nif = django_filters.CharFilter(lookup_expr="icontains")
    email = django_filters.CharFilter(lookup_expr="icontains")
    phone = django_filters.CharFilter(lookup_expr="icontains")
    city = django_filters.CharFilter(lookup_expr="icontains")
    province = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Customer
        fields = ["active"]


class CustomerPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CustomerViewSet(viewsets.ModelViewSet):
    serializer_class = BaselineCustomerSerializer
    # Not part of the API: kept out of the OpenAPI schema.
    schema = None
    authentication_classes = [APIKeyAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = []
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    pagination_class = CustomerPagination
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_class = CustomerFilter
    search_fields = ["legal_name", "nif", "email"]
    ordering_fields = ["legal_name", "nif", "email", "city", "province", "created_at", "updated_at"]
    ordering = ["created_at", "id"]

    def get_queryset(self):
        # As the service: the account's (primary) company read once per request, its customers by it.
        return Customer.objects.filter(company=primary_company_of(self.request.user), mode="live")


BARE_SQL = (
    "SELECT (SELECT coalesce(sum(n), 0) FROM customers_customercount WHERE company_id = %s AND mode = 'live'), "
    f"{', '.join(FIELDS)} FROM customers_customer WHERE company_id = %s AND mode = 'live' "
    "ORDER BY created_at, id LIMIT 20"
)
_bare_connection: psycopg.Connection | None = None


def _bare_cursor_connection() -> psycopg.Connection:
    global _bare_connection
    if _bare_connection is None or _bare_connection.closed:
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.update(autocommit=True, prepare_threshold=None)
        _bare_connection = psycopg.connect(**params)
    return _bare_connection


def bare_customers(request):
    company = settings.BENCH_COMPANY_ID
    rows = _bare_cursor_connection().execute(BARE_SQL, [company, company]).fetchall()
    return JsonResponse(
        {
            "total_items": rows[0][0] if rows else 0,
            "customers": [dict(zip(FIELDS, row[1:], strict=True)) for row in rows],
        }
    )
