"""Issuing and cancelling invoices from the admin, through the API's services (invoices.services.issue_invoice
and cancel_invoice) with the staff user as the actor: a "Save and issue" button on a draft's page, a "Cancel"
button on a draft's or an issued invoice's page, and the same two as changelist actions. Cancelling cannot be
undone, so it always goes through a confirmation page; each outcome is said once, in the staff user's
language, never with the admin's generic "changed successfully"."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from beel.errors import DomainError, ErrorCode
from beel.tenancy import DataScope
from companies.models import Company
from customers.admin.common import selection_hidden, staff_actor
from customers.admin.locked import refusal_reason as customer_refusal_reason
from customers.models import Customer
from invoices import services
from invoices.models import Invoice, InvoiceStatus

# The services' refusals as staff read them; the API keeps the services' own English messages.
STAFF_REASONS = {
    ErrorCode.INVOICE_NOT_DRAFT: _("only a draft can be issued."),
    ErrorCode.INVOICE_NOT_CANCELLABLE: _("a paid invoice cannot be cancelled."),
    ErrorCode.CUSTOMER_INACTIVE: _("the customer is deactivated; reactivate it first."),
    ErrorCode.RECIPIENT_TAX_ID_INVALID: _(
        "the customer's tax id is not in its registry: correct it, or give the reason to issue it anyway."
    ),
}
CUSTOMER_LIFECYCLE_CODES = {
    ErrorCode.CUSTOMER_MERGED,
    ErrorCode.CUSTOMER_ANONYMIZED,
    ErrorCode.CUSTOMER_ERASURE_PENDING,
}


def staff_reason(invoice: Invoice, error: DomainError) -> str:
    """Why a service refused, in the staff user's language."""
    if error.code in CUSTOMER_LIFECYCLE_CODES:
        customer = Customer.objects.select_related("merged_into").get(pk=invoice.customer_id)
        return customer_refusal_reason(customer) or error.message
    if error.code == ErrorCode.EMISSION_NOT_READY:
        company = Company.objects.get(pk=invoice.company_id)
        missing = [str(Company._meta.get_field(name).verbose_name) for name in company.missing_fiscal_fields()]
        message = gettext(
            "the issuing company's fiscal identity is incomplete (missing: %(fields)s); complete it first."
        )
        return message % {"fields": ", ".join(missing)}
    reason = STAFF_REASONS.get(error.code)
    return str(reason) if reason is not None else error.message


def invoice_label(invoice: Invoice) -> str:
    """An invoice as a message names it: its number, or which draft."""
    return invoice.full_number or gettext("draft %(id)s") % {"id": str(invoice.pk)[:8]}


def invoice_url(invoice: Invoice) -> str:
    return reverse("admin:invoices_invoice_change", args=[invoice.pk])


def failures_html(heading: str, failures: list[tuple[Invoice, str]]):
    items = format_html_join(
        "", '<li><a href="{}">{}</a>: {}</li>', ((invoice_url(i), invoice_label(i), reason) for i, reason in failures)
    )
    return format_html("{}<ul>{}</ul>", heading, items)


def issued_message(invoice: Invoice) -> str:
    return gettext("Invoice %(number)s issued, dated %(date)s.") % {
        "number": invoice.full_number,
        "date": formats.date_format(invoice.issue_date, "SHORT_DATE_FORMAT"),
    }


def cancelled_message(invoice: Invoice) -> str:
    if invoice.was_issued:
        return gettext("Invoice %(number)s cancelled: it keeps its number and stays on record.") % {
            "number": invoice.full_number
        }
    return gettext("Draft %(id)s cancelled without being issued: it never took a number.") % {"id": str(invoice.pk)[:8]}


