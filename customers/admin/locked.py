"""Customers whose lifecycle forbids any change (merged, anonymised, or waiting to be anonymised; the rule is
customers.services.lifecycle_refusal): their page says so at the top and is read-only, with neither save
buttons nor Deactivate/Reactivate, and a save posted anyway is refused with one message, the refusal."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers import services
from customers.admin.common import customer_url, shown_time
from customers.models import AuditEntry, Customer

# An erasure's steps, the last first: the customer's field, its audit action, the sentences that say it.
ERASURE_STEPS = [
    ("anonymized_at", AuditEntry.Action.ANONYMIZED, _("Anonymised on {when} by {who}."), _("Anonymised on {when}.")),
    (
        "erasure_requested_at",
        AuditEntry.Action.ERASURE_REQUESTED,
        _("Erasure requested on {when} by {who}."),
        _("Erasure requested on {when}."),
    ),
]
LIFECYCLE_ACTIONS = [AuditEntry.Action.MERGED, AuditEntry.Action.ERASURE_REQUESTED, AuditEntry.Action.ANONYMIZED]


def is_locked(customer: Customer) -> bool:
    return services.lifecycle_refusal(customer) is not None


def refusal_reason(customer: Customer) -> str | None:
    """Why this customer's record cannot change, for staff in their language; None while it can."""
    if customer.merged_into_id is not None:
        return gettext("the customer was merged into %(survivor)s; change that one instead.") % {
            "survivor": customer.merged_into
        }
    if customer.anonymized_at is not None:
        return gettext("the customer was anonymised; its record can no longer change.")
    if customer.erasure_requested_at is not None:
        return gettext("the customer asked to be forgotten and stays inactive until it is anonymised.")
    return None


def not_saved_message(reason: str) -> str:
    return gettext("Not saved: %(reason)s") % {"reason": reason}


def _happened(entry: AuditEntry | None, fallback_at, with_who: str, without_who: str, **values) -> SafeString:
    """A sentence saying when (and by whom, when the history knows it) a lifecycle step happened."""
    when = shown_time(entry.at if entry else fallback_at)
    if entry is not None and entry.actor:
        return format_html(with_who, when=when, who=entry.actor, **values)
    return format_html(without_who, when=when, **values)


def lifecycle_banner(customer: Customer) -> list[SafeString]:
    """The state of a locked customer, one sentence a line: into whom it was merged, when it was anonymised
    or asked to be forgotten and by whom, until when its invoices are retained; empty while it is not locked."""
    if not is_locked(customer):
        return []
    latest: dict[str, AuditEntry] = {}
    for entry in customer.audit_entries.filter(action__in=LIFECYCLE_ACTIONS):  # newest first
        latest.setdefault(entry.action, entry)
    lines = []
    if customer.merged_into_id is not None:
        survivor = customer.merged_into
        link = format_html('<a href="{}" id="merged-into">{}</a>', customer_url(survivor), survivor)
        lines.append(
            _happened(
                latest.get(AuditEntry.Action.MERGED),
                customer.deactivated_at,
                gettext("Merged into {survivor} on {when} by {who}."),
                gettext("Merged into {survivor} on {when}."),
                survivor=link,
            )
        )
    for field, action, with_who, without_who in ERASURE_STEPS:  # the last step reached says it all
        if getattr(customer, field) is not None:
            lines.append(_happened(latest.get(action), getattr(customer, field), str(with_who), str(without_who)))
            break
    if customer.retain_until is not None:
        until = formats.date_format(customer.retain_until, "SHORT_DATE_FORMAT")
        if customer.anonymized_at is None:
            text = gettext(
                "Its invoices are retained until {date}; it will be anonymised automatically after that day."
            )
        else:
            text = gettext("Its invoices are retained until {date}.")
        lines.append(format_html(text, date=until))
    lines.append(format_html("{}", gettext("Its record can no longer change.")))
    return lines


class LockedCustomerWorkflow:
    """A locked customer can be viewed, never changed: the admin's view-only page, whatever the staff
    user's permissions."""

    def has_change_permission(self, request, obj=None):
        if obj is not None and is_locked(obj):
            return False
        return super().has_change_permission(request, obj)

    def refuse_locked_save(self, request, customer: Customer | None):
        """A save posted to a locked customer's page (a form loaded before it was locked, or a crafted
        request): nothing is written, and staff read why, once, back on the page."""
        if request.method != "POST":
            return None
        return self._refuse_if_locked(request, customer, not_saved_message)

    # The Deactivate / Reactivate buttons of a page loaded before the customer was locked.
    def deactivate_view(self, request, object_id):
        refused = self._refuse_if_locked(request, self.get_object(request, object_id), _unchanged_message)
        return refused or super().deactivate_view(request, object_id)

    def reactivate_view(self, request, object_id):
        refused = self._refuse_if_locked(request, self.get_object(request, object_id), _unchanged_message)
        return refused or super().reactivate_view(request, object_id)

    def _refuse_if_locked(self, request, customer: Customer | None, message):
        if customer is None or not super().has_change_permission(request, customer):
            return None  # the admin's own answer: 404 or 403
        reason = refusal_reason(customer)
        if reason is None:
            return None
        self.message_user(request, message(reason), messages.ERROR)
        return HttpResponseRedirect(customer_url(customer))


def _unchanged_message(reason: str) -> str:
    return gettext("Nothing changed: %(reason)s") % {"reason": reason}
