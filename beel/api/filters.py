from django_filters.rest_framework import DjangoFilterBackend

from beel.api.pagination import parse_page_params
from beel.errors import ValidationFailed


class QueryParamsFilterBackend(DjangoFilterBackend):
    """django-filter, with every bad query parameter (filters, sorting and paging alike) reported in one
    400 VALIDATION_ERROR whose details name each parameter."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors: dict[str, str] = {}
        if not filterset.is_valid():
            errors.update({name: field_errors[0] for name, field_errors in filterset.errors.items()})
        try:
            parse_page_params(request.query_params)
        except ValidationFailed as error:
            errors.update(error.details or {})
        if errors:
            raise ValidationFailed(details=errors)
        view.filterset = filterset  # what was asked for, for views that can answer the count another way
        return filterset.qs