class InvoiceTransitionWorkflow:
    """The transitions the model allows from the admin (ALLOWED_TRANSITIONS, except paying, which has its own
    service): issue a draft, cancel a draft, cancel an issued invoice."""

    change_form_template = "admin/invoices/invoice/change_form.html"

    def may_transition(self, request) -> bool:
        # The model's change permission: an issued invoice's own page is read-only (has_change_permission is
        # False for it), yet staff who may change invoices may cancel it.
        return self.has_change_permission(request)

    def get_urls(self):
        own = [
            path(
                "<uuid:object_id>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="invoices_invoice_cancel",
            )
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        invoice = self.get_object(request, object_id)
        allowed = invoice is not None and self.may_transition(request)
        extra_context = {
            **(extra_context or {}),
            "can_issue": allowed and invoice.status == InvoiceStatus.DRAFT,
            "can_cancel": allowed
            and services.cancellation_refusal(invoice) is None
            and invoice.status != InvoiceStatus.CANCELLED,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- issuing ------------------------------------------------------------------------------------------

    def _issue(self, request, invoice: Invoice, override_reason: str = "") -> tuple[Invoice | None, str | None]:
        try:
            issued = services.issue_invoice(
                scope=DataScope.everything(),
                invoice_id=str(invoice.pk),
                actor=staff_actor(request),
                tax_id_override_reason=override_reason,
            )
        except DomainError as error:
            return None, staff_reason(invoice, error)
        return issued, None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "_issue" in request.POST:
            # The draft's edits are saved first, then issued as saved; response_change says what happened.
            obj.issue_outcome = self._issue(request, obj, form.cleaned_data.get("issue_despite_tax_id", ""))
            obj.refresh_from_db()

    def response_change(self, request, obj):
        if not hasattr(obj, "issue_outcome"):
            return super().response_change(request, obj)
        issued, reason = obj.issue_outcome
        if issued is not None:
            self.message_user(request, issued_message(issued), messages.SUCCESS)
        else:
            self.message_user(
                request, gettext("Saved as a draft, not issued: %(reason)s") % {"reason": reason}, messages.ERROR
            )
        return HttpResponseRedirect(request.path)

    @admin.action(description=_("Issue selected drafts"), permissions=["change"])
    def issue_selected(self, request, queryset: QuerySet[Invoice]):
        issued, failures = [], []
        for invoice in queryset.order_by("created_at", "id"):
            done, reason = self._issue(request, invoice)
            if done is not None:
                issued.append(done)
            else:
                failures.append((invoice, reason))
        if issued:
            self.message_user(
                request,
                ngettext("Issued %(n)d invoice: %(numbers)s", "Issued %(n)d invoices: %(numbers)s", len(issued))
                % {"n": len(issued), "numbers": ", ".join(invoice.full_number for invoice in issued)},
                messages.SUCCESS,
            )
        if failures:
            heading = ngettext("Could not issue %(n)d invoice:", "Could not issue %(n)d invoices:", len(failures))
            self.message_user(request, failures_html(heading % {"n": len(failures)}, failures), messages.WARNING)

    # --- cancelling ---------------------------------------------------------------------------------------

    @admin.action(description=_("Cancel selected invoices"), permissions=["change"])
    def cancel_selected(self, request, queryset: QuerySet[Invoice]):
        invoices = list(queryset.select_related("customer").order_by("created_at", "id"))
        if request.POST.get("post") == "yes":
            self._cancel(request, invoices)
            return None
        return self._cancel_confirmation(
            request,
            invoices,
            form_action=request.get_full_path(),
            hidden=selection_hidden(request, "cancel_selected"),
            cancel_url=request.get_full_path(),
        )

    def cancel_view(self, request, object_id):
        invoice = get_object_or_404(Invoice.objects.select_related("customer"), pk=object_id)
        if not self.may_transition(request):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("post") == "yes":
            self._cancel(request, [invoice])
            return HttpResponseRedirect(invoice_url(invoice))
        return self._cancel_confirmation(
            request, [invoice], form_action=request.path, hidden=[], cancel_url=invoice_url(invoice)
        )

    def _cancel(self, request, invoices: list[Invoice]) -> None:
        cancelled, already, failures = [], [], []
        for invoice in invoices:
            if invoice.status == InvoiceStatus.CANCELLED:
                already.append(invoice)
                continue
            try:
                cancelled.append(
                    services.cancel_invoice(
                        scope=DataScope.everything(), invoice_id=str(invoice.pk), actor=staff_actor(request)
                    )
                )
            except DomainError as error:
                failures.append((invoice, staff_reason(invoice, error)))
        if len(cancelled) == 1 and not already and not failures:
            self.message_user(request, cancelled_message(cancelled[0]), messages.SUCCESS)
        elif cancelled:
            self.message_user(
                request,
                ngettext(
                    "Cancelled %(n)d invoice: %(labels)s.", "Cancelled %(n)d invoices: %(labels)s.", len(cancelled)
                )
                % {"n": len(cancelled), "labels": ", ".join(invoice_label(invoice) for invoice in cancelled)},
                messages.SUCCESS,
            )
        if already:
            self.message_user(
                request,
                ngettext(
                    "%(n)d was already cancelled and stays as it is.",
                    "%(n)d were already cancelled and stay as they are.",
                    len(already),
                )
                % {"n": len(already)},
                messages.INFO,
            )
        if failures:
            heading = ngettext("Could not cancel %(n)d invoice:", "Could not cancel %(n)d invoices:", len(failures))
            self.message_user(request, failures_html(heading % {"n": len(failures)}, failures), messages.ERROR)

    def _cancel_confirmation(self, request, invoices: list[Invoice], *, form_action, hidden, cancel_url):
        """What cancelling will do to each invoice, by the service's own rule (cancellation_refusal): nothing
        is written here."""
        refused, already, issued, drafts = [], [], [], []
        for invoice in invoices:
            if (refusal := services.cancellation_refusal(invoice)) is not None:
                refused.append((invoice, staff_reason(invoice, refusal)))
            elif invoice.status == InvoiceStatus.CANCELLED:
                already.append(invoice)
            else:
                (issued if invoice.was_issued else drafts).append(invoice)
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Cancel invoices?"),
            "issued": issued,
            "drafts": drafts,
            "will_cancel": len(issued) + len(drafts),
            "already": already,
            "refused": refused,
            "form_action": form_action,
            "hidden": hidden,
            "cancel_url": cancel_url,
        }
        return TemplateResponse(request, "admin/invoices/invoice/cancel_confirmation.html", context)
