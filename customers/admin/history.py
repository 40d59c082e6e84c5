"""A customer's audit trail, on its page and in the admin's history view."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers.admin.common import shown_time
from customers.models import Customer


class HistoryWorkflow:
    """The history field and the history view."""

    @admin.display(description=_("History"))
    def history(self, customer: Customer) -> str:
        entries = list(customer.audit_entries.all())
        if not entries:
            return gettext("No recorded changes.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    shown_time(entry.at),
                    entry.get_action_display(),
                    entry.actor,
                    entry.get_channel_display(),
                    ", ".join(entry.changed_field_labels()),
                )
                for entry in entries
            ),
        )
        return format_html(
            '<table class="customer-history"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            gettext("When"),
            gettext("What"),
            gettext("Who"),
            gettext("Channel"),
            gettext("Fields changed"),
            rows,
        )

    def history_view(self, request, object_id, extra_context=None):
        customer = self.get_object(request, object_id)
        entries = [] if customer is None else list(customer.audit_entries.all())
        extra_context = {**(extra_context or {}), "audit_entries": entries}
        return super().history_view(request, object_id, extra_context)
