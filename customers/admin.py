import csv
import uuid
from collections.abc import Iterable, Iterator
from itertools import groupby

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from beel.actors import Actor
from beel.errors import DomainError, ErrorCode
from beel.tenancy import DataScope
from customers import services
from customers.forms import CustomerAdminForm
from customers.models import PERSONAL_FIELDS, AuditEntry, Customer
from customers.services import DeactivationReport, ReactivationReport
from customers.validators import fold

# A failure group longer than this is folded away behind its summary, so the list stays on screen.
FOLD_FAILURES_AFTER = 5
# The confirmation names at most this many of the customers it will deactivate; the counts cover the rest.
NAMED_IN_PREVIEW = 100
NO_ACCOUNT = "—"


def staff_actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)


def customer_url(customer: Customer) -> str:
    return reverse("admin:customers_customer_change", args=[customer.pk])


def shown_time(moment) -> str:
    """A moment in the staff user's time zone, once, as the admin shows dates."""
    return formats.localize(timezone.localtime(moment))


def failure_reason(failure) -> str:
    if failure.error.code == ErrorCode.CLIENT_HAS_INVOICES:
        return ngettext("has %(count)d invoice", "has %(count)d invoices", failure.invoice_count) % {
            "count": failure.invoice_count
        }
    if failure.error.code == ErrorCode.CUSTOMER_ALREADY_EXISTS:
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


# --- CSV ---------------------------------------------------------------------------------------------------

CSV_CHUNK_ROWS = 2000


class _Echo:
    """csv.writer writes into this and gets the line back, so rows can be streamed one at a time."""

    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Semicolon-separated UTF-8 with a BOM: what a Spanish Excel opens with accents and columns intact.
    Streamed row by row, so the memory used does not grow with the number of rows."""
    writer = csv.writer(_Echo(), delimiter=";")

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_timestamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def csv_moment(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


CUSTOMER_CSV_FIELDS = ["account__username", *PERSONAL_FIELDS, "active", "created_at", "deactivated_at"]


def customer_csv_rows(queryset: QuerySet[Customer]) -> Iterator[list]:
    rows = queryset.order_by().values_list(*CUSTOMER_CSV_FIELDS).iterator(chunk_size=CSV_CHUNK_ROWS)
    for row in rows:
        *text, active, created_at, deactivated_at = row
        yield [*text, gettext("yes") if active else gettext("no"), csv_moment(created_at), csv_moment(deactivated_at)]


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


# --- filters -----------------------------------------------------------------------------------------------


class AccountFilter(admin.SimpleListFilter):
    """By account username: a search box, since there can be thousands of accounts, and the accounts
    themselves as links while they are few."""

    title = _("account")
    parameter_name = "account"
    template = "admin/customers/account_filter.html"
    LINKED_ACCOUNTS_AT_MOST = 20

    def __init__(self, request, params, model, model_admin):
        # What the search box must carry over: every other filter, the search and the ordering.
        self.preserved_params = [
            (name, value)
            for name, values in request.GET.lists()
            if name not in (self.parameter_name, "p", "e")
            for value in values
        ]
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        accounts = (
            Customer.objects.order_by()
            .values_list("account__username", flat=True)
            .distinct()[: self.LINKED_ACCOUNTS_AT_MOST + 1]
        )
        accounts = sorted(accounts, key=fold)
        if len(accounts) > self.LINKED_ACCOUNTS_AT_MOST:
            return []
        return [(username, username) for username in accounts]

    def has_output(self) -> bool:
        return True  # the search box is useful whatever the number of accounts

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(account__username=self.value().strip())
        return queryset


class HasInvoicesFilter(admin.SimpleListFilter):
    title = _("invoices")
    parameter_name = "has_invoices"

    def lookups(self, request, model_admin):
        return [("yes", _("Has invoices")), ("no", _("Has no invoices"))]

    def queryset(self, request, queryset):
        # A subquery rather than a join, so the invoice count annotated on the list stays right.
        invoiced = Q(pk__in=Customer.objects.filter(invoices__isnull=False).values("pk"))
        if self.value() == "yes":
            return queryset.filter(invoiced)
        if self.value() == "no":
            return queryset.exclude(invoiced)
        return queryset


class SpanishOrderFieldListFilter(admin.AllValuesFieldListFilter):
    """Values in Spanish alphabetical order: accents and case do not count (Ávila, Cáceres, Castellón)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = sorted(self.lookup_choices, key=lambda value: (fold(value), value))


