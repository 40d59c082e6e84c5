"""The tax id's verification in the admin: shown on the customer's page, and asked again by an action that
calls the same service as the background re-check (customers.services.tax_id.recheck_tax_id)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from customers.services import tax_id

TAX_ID_SHOWN = [
    "tax_id_status",
    "tax_id_checked_at",
    "tax_id_registry",
    "tax_id_registry_name",
    "tax_id_consultation",
    "tax_id_result_code",
]
# A staff action waits for the registries: at most this many customers at once.
RECHECK_AT_MOST = 50


class TaxIdWorkflow:
    @admin.action(description=_("Check the NIF against the census again"), permissions=["change"])
    def recheck_tax_ids(self, request, queryset: QuerySet[Customer]):
        ids = [str(pk) for pk in queryset.order_by("pk").values_list("pk", flat=True)[: RECHECK_AT_MOST + 1]]
        if len(ids) > RECHECK_AT_MOST:
            message = gettext("Select at most %(n)d customers to check at once.") % {"n": RECHECK_AT_MOST}
            self.message_user(request, message, messages.ERROR)
            return
        outcomes = [tax_id.recheck_tax_id(customer_id=customer_id, retries=0, fresh=True) for customer_id in ids]
        not_checked = gettext("not checked")
        shown = [
            f"{customer.legal_name}: {customer.get_tax_id_status_display() or not_checked}"
            for customer in outcomes
            if customer is not None
        ]
        heading = ngettext("Checked %(n)d customer:", "Checked %(n)d customers:", len(shown)) % {"n": len(shown)}
        self.message_user(request, f"{heading} {'; '.join(shown)}", messages.INFO)
