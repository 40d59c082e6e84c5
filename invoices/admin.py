from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from invoices.models import Invoice


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["full_number", "customer_link", "status", "issue_date", "total", "currency"]
    list_filter = ["status", ("issue_date", admin.DateFieldListFilter)]
    search_fields = ["series", "number", "customer__legal_name", "customer__nif"]
    search_help_text = "Invoice number, or the customer's legal name or NIF."
    list_select_related = ["customer"]
    readonly_fields = ["id", "account", "customer_link", "series", "number", "created_at", "updated_at"]
    fields = [
        "id",
        "account",
        "customer_link",
        "series",
        "number",
        "status",
        "issue_date",
        "currency",
        "subtotal",
        "tax_total",
        "total",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "issue_date"

    def has_add_permission(self, request):
        return False  # numbering and the customer lock live in invoices.services.create_invoice (the API)

    def has_delete_permission(self, request, obj=None):
        return False  # invoices are legal records: cancel them, never delete them

    def get_search_results(self, request, queryset, search_term):
        # "A-12" or "12" should find invoice number 12 of series A.
        series, _, number = search_term.strip().rpartition("-")
        if number.isdigit():
            matches = queryset.filter(number=int(number))
            if series:
                matches = matches.filter(series__iexact=series)
            if matches.exists():
                return matches, False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="Number", ordering="number")
    def full_number(self, invoice: Invoice) -> str:
        return invoice.full_number

    @admin.display(description="Customer", ordering="customer__legal_name")
    def customer_link(self, invoice: Invoice) -> str:
        url = reverse("admin:customers_customer_change", args=[invoice.customer_id])
        return format_html('<a href="{}">{}</a>', url, invoice.customer.legal_name)
