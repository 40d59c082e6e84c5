"""Deactivating customers (the soft delete) after a confirmation, reactivating them, and undoing a
deactivation."""

import uuid

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
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
        if not self.has_change_permission(request):
            raise PermissionDenied
        changelist = reverse("admin:customers_customer_changelist")
        if request.method == "POST":
            report = services.undo_deactivation(scope=DataScope.everything(), batch=batch, actor=staff_actor(request))
            reactivation_to_messages(request, report, self)
            return HttpResponseRedirect(changelist)
        customers = services.customers_deactivated_by(scope=DataScope.everything(), batch=batch).select_related(
            "account"
        )
        entry = AuditEntry.objects.filter(batch=batch).first()
        return confirmation_page(
            self,
            request,
            "undo_deactivation.html",
            gettext("Undo the deactivation?"),
            customers=customers,
            deactivation=entry and {"when": shown_time(entry.at), "who": entry.actor},
            cancel_url=changelist,
        )