# --- the customer admin ------------------------------------------------------------------------------------


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "legal_name",
        "account",
        "nif",
        "email",
        "city",
        "province",
        "active",
        "invoice_count",
        "created_at",
    ]
    list_filter = [
        "active",
        ("province", SpanishOrderFieldListFilter),
        AccountFilter,
        HasInvoicesFilter,
        ("created_at", admin.DateFieldListFilter),
        "mode",
    ]
    search_fields = ["legal_name", "nif", "email"]
    search_help_text = _("Legal name, NIF or email; accents and case are ignored.")
    readonly_fields = [
        "id",
        "account",
        "mode",
        "active",
        "deactivated_at",
        "created_at",
        "updated_at",
        "invoices_link",
        "history",
    ]
    fieldsets = [
        (None, {"fields": ["id", "account", "mode", "legal_name", "nif", "email", "phone"]}),
        (
            _("Address"),
            {"fields": ["street", "number", "floor", "door", "postal_code", "city", "province", "country"]},
        ),
        (_("Status"), {"fields": ["active", "deactivated_at", "created_at", "updated_at", "invoices_link"]}),
        (_("History"), {"fields": ["history"]}),
    ]
    form = CustomerAdminForm
    actions = ["deactivate_selected", "reactivate_selected", "anonymize_selected", "merge_selected", "export_csv"]
    list_select_related = ["account"]
    show_full_result_count = False
    change_form_template = "admin/customers/customer/change_form.html"
    object_history_template = "admin/customers/customer/object_history.html"

    class Media:
        js = ["customers/staff_timezone.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_invoice_count()

    def get_search_results(self, request, queryset, search_term):
        # The same accent-insensitive search as the API (CustomerQuerySet.search), not icontains on raw text.
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)  # customers are soft-deleted only
        return actions

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False  # a customer belongs to an account; accounts create them through the API

    def get_urls(self):
        own = [
            path(
                "undo-deactivation/<uuid:batch>/",
                self.admin_site.admin_view(self.undo_deactivation_view),
                name="customers_customer_undo_deactivation",
            ),
            path(
                "<uuid:object_id>/deactivate/",
                self.admin_site.admin_view(self.deactivate_view),
                name="customers_customer_deactivate",
            ),
            path(
                "<uuid:object_id>/reactivate/",
                self.admin_site.admin_view(self.reactivate_view),
                name="customers_customer_reactivate",
            ),
        ]
        return own + super().get_urls()

    def save_model(self, request, obj, form, change):
        # Through the service, so the API's rules (one active customer per NIF) apply to staff edits too.
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_customer(
                scope=DataScope.everything(), customer_id=str(obj.pk), data=data, actor=staff_actor(request)
            )
        except DomainError as error:
            self.message_user(request, gettext("Not saved: %(reason)s") % {"reason": error.message}, messages.ERROR)

    @admin.display(description=_("Invoices"), ordering="invoice_count")
    def invoice_count(self, customer: Customer) -> int:
        return customer.invoice_count

    @admin.display(description=_("Invoices"))
    def invoices_link(self, customer: Customer) -> str:
        # Built by name: customers must not import the invoices app.
        url = reverse("admin:invoices_invoice_changelist") + f"?customer__id__exact={customer.pk}"
        count = customer.invoices.count()
        return format_html(
            '<a href="{}" class="invoices-link">{}</a>',
            url,
            ngettext("%(n)d invoice", "%(n)d invoices", count) % {"n": count},
        )

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
                    ", ".join(entry.changed_fields),
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        customer = self.get_object(request, object_id)
        if customer is not None and not customer.active:
            deactivation = customer.audit_entries.filter(action=AuditEntry.Action.DEACTIVATED).first()
            extra_context["deactivation_banner"] = gettext("Deactivated on %(when)s by %(who)s") % {
                "when": shown_time(deactivation.at if deactivation else customer.deactivated_at),
                "who": deactivation.actor if deactivation else gettext("unknown"),
            }
        extra_context["can_change_status"] = customer is not None and self.has_change_permission(request, customer)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        customer = self.get_object(request, object_id)
        entries = [] if customer is None else list(customer.audit_entries.all())
        extra_context = {**(extra_context or {}), "audit_entries": entries}
        return super().history_view(request, object_id, extra_context)

    # --- deactivation, with its confirmation ---------------------------------------------------------------

    @admin.action(description=_("Deactivate selected customers (soft delete)"), permissions=["change"])
    def deactivate_selected(self, request, queryset: QuerySet[Customer]):
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        if request.POST.get("_export_failures"):
            preview = services.deactivate_customers(
                scope=DataScope.everything(), ids=ids, actor=staff_actor(request), dry_run=True
            )
            return csv_response(
                f"deactivation-failures-{csv_timestamp()}.csv",
                [gettext("Account"), gettext("Legal name"), gettext("NIF"), gettext("Reason")],
                failure_csv_rows(preview.failures),
            )
        if request.POST.get("post") == "yes":
            report = services.deactivate_customers(scope=DataScope.everything(), ids=ids, actor=staff_actor(request))
            deactivation_to_messages(request, report, self)
            return None
        # Carry the selection as the changelist posted it (a page of ids or "select all" with the filters in
        # the URL), so confirming acts on the same customers without one form field per customer.
        hidden = [
            (name, value)
            for name in (ACTION_CHECKBOX_NAME, "select_across", "index")
            for value in request.POST.getlist(name)
        ]
        hidden.append(("action", "deactivate_selected"))
        return self.deactivation_confirmation(
            request, ids=ids, form_action=request.get_full_path(), hidden=hidden, cancel_url=request.get_full_path()
        )

    def deactivation_confirmation(self, request, *, ids, form_action, hidden, cancel_url, exportable=True):
        """What will happen, computed by the service itself in dry-run: nothing is written here."""
        preview = services.deactivate_customers(
            scope=DataScope.everything(), ids=ids, actor=staff_actor(request), dry_run=True
        )
        already = set(preview.already_inactive_ids)
        to_deactivate = [pk for pk in preview.deactivated_ids if pk not in already]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Deactivate customers?"),
            "preview": preview,
            "will_deactivate": len(to_deactivate),
            "already_inactive": len(already),
            "will_deactivate_by_account": counts_by_account(to_deactivate),
            "will_deactivate_named": Customer.objects.filter(pk__in=to_deactivate).select_related("account")[
                :NAMED_IN_PREVIEW
            ],
            "named_at_most": NAMED_IN_PREVIEW,
            "failures_by_account": [
                (account, [describe_failure(failure) for failure in group])
                for account, group in failures_by_account(preview.failures)
            ],
            "fold_after": FOLD_FAILURES_AFTER,
            "form_action": form_action,
            "hidden": hidden,
            "cancel_url": cancel_url,
            "exportable": exportable and bool(preview.failures),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/customers/customer/deactivate_confirmation.html", context)

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

    @admin.action(description=_("Reactivate selected customers"), permissions=["change"])
    def reactivate_selected(self, request, queryset: QuerySet[Customer]):
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        report = services.reactivate_customers(scope=DataScope.everything(), ids=ids, actor=staff_actor(request))
        reactivation_to_messages(request, report, self)

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
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Undo the deactivation?"),
            "customers": customers,
            "deactivation": entry and {"when": shown_time(entry.at), "who": entry.actor},
            "cancel_url": changelist,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/customers/customer/undo_deactivation.html", context)

    # --- erasure and merging, each confirmed first -----------------------------------------------------------

    def _selection_hidden(self, request, action: str) -> list[tuple[str, str]]:
        """The changelist's selection as it was posted, so confirming acts on the same customers."""
        hidden = [
            (name, value)
            for name in (ACTION_CHECKBOX_NAME, "select_across", "index")
            for value in request.POST.getlist(name)
        ]
        hidden.append(("action", action))
        return hidden

    def _confirmation(self, request, template: str, title: str, **context):
        request.current_app = self.admin_site.name
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **context}
        return TemplateResponse(request, f"admin/customers/customer/{template}", context)

    @admin.action(description=_("Anonymise selected customers (right to be forgotten)"), permissions=["change"])
    def anonymize_selected(self, request, queryset: QuerySet[Customer]):
        customers = list(queryset.select_related("account").order_by("legal_name", "pk"))
        if request.POST.get("post") != "yes":
            # What each customer's erasure will do, from the same retention rule the service applies.
            preview = [(customer, services.erasure_retained_until(customer)) for customer in customers]
            return self._confirmation(
                request,
                "anonymize_confirmation.html",
                gettext("Anonymise customers?"),
                now=[customer for customer, retain_until in preview if retain_until is None],
                retained=[(customer, retain_until) for customer, retain_until in preview if retain_until],
                hidden=self._selection_hidden(request, "anonymize_selected"),
                form_action=request.get_full_path(),
                cancel_url=request.get_full_path(),
            )
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
        if anonymized:
            self.message_user(
                request,
                ngettext("Anonymised %(n)d customer.", "Anonymised %(n)d customers.", len(anonymized))
                % {"n": len(anonymized)},
                messages.SUCCESS,
            )
        if retained:
            items = format_html_join(
                "",
                '<li><a href="{}">{}</a>: {}</li>',
                (
                    (
                        customer_url(customer),
                        str(customer),
                        gettext("invoices must be kept until %(date)s; it will be anonymised then")
                        % {"date": formats.date_format(retain_until, "SHORT_DATE_FORMAT")},
                    )
                    for customer, retain_until in retained
                ),
            )
            heading = ngettext(
                "Retention active (RETENTION_ACTIVE) for %(n)d customer; the erasure is recorded:",
                "Retention active (RETENTION_ACTIVE) for %(n)d customers; the erasures are recorded:",
                len(retained),
            )
            self.message_user(
                request, format_html("{}<ul>{}</ul>", heading % {"n": len(retained)}, items), messages.WARNING
            )
        if failures:
            items = format_html_join(
                "", '<li><a href="{}">{}</a>: {}</li>', ((customer_url(c), str(c), reason) for c, reason in failures)
            )
            heading = ngettext(
                "Could not anonymise %(n)d customer:", "Could not anonymise %(n)d customers:", len(failures)
            )
            self.message_user(
                request, format_html("{}<ul>{}</ul>", heading % {"n": len(failures)}, items), messages.ERROR
            )
        return None

    @admin.action(description=_("Merge two selected customers"), permissions=["change"])
    def merge_selected(self, request, queryset: QuerySet[Customer]):
        customers = list(queryset.order_by("legal_name", "pk")[:3])
        if len(customers) != 2:
            self.message_user(request, gettext("Select exactly two customers to merge."), messages.ERROR)
            return None
        if request.POST.get("post") == "yes":
            survivor_pk = request.POST.get("survivor")
            if survivor_pk not in {str(customer.pk) for customer in customers}:
                self.message_user(request, gettext("Choose the customer that survives."), messages.ERROR)
                return None
            duplicate = next(customer for customer in customers if str(customer.pk) != survivor_pk)
            try:
                services.merge_customers(
                    scope=DataScope.everything(),
                    customer_id=str(duplicate.pk),
                    into_id=survivor_pk,
                    actor=staff_actor(request),
                )
            except DomainError as error:
                self.message_user(
                    request, gettext("Not merged: %(reason)s") % {"reason": error.message}, messages.ERROR
                )
                return None
            survivor = next(customer for customer in customers if str(customer.pk) == survivor_pk)
            self.message_user(
                request,
                format_html(
                    gettext("Merged {duplicate} into {survivor}."),
                    duplicate=format_html('<a href="{}">{}</a>', customer_url(duplicate), str(duplicate)),
                    survivor=format_html('<a href="{}">{}</a>', customer_url(survivor), str(survivor)),
                ),
                messages.SUCCESS,
            )
            return None
        first, second = customers
        directions = [
            services.merge_preview(scope=DataScope.everything(), customer_id=str(a.pk), into_id=str(b.pk))
            for a, b in ((first, second), (second, first))
        ]
        problems = [
            (customer, refusal.message)
            for customer in customers
            if (refusal := services.lifecycle_refusal(customer)) is not None
        ]
        return self._confirmation(
            request,
            "merge_confirmation.html",
            gettext("Merge two customers?"),
            directions=directions,
            problems=problems,
            hidden=self._selection_hidden(request, "merge_selected"),
            form_action=request.get_full_path(),
            cancel_url=request.get_full_path(),
        )

    # --- export --------------------------------------------------------------------------------------------

    @admin.action(description=_("Export selected customers (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset: QuerySet[Customer]):
        header = [
            gettext("Account"),
            gettext("Legal name"),
            gettext("NIF"),
            gettext("Email"),
            gettext("Phone"),
            gettext("Street"),
            gettext("Number"),
            gettext("Floor"),
            gettext("Door"),
            gettext("Postal code"),
            gettext("City"),
            gettext("Province"),
            gettext("Country"),
            gettext("Active"),
            gettext("Created"),
            gettext("Deactivated"),
        ]
        return csv_response(f"customers-{csv_timestamp()}.csv", header, customer_csv_rows(queryset))
