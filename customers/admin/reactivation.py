"""Reactivating the selected customers after a confirmation: how many will be reactivated, how many are
active already (left alone) and which cannot be, and why; computed by the service itself in dry-run."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beel.tenancy import DataScope
from customers import services
from customers.admin.common import confirmation_page, posted_selection, selection_hidden, staff_actor
from customers.admin.report_messages import preview_lists, reactivation_to_messages
from customers.models import Customer


class ReactivationWorkflow:
    """The reactivate action (a customer's own Reactivate button is DeactivationWorkflow's)."""

    @admin.action(description=_("Reactivate selected customers"), permissions=["change"])
    def reactivate_selected(self, request, queryset: QuerySet[Customer]):
        ids = [str(pk) for pk in posted_selection(self, request, queryset).values_list("pk", flat=True)]
        if request.POST.get("post") != "yes":
            return self._reactivation_confirmation(request, ids)
        if not ids:  # "select all" confirmed again, and the list's filters now show none of them
            self.message_user(
                request, gettext("No customer was reactivated: the list shows none of them any more."), messages.INFO
            )
            return None
        report = services.reactivate_customers(scope=DataScope.everything(), ids=ids, actor=staff_actor(request))
        reactivation_to_messages(request, report, self)
        return None

    def _reactivation_confirmation(self, request, ids: list[str]):
        """What will happen, from the service's own dry run: nothing is written here."""
        preview = services.reactivate_customers(
            scope=DataScope.everything(), ids=ids, actor=staff_actor(request), dry_run=True
        )
        return confirmation_page(
            self,
            request,
            "reactivate_confirmation.html",
            gettext("Reactivate customers?"),
            will_reactivate=preview.successful,
            already_active=len(preview.already_active_ids),
            will_fail=preview.failed,
            **preview_lists(preview.reactivated_ids, preview.failures),
            form_action=request.get_full_path(),
            hidden=selection_hidden(request, "reactivate_selected"),
            cancel_url=request.get_full_path(),
        )
