"""Query parameters of GET /accounts/{account_id}/companies (BeeL 1.9.0, ListCompanies): `search` and
`include`, besides the page. Like every canonical route, an undeclared parameter is a 400 naming it
(beel.api.filters.validate_list_parameters). What they select is companies.models.CompanyQuerySet."""

import django_filters

from beel.api.filters import MemoisedFilterSet
from companies.models import Company

MAX_SEARCH_LENGTH = 200
# `include=readiness` adds each company's issuing readiness (CompanyDataReadiness).
READINESS = "readiness"


class CompanyFilterSet(MemoisedFilterSet):
    search = django_filters.CharFilter(
        method="selected",
        max_length=MAX_SEARCH_LENGTH,
        help_text="Case-insensitive filter on NIF, legal name or trade name. Blank/omitted returns all.",
        error_messages={"max_length": f"At most {MAX_SEARCH_LENGTH} characters."},
    )
    include = django_filters.ChoiceFilter(
        choices=[(READINESS, READINESS)],
        method="selected",
        help_text="Include derived data. `readiness` adds each company's issuing-readiness status.",
        error_messages={"invalid_choice": f"include must be {READINESS}."},
    )

    class Meta:
        model = Company
        fields = ["search", "include"]

    def search_text(self) -> str:
        return self.form.cleaned_data.get("search") or ""

    def includes_readiness(self) -> bool:
        return self.form.cleaned_data.get("include") == READINESS

    def selected(self, queryset, name, value):
        return queryset  # not called: the view reads the cleaned values (search_text, includes_readiness)
