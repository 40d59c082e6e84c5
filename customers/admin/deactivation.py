"""Deactivating customers (the soft delete) after a confirmation, reactivating them, and undoing a
deactivation."""

import uuid

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beel.tenancy import DataScope
from customers import services, spreadsheet
from customers.admin.common import (
    confirmation_page,
    csv_download,
    customer_url,
    selection_hidden,
    shown_time,
    staff_actor,
)
from customers.admin.report_messages import (
    deactivation_to_messages,
    failure_csv_rows,
    preview_lists,
    reactivation_to_messages,
)
from customers.models import AuditEntry, Customer


class DeactivationWorkflow:
    """The deactivate action, the Deactivate / Reactivate buttons on a customer's page and the undo link."""

    @admin.action(description=_("Deactivate selected customers (soft delete)"), permissions=["change"])
    def deactivate_selected(self, request, queryset: QuerySet[Customer]):
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        if request.POST.get("_export_failures"):
            preview = services.deactivate_customers(
                scope=DataScope.everything(), ids=ids, actor=staff_actor(request), dry_run=True
            )
            return csv_download(
                "deactivation-failures",
                spreadsheet.csv_lines(
                    [gettext("Account"), gettext("Legal name"), gettext("NIF"), gettext("Reason")],
                    failure_csv_rows(preview.failures),
                ),
            )
        if request.POST.get("post") == "yes":
            report = services.deactivate_customers(scope=DataScope.everything(), ids=ids, actor=staff_actor(request))
            deactivation_to_messages(request, report, self)
            return None
        return self.deactivation_confirmation(
            request,
            ids=ids,
            form_action=request.get_full_path(),
            hidden=selection_hidden(request, "deactivate_selected"),
            cancel_url=request.get_full_path(),
        )

    def deactivation_confirmation(self, request, *, ids, form_action, hidden, cancel_url, exportable=True):
        """What will happen, computed by the service itself in dry-run: nothing is written here."""
        preview = services.deactivate_customers(
            scope=DataScope.everything(), ids=ids, actor=staff_actor(request), dry_run=True
        )
        already = set(preview.already_inactive_ids)
        to_deactivate = [pk for pk in preview.deactivated_ids if pk not in already]
        return confirmation_page(
            self,
            request,
            "deactivate_confirmation.html",
            gettext("Deactivate customers?"),
            preview=preview,
            will_deactivate=len(to_deactivate),
            already_inactive=len(already),
            **preview_lists(to_deactivate, preview.failures),
            form_action=form_action,
            hidden=hidden,
            cancel_url=cancel_url,
            exportable=exportable and bool(preview.failures),
        )

    def deactivate_view(self, request, object_id):
        customer = get_object_or_404(Customer, pk=object_id)
        if not self.has_change_permission(request, customer):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("post") == "yes":
            report = services.deactivate_customers(
                scope=DataScope.everything(), ids=[str(customer.pk)], actor=staff_actor(request)
            )
            deactivation_to_messages(request, report, self)
            return HttpResponseRedirect(customer_url(customer))
        return self.deactivation_confirmation(
            request,
            ids=[str(customer.pk)],
            form_action=request.path,
            hidden=[],
            cancel_url=customer_url(customer),
            exportable=False,
        )

    # --- reactivation and undo ----------------------------------------------------------------------------

    def reactivate_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        customer = get_object_or_404(Customer, pk=object_id)
        if not self.has_change_permission(request, customer):
            raise PermissionDenied
        report = services.reactivate_customers(
            scope=DataScope.everything(), ids=[str(customer.pk)], actor=staff_actor(request)
        )
        reactivation_to_messages(request, report, self)
        return HttpResponseRedirect(customer_url(customer))

    def undo_deactivation_view(self, request, batch: uuid.UUID):
        """The undo of one deactivation: how many of its customers each account has (and how many are active
        again), the buttons, then the whole list folded away; a batch already undone, or whose customers are
        gone, says so and offers no button. Posting again is harmless: the service reactivates only the
        customers still inactive."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        changelist = reverse("admin:customers_customer_changelist")
        if request.method == "POST":
            report = services.undo_deactivation(scope=DataScope.everything(), batch=batch, actor=staff_actor(request))
            reactivation_to_messages(request, report, self)
            return HttpResponseRedirect(changelist)
        customers = services.customers_deactivated_by(scope=DataScope.everything(), batch=batch)
        by_account = undo_counts_by_account(customers)
        entry = AuditEntry.objects.filter(batch=batch).first()
        return confirmation_page(
            self,
            request,
            "undo_deactivation.html",
            gettext("Undo the deactivation?"),
            customers=customers.select_related("account").order_by("account__username", "legal_name", "pk"),
            by_account=by_account,
            total=sum(row["total"] for row in by_account),
            to_reactivate=sum(row["inactive"] for row in by_account),
            deactivation=entry and {"when": shown_time(entry.at), "who": entry.actor},
            cancel_url=changelist,
        )


def undo_counts_by_account(customers: QuerySet[Customer]) -> list[dict]:
    """Per account (by username): how many customers the deactivation deactivated, and how many of them are
    still inactive (what an undo would reactivate)."""
    return list(
        customers.order_by()
        .values(account_name=F("account__username"))
        .annotate(total=Count("pk", distinct=True), inactive=Count("pk", distinct=True, filter=Q(active=False)))
        .order_by("account_name")
    )
