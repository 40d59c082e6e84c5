from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers.admin.filters import CompanyFilter
from customers.validators import fold, normalize_nif
from invoices.admin_aging import InvoiceAgingAdmin
from invoices.admin_payments import InvoicePaymentsAdmin
from invoices.admin_statement import CustomerStatementAdmin
from invoices.admin_transitions import InvoiceTransitionWorkflow
from invoices.models import DRAFT_FIELDS, Invoice, InvoiceStatus
from invoices.representations import recipient_of

# The recipient's parts as the admin labels them, in the order an address is written.
RECIPIENT_LABELS = {
    "legal_name": _("Legal name"),
    "nif": _("NIF"),
    "alternative_id": _("Alternative id"),
    "street": _("Street"),
    "number": _("Number"),
    "floor": _("Floor"),
    "door": _("Door"),
    "postal_code": _("Postal code"),
    "city": _("City"),
    "province": _("Province"),
    "country": _("Country"),
}


def _identity_table(parts: dict, note: str, css_class: str) -> str:
    rows = format_html_join(
        "",
        "<tr><th>{}</th><td>{}</td></tr>",
        ((label, parts[name]) for name, label in RECIPIENT_LABELS.items() if parts.get(name)),
    )
    return format_html('<table class="{}">{}</table><p class="help">{}</p>', css_class, rows, note)


def _alternative_id_text(alternative_id: dict | None) -> str:
    if not alternative_id:
        return ""
    return f"{alternative_id['type']} {alternative_id['country_code']} {alternative_id['number']}"


class InvoiceAdminForm(forms.ModelForm):
    """A draft's form: its amounts, checked by Invoice.clean (invoices.models.check_draft_amounts, the same
    check as the API's). Its status changes only through the page's buttons (invoices.admin_transitions)."""

    # Staff only (never the API): issue ("Save and issue") to a customer whose tax id its registry does not
    # hold, with the reason, which the invoice records (invoices.services.issue_invoice).
    issue_despite_tax_id = forms.CharField(
        label=_("Issue even though the NIF is not in the census"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to issue to a customer whose tax id is not in its registry: why it is issued anyway."),
    )

    class Meta:
        model = Invoice
        fields = [name for name in DRAFT_FIELDS if name != "status"]


@admin.register(Invoice)
class InvoiceAdmin(
    CustomerStatementAdmin, InvoiceAgingAdmin, InvoicePaymentsAdmin, InvoiceTransitionWorkflow, admin.ModelAdmin
):
    form = InvoiceAdminForm
    list_display = ["full_number", "customer_link", "company_link", "status", "issue_date", "total", "currency"]
    list_filter = ["status", CompanyFilter, ("issue_date", admin.DateFieldListFilter)]
    search_fields = ["series", "number", "customer__legal_name", "customer__nif"]
    search_help_text = _("Invoice number, or the customer's legal name or NIF; accents and case are ignored.")
    list_select_related = ["customer", "company"]
    readonly_fields = [
        "id",
        "account",
        "company_link",
        "issuer_shown",
        "customer_link",
        "recipient_shown",
        "full_number",
        "status",
        "issued_at",
        "created_at",
        "updated_at",
        "tax_id_override_reason",
        "tax_id_override_by",
    ]
    fields = [
        "id",
        "account",
        "company_link",
        "issuer_shown",
        "customer_link",
        "recipient_shown",
        "full_number",
        *DRAFT_FIELDS,
        "tax_id_override_reason",
        "tax_id_override_by",
        "issued_at",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "issue_date"
    actions = ["issue_selected", "cancel_selected"]

    class Media:
        js = ["customers/staff_timezone.js"]  # times in the staff user's zone, as on the customer pages

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.is_editable:  # a form-only field, for a draft's form only
            return [
                *fields[: fields.index("tax_id_override_reason")],
                "issue_despite_tax_id",
                *fields[fields.index("tax_id_override_reason") :],
            ]
        return fields

    def has_add_permission(self, request):
        return False  # the customer lock lives in invoices.services.create_invoice (the API)

    def has_delete_permission(self, request, obj=None):
        return False  # invoices are legal records: cancel them, never delete them

    def has_change_permission(self, request, obj=None):
        # Issued, paid and cancelled invoices are legal documents: staff may look, never edit.
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        # "A-12", "A-000012" or "12" find invoice number 12 (of series A).
        series, _dash, number = term.rpartition("-")
        if number.isdigit():
            matches = queryset.filter(number=int(number))
            if series:
                matches = matches.filter(series__iexact=series)
            if matches.exists():
                return matches, False
        # The customer's name as the customer search reads it: accents and case ignored.
        condition = Q(customer__legal_name_folded__contains=fold(term))
        nif_fragment = normalize_nif(term)
        if nif_fragment:
            condition |= Q(customer__nif__contains=nif_fragment)
        return queryset.filter(condition), False

    @admin.display(description=_("Number"), ordering="number")
    def full_number(self, invoice: Invoice) -> str:
        if invoice.full_number:
            return invoice.full_number
        if invoice.status == InvoiceStatus.CANCELLED:
            return gettext("(none: cancelled without being issued)")
        return gettext("(none until issued)")

    @admin.display(description=_("Recipient"))
    def recipient_shown(self, invoice: Invoice) -> str:
        """The copy kept when the invoice was issued; a draft's customer as it is now, and said so."""
        recipient = recipient_of(invoice)
        parts = {
            "legal_name": recipient.get("legal_name"),
            "nif": recipient.get("nif"),
            "alternative_id": _alternative_id_text(recipient.get("alternative_id")),
            **recipient.get("address", {}),
        }
        note = (
            gettext("As it was when the invoice was issued; later changes to the customer do not change it.")
            if invoice.recipient is not None
            else gettext("The customer's current details; they are copied into the invoice when it is issued.")
        )
        return _identity_table(parts, note, "invoice-recipient")

    @admin.display(description=_("Issuer"))
    def issuer_shown(self, invoice: Invoice) -> str:
        """The company's fiscal identity as the invoice was issued with it; a draft's company as it is now."""
        issuer = invoice.issuer if invoice.issuer is not None else invoice.company.fiscal_identity()
        address = issuer.get("address") or {}
        parts = {**issuer, **address, "country": address.get("country_code")}
        note = (
            gettext("As it was when the invoice was issued; later changes to the company do not change it.")
            if invoice.issuer is not None
            else gettext("The company's current details; they are copied into the invoice when it is issued.")
        )
        return _identity_table(parts, note, "invoice-issuer")

    @admin.display(description=_("Customer"), ordering="customer__legal_name")
    def customer_link(self, invoice: Invoice) -> str:
        url = reverse("admin:customers_customer_change", args=[invoice.customer_id])
        name = invoice.customer.legal_name
        return format_html('<a href="{}" title="{}">{}</a>', url, name, name)

    @admin.display(description=_("Company"), ordering="company__legal_name")
    def company_link(self, invoice: Invoice) -> str:
        url = reverse("admin:companies_company_change", args=[invoice.company_id])
        return format_html('<a href="{}" title="{}">{}</a>', url, invoice.company, invoice.company)
