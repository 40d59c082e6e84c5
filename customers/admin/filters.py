"""The changelist's filters."""

import uuid

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from customers.models import Customer
from customers.validators import fold


class AccountFilter(admin.SimpleListFilter):
    """By account username: a search box, since there can be thousands of accounts, and the accounts
    themselves as links while they are few."""

    title = _("account")
    parameter_name = "account"
    template = "admin/customers/account_filter.html"
    LINKED_ACCOUNTS_AT_MOST = 20

    def __init__(self, request, params, model, model_admin):
        # What the search box must carry over: every other filter, the search and the ordering.
        self.preserved_params = [
            (name, value)
            for name, values in request.GET.lists()
            if name not in (self.parameter_name, "p", "e")
            for value in values
        ]
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        accounts = (
            Customer.objects.order_by()
            .values_list("account__username", flat=True)
            .distinct()[: self.LINKED_ACCOUNTS_AT_MOST + 1]
        )
        accounts = sorted(accounts, key=fold)
        if len(accounts) > self.LINKED_ACCOUNTS_AT_MOST:
            return []
        return [(username, username) for username in accounts]

    def has_output(self) -> bool:
        return True  # the search box is useful whatever the number of accounts

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(account__username=self.value().strip())
        return queryset


class CompanyFilter(admin.SimpleListFilter):
    """By company (of the customers' or invoices' account): the companies as links, those of the account the
    list is filtered by, or all of them while they are few; any company by its id in the URL (`?company=`),
    as the company's page links to its customers and invoices."""

    title = _("company")
    parameter_name = "company"
    LINKED_COMPANIES_AT_MOST = 20

    def lookups(self, request, model_admin):
        companies = Company.objects.select_related("account").order_by("account__username", "-is_primary", "legal_name")
        username = (request.GET.get("account") or "").strip()
        if username:
            companies = companies.filter(account__username=username)
        shown = list(companies[: self.LINKED_COMPANIES_AT_MOST + 1])
        if len(shown) > self.LINKED_COMPANIES_AT_MOST:
            selected = self.company_id()
            shown = list(Company.objects.select_related("account").filter(pk=selected)) if selected else []
        return [(str(company.pk), f"{company} · {company.account.username}") for company in shown]

    def company_id(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(self.value())) if self.value() else None
        except ValueError:
            return None

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        company_id = self.company_id()
        return queryset.filter(company_id=company_id) if company_id else queryset.none()


class HasInvoicesFilter(admin.SimpleListFilter):
    title = _("invoices")
    parameter_name = "has_invoices"

    def lookups(self, request, model_admin):
        return [("yes", _("Has invoices")), ("no", _("Has no invoices"))]

    def queryset(self, request, queryset):
        # A subquery rather than a join, so the invoice count annotated on the list stays right.
        invoiced = Q(pk__in=Customer.objects.filter(invoices__isnull=False).values("pk"))
        if self.value() == "yes":
            return queryset.filter(invoiced)
        if self.value() == "no":
            return queryset.exclude(invoiced)
        return queryset


class SpanishOrderFieldListFilter(admin.AllValuesFieldListFilter):
    """Values in Spanish alphabetical order: accents and case do not count (Ávila, Cáceres, Castellón)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = sorted(self.lookup_choices, key=lambda value: (fold(value), value))
