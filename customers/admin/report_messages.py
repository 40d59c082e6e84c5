"""A use case's report told to staff: one message per outcome, failures grouped by account and linked."""

from collections.abc import Iterable, Iterator
from itertools import groupby

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from beel.errors import ErrorCode
from customers.admin.common import customer_url
from customers.models import Customer
from customers.services import DeactivationReport, ReactivationReport

# A failure group longer than this is folded away behind its summary, so the list stays on screen.
FOLD_FAILURES_AFTER = 5
# A confirmation names at most this many of the customers it will change; the counts cover the rest.
NAMED_IN_PREVIEW = 100


NO_ACCOUNT = "—"


def failure_reason(failure) -> str:
    if failure.error.code == ErrorCode.CLIENT_HAS_INVOICES:
        return ngettext("has %(count)d invoice", "has %(count)d invoices", failure.invoice_count) % {
            "count": failure.invoice_count
        }
    if failure.error.code == ErrorCode.CLIENT_DUPLICATE:
        return gettext("an active customer of the account already has this NIF")
    if failure.error.code == ErrorCode.NOT_FOUND:
        return gettext("no such customer")
    return failure.error.message


def describe_failure(failure) -> SafeString:
    """'Tech Solutions SL (B12345674): has 3 invoices', the name linking to the customer's page."""
    customer = failure.customer
    if customer is None:
        return format_html("{}: {}", failure.customer_id, failure_reason(failure))
    return format_html('<a href="{}">{}</a>: {}', customer_url(customer), str(customer), failure_reason(failure))


def failures_by_account(failures: Iterable) -> list[tuple[str, list]]:
    """Failures grouped by their customer's account (unknown ids last), each group in request order."""

    def account_of(failure) -> str:
        return failure.customer.account.get_username() if failure.customer else NO_ACCOUNT

    ordered = sorted(failures, key=lambda failure: (account_of(failure) == NO_ACCOUNT, account_of(failure)))
    return [(account, list(group)) for account, group in groupby(ordered, key=account_of)]


def failure_list_html(failures: list) -> SafeString:
    """One block per account, naming it; a long block folds away behind its summary."""
    blocks = []
    for account, group in failures_by_account(failures):
        count = ngettext("%(n)d customer", "%(n)d customers", len(group)) % {"n": len(group)}
        heading = format_html("{} {} ({})", gettext("Account"), account, count)
        items = format_html_join("", "<li>{}</li>", ((describe_failure(failure),) for failure in group))
        if len(group) > FOLD_FAILURES_AFTER:
            blocks.append(format_html("<details><summary>{}</summary><ul>{}</ul></details>", heading, items))
        else:
            blocks.append(format_html("<div>{}<ul>{}</ul></div>", heading, items))
    return mark_safe("".join(blocks))  # safe: each block was built by format_html


def counts_by_account(ids: Iterable[str]) -> list[tuple[str, int]]:
    """How many of these customers each account has, by username: whose customers an action touched."""
    return list(
        Customer.objects.filter(pk__in=list(ids))
        .order_by()
        .values_list("account__username")
        .annotate(n=Count("pk"))
        .order_by("account__username")
    )


def preview_lists(ids: list[str], failures: Iterable) -> dict:
    """What a confirmation page lists: the customers it will change (how many per account, the first
    NAMED_IN_PREVIEW by name: the counts cover the rest) and those it cannot change and why, by account."""
    return {
        "by_account": counts_by_account(ids),
        "named": Customer.objects.filter(pk__in=ids).select_related("account")[:NAMED_IN_PREVIEW],
        "named_at_most": NAMED_IN_PREVIEW,
        "failures_by_account": [
            (account, [describe_failure(failure) for failure in group])
            for account, group in failures_by_account(failures)
        ],
        "fold_after": FOLD_FAILURES_AFTER,
    }


def naming_accounts(text: str, ids: Iterable[str]) -> str:
    """'Deactivated 5 customers' -> 'Deactivated 5 customers (account acme: 3, account beta: 2)'."""
    counts = ", ".join(f"{gettext('account')} {username}: {n}" for username, n in counts_by_account(ids))
    return f"{text} ({counts})" if counts else text


def deactivation_to_messages(request: HttpRequest, report: DeactivationReport, modeladmin) -> None:
    already = len(report.already_inactive_ids)
    if report.newly_deactivated:
        text = ngettext("Deactivated %(n)d customer", "Deactivated %(n)d customers", report.newly_deactivated) % {
            "n": report.newly_deactivated
        }
        already_ids = set(report.already_inactive_ids)
        text = naming_accounts(text, [pk for pk in report.deactivated_ids if pk not in already_ids])
        if already:
            text += "; " + ngettext("%(n)d was already inactive", "%(n)d were already inactive", already) % {
                "n": already
            }
        undo_url = reverse("admin:customers_customer_undo_deactivation", args=[report.batch])
        modeladmin.message_user(
            request,
            format_html('{}. <a href="{}" class="undo-link">{}</a>', text, undo_url, gettext("Undo")),
            messages.SUCCESS,
        )
    elif already:
        text = ngettext(
            "No customer was deactivated: the selected one was already inactive.",
            "No customer was deactivated: the %(n)d selected were already inactive.",
            already,
        ) % {"n": already}
        modeladmin.message_user(request, text, messages.INFO)
    if report.failures:
        heading = ngettext(
            "Could not deactivate %(n)d customer:", "Could not deactivate %(n)d customers:", report.failed
        )
        failures_to_message(request, report, heading, modeladmin)


def reactivation_to_messages(request: HttpRequest, report: ReactivationReport, modeladmin) -> None:
    already = len(report.already_active_ids)
    if report.successful:
        text = ngettext("Reactivated %(n)d customer", "Reactivated %(n)d customers", report.successful) % {
            "n": report.successful
        }
        text = naming_accounts(text, report.reactivated_ids)
        if already:
            text += "; " + ngettext("%(n)d was already active", "%(n)d were already active", already) % {"n": already}
        modeladmin.message_user(request, text + ".", messages.SUCCESS)
    elif already:
        text = ngettext(
            "No customer was reactivated: the selected one was already active.",
            "No customer was reactivated: the %(n)d selected were already active.",
            already,
        ) % {"n": already}
        modeladmin.message_user(request, text, messages.INFO)
    if report.failures:
        heading = ngettext(
            "Could not reactivate %(n)d customer:", "Could not reactivate %(n)d customers:", report.failed
        )
        failures_to_message(request, report, heading, modeladmin)


def failures_to_message(request: HttpRequest, report, heading: str, modeladmin) -> None:
    """One warning: the translated heading (with its %(n)d) and each failed customer, linked, with why."""
    modeladmin.message_user(
        request,
        format_html("{}{}", heading % {"n": report.failed}, failure_list_html(report.failures)),
        messages.WARNING,
    )


def failure_csv_rows(failures: list) -> Iterator[list]:
    for account, group in failures_by_account(failures):
        for failure in group:
            customer = failure.customer
            yield [
                account,
                customer.legal_name if customer else "",
                customer.nif if customer else failure.customer_id,
                failure_reason(failure),
            ]
