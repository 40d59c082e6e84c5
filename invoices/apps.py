from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invoices"
    verbose_name = _("Invoices")

    def ready(self):
        from customers.receivables import register_receivables
        from customers.services.dependents import register_dependents
        from invoices.balances import InvoiceReceivables
        from invoices.customer_side import InvoicesOfCustomer

        # Merges move drafts and erasures wait for issued invoices: see invoices.customer_side.
        register_dependents("invoices", InvoicesOfCustomer())
        # A customer's stats, the list's outstanding sort, has_overdue and summary: see invoices.balances.
        register_receivables(InvoiceReceivables())
