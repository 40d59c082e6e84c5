"""The companies of the accounts (companies.Company): their fiscal identity, edited with the API's checks of a
NIF and an address, and whether each may issue invoices yet.

It lives with the customer admin, not in the companies app, because its checks are the customers' own
(customers.validators): the companies app comes before the customers app and must not import it."""

import re

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apikeys.models import APIKey
from companies.models import SPAIN, Company
from customers.validators import normalize_country_code, validate_legal_name, validate_nif

# customers.validators' codes, in the admin's words (its messages are the API's, in English).
NIF_MESSAGES = {
    "NIF_INVALID_FORMAT": _("Not shaped as a Spanish NIF, NIE or CIF (9 characters)."),
    "NIF_INVALID_CONTROL_DIGIT": _("Not a valid Spanish NIF, NIE or CIF (check the control character)."),
}
# A Spanish postal code: five digits, the first two a province (01 Álava ... 52 Melilla).
SPANISH_POSTAL_CODE = re.compile(r"^(0[1-9]|[1-4]\d|5[0-2])\d{3}$")
FISCAL_FIELDS = [
    "legal_name",
    "trade_name",
    "nif",
    "entity_type",
    "street",
    "number",
    "postal_code",
    "city",
    "province",
    "country_code",
]


def _keys_restricted_to(company: Company) -> bool:
    # company_ids is a JSON list, which SQLite cannot search; an account holds a handful of keys.
    ids = APIKey.objects.filter(account_id=company.account_id).values_list("company_ids", flat=True)
    return any(str(company.pk) in restricted for restricted in ids)


class CompanyAdminForm(forms.ModelForm):
    """A company's fiscal identity may stay incomplete (it then cannot issue), but what it holds is valid.
    Deleting one is refused while customers, invoices or API keys hold it (CompanyAdmin.has_delete_permission)."""

    # Longer than the stored nine characters: "B-1234567-4" is normalised (validate_nif), then stored.
    nif = forms.CharField(label=_("NIF"), max_length=20, required=False)

    class Meta:
        model = Company
        fields = ["account", *FISCAL_FIELDS]
        labels = {
            "legal_name": _("Legal name"),
            "trade_name": _("Trade name"),
            "nif": _("NIF"),
            "entity_type": _("Entity type"),
            "street": _("Street"),
            "number": _("Number"),
            "postal_code": _("Postal code"),
            "city": _("City"),
            "province": _("Province"),
            "country_code": _("Country code"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "account" in self.fields:  # a company belongs to a customer account, never to a staff user
            self.fields["account"].queryset = get_user_model().objects.filter(is_staff=False, is_active=True)

    def clean_legal_name(self) -> str:
        name = self.cleaned_data["legal_name"]
        return validate_legal_name(name) if name else ""

    def clean_country_code(self) -> str:
        try:
            return normalize_country_code(self.cleaned_data["country_code"])
        except ValidationError:
            raise ValidationError(_("Not an ISO 3166-1 alpha-2 country code (e.g. ES, PT, DE).")) from None

    def clean(self):
        cleaned = super().clean()
        spanish = cleaned.get("country_code", SPAIN) == SPAIN
        if cleaned.get("nif"):
            try:
                cleaned["nif"] = validate_nif(cleaned["nif"], country_code=SPAIN if spanish else "")
            except ValidationError as error:
                self.add_error("nif", NIF_MESSAGES.get(error.code, _("The NIF may hold only letters and digits.")))
        postal_code = (cleaned.get("postal_code") or "").strip()
        if spanish and postal_code and not SPANISH_POSTAL_CODE.match(postal_code):
            self.add_error("postal_code", _("A Spanish postal code has five digits, from 01000 to 52999."))
        return cleaned


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    form = CompanyAdminForm
    list_display = ["name", "nif", "account", "is_primary", "readiness", "created_at"]
    list_filter = ["is_primary", "entity_type"]
    search_fields = ["legal_name", "trade_name", "nif", "account__username"]
    search_help_text = _("Legal or trade name, NIF or the account's username.")
    list_select_related = ["account"]
    readonly_fields = ["id", "is_primary", "readiness", "records", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["id", "account", "is_primary", "readiness", "records"]}),
        (_("Fiscal identity"), {"fields": FISCAL_FIELDS}),
        (_("Dates"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # A company never changes account: its customers and invoices are that account's.
        return [*self.readonly_fields, "account"] if obj else self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return self.fieldsets
        return [(None, {"fields": ["account"]}), *self.fieldsets[1:2]]

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)  # one at a time, from its page, where the rules below apply
        return actions

    def has_delete_permission(self, request, obj=None):
        # The primary company is the account's from its first day (the flat API routes rely on it); a company
        # with customers or invoices (deleted customers included: tax records) is theirs for good.
        if obj is not None and (obj.is_primary or obj.customers.exists() or obj.invoices.exists()):
            return False
        if obj is not None and _keys_restricted_to(obj):
            return False  # the key would lose its company; narrow or revoke it first
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("Name"), ordering="legal_name")
    def name(self, company: Company) -> str:
        return company.trade_name or company.legal_name or gettext("(no fiscal name yet)")

    @admin.display(description=_("Ready to issue"))
    def readiness(self, company: Company) -> str:
        missing = company.missing_fiscal_fields()
        if not missing:
            return gettext("Yes")
        labels = [str(CompanyAdminForm.Meta.labels[name]) for name in missing]
        return gettext("No: missing %(fields)s") % {"fields": ", ".join(labels)}

    @admin.display(description=_("Customers and invoices"))
    def records(self, company: Company) -> str:
        # By name: the invoices app comes after this one.
        query = f"?company={company.pk}"
        return format_html(
            '<a href="{}{}" class="company-customers">{}</a> · <a href="{}{}" class="company-invoices">{}</a>',
            reverse("admin:customers_customer_changelist"),
            query,
            gettext("Its customers"),
            reverse("admin:invoices_invoice_changelist"),
            query,
            gettext("Its invoices"),
        )
