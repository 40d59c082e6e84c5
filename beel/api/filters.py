import django_filters
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
        errors.update(self.empty_values(request.query_params, filterset))
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

    @staticmethod
    def empty_values(query_params, filterset) -> dict[str, str]:
        """`?active=` or `?issue_date_to=` is not a value of the parameter's type (the schema says so);
        django-filter would ignore it and answer as if it were absent. Free-text filters may be empty."""
        errors = {}
        for name, values in query_params.lists():
            declared = filterset.filters.get(name)
            if declared is None or isinstance(declared, django_filters.CharFilter):
                continue
            if any(not value.strip() for value in values):
                errors[name] = f"{name} must not be empty."
        return errors
