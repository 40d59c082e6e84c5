from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invoices"
    verbose_name = _("Invoices")

    def ready(self):
        from customers.services.dependents import register_dependents
        from invoices.customer_side import InvoicesOfCustomer

        # Merges move drafts and erasures wait for issued invoices: see invoices.customer_side.
        register_dependents("invoices", InvoicesOfCustomer())
