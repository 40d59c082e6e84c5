"""Anonymising customers (the right to be forgotten), after a confirmation that shows the retention."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from beel.errors import DomainError
from beel.tenancy import DataScope
from customers import services
from customers.admin.common import confirmation_page, customer_url, selection_hidden, staff_actor
from customers.models import Customer


class ErasureWorkflow:
    """The anonymise action, for staff who may change customers and also hold "Can anonymise customers"."""

    def has_anonymize_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request) and request.user.has_perm("customers.anonymize_customer")

    @admin.action(description=_("Anonymise selected customers (right to be forgotten)"), permissions=["anonymize"])
    def anonymize_selected(self, request, queryset: QuerySet[Customer]):
        customers = list(queryset.select_related("account").order_by("legal_name", "pk"))
        if request.POST.get("post") != "yes":
            return self._anonymization_confirmation(request, customers)
        anonymized, retained, failures = [], [], []
        for customer in customers:
            try:
                outcome = services.request_erasure(
                    scope=DataScope.everything(), customer_id=str(customer.pk), actor=staff_actor(request)
                )
            except DomainError as error:
                failures.append((customer, error.message))
                continue
            if outcome.anonymized:
                anonymized.append(customer)
            else:
                retained.append((customer, outcome.retain_until))
        self._erasures_to_messages(request, anonymized, retained, failures)
        return None

    def _anonymization_confirmation(self, request, customers: list[Customer]):
        # What each customer's erasure will do, from the same retention rule the service applies.
        preview = [(customer, services.erasure_retained_until(customer)) for customer in customers]
        return confirmation_page(
            self,
            request,
            "anonymize_confirmation.html",
            gettext("Anonymise customers?"),
            now=[customer for customer, retain_until in preview if retain_until is None],
            retained=[(customer, retain_until) for customer, retain_until in preview if retain_until],
            hidden=selection_hidden(request, "anonymize_selected"),
            form_action=request.get_full_path(),
            cancel_url=request.get_full_path(),
        )

    def _erasures_to_messages(self, request, anonymized: list, retained: list, failures: list) -> None:
        if anonymized:
            self.message_user(
                request,
                ngettext("Anonymised %(n)d customer.", "Anonymised %(n)d customers.", len(anonymized))
                % {"n": len(anonymized)},
                messages.SUCCESS,
            )
        if retained:
            heading = ngettext(
                "Retention active (RETENTION_ACTIVE) for %(n)d customer; the erasure is recorded:",
                "Retention active (RETENTION_ACTIVE) for %(n)d customers; the erasures are recorded:",
                len(retained),
            )
            reasons = (
                (
                    customer,
                    gettext("invoices must be kept until %(date)s; it will be anonymised then")
                    % {"date": formats.date_format(retain_until, "SHORT_DATE_FORMAT")},
                )
                for customer, retain_until in retained
            )
            self.message_user(request, _customer_list(heading % {"n": len(retained)}, reasons), messages.WARNING)
        if failures:
            heading = ngettext(
                "Could not anonymise %(n)d customer:", "Could not anonymise %(n)d customers:", len(failures)
            )
            self.message_user(request, _customer_list(heading % {"n": len(failures)}, failures), messages.ERROR)


def _customer_list(heading: str, reasons) -> SafeString:
    """The heading, then each customer (linked) with its reason."""
    items = format_html_join(
        "", '<li><a href="{}">{}</a>: {}</li>', ((customer_url(c), str(c), reason) for c, reason in reasons)
    )
    return format_html("{}<ul>{}</ul>", heading, items)
