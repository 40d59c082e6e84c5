from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from customers.validators import fold, normalize_nif
from invoices.models import ALLOWED_TRANSITIONS, DRAFT_FIELDS, Invoice, InvoiceStatus


class InvoiceAdminForm(forms.ModelForm):
    """A draft's form: the status offers only where a draft may go; the amounts are checked by
    Invoice.clean (invoices.models.check_draft_amounts, the same check as the API's)."""

    class Meta:
        model = Invoice
        fields = DRAFT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            allowed = ALLOWED_TRANSITIONS[self.instance.status]
            self.fields["status"].choices = [(v, label) for v, label in InvoiceStatus.choices if v in allowed]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    form = InvoiceAdminForm
    list_display = ["full_number", "customer_link", "status", "issue_date", "total", "currency"]
    list_filter = ["status", ("issue_date", admin.DateFieldListFilter)]
    search_fields = ["series", "number", "customer__legal_name", "customer__nif"]
    search_help_text = _("Invoice number, or the customer's legal name or NIF; accents and case are ignored.")
    list_select_related = ["customer"]
    readonly_fields = ["id", "account", "customer_link", "full_number", "created_at", "updated_at"]
    fields = [
        "id",
        "account",
        "customer_link",
        "full_number",
        *DRAFT_FIELDS,
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "issue_date"

    class Media:
        js = ["customers/staff_timezone.js"]  # times in the staff user's zone, as on the customer pages

    def has_add_permission(self, request):
        return False  # numbering and the customer lock live in invoices.services.create_invoice (the API)

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
        return invoice.full_number

    @admin.display(description=_("Customer"), ordering="customer__legal_name")
    def customer_link(self, invoice: Invoice) -> str:
        url = reverse("admin:customers_customer_change", args=[invoice.customer_id])
        return format_html('<a href="{}">{}</a>', url, invoice.customer.legal_name)
