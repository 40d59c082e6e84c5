from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join

from beel.actors import Actor
from beel.errors import DomainError, ErrorCode
from beel.tenancy import DataScope
from customers import services
from customers.forms import CustomerAdminForm
from customers.models import AuditEntry, Customer
from customers.services import DeactivationReport


def staff_actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)


def describe_failure(failure) -> str:
    """'Tech Solutions SL (B12345674): has 3 invoices' — what staff need to act on a failure."""
    customer = failure.customer
    name = f"{customer.legal_name} ({customer.nif})" if customer else failure.customer_id
    if failure.error.code == ErrorCode.CLIENT_HAS_INVOICES:
        reason = f"has {failure.invoice_count} invoice{'s' if failure.invoice_count != 1 else ''}"
    else:
        reason = failure.error.message
    return f"{name}: {reason}"


def report_to_messages(request: HttpRequest, report: DeactivationReport, modeladmin) -> None:
    if report.successful:
        modeladmin.message_user(
            request,
            f"Deactivated {report.successful} customer{'s' if report.successful != 1 else ''} (soft delete).",
            messages.SUCCESS,
        )
    if report.failures:
        modeladmin.message_user(
            request,
            format_html_join(
                "",
                "{}<br>",
                [(f"Could not deactivate {report.failed} customer{'s' if report.failed != 1 else ''}:",)]
                + [(describe_failure(failure),) for failure in report.failures],
            ),
            messages.WARNING,
        )


class AuditEntryInline(admin.TabularInline):
    """The customer's history, read-only: who created, changed, deactivated or reactivated it, when, how,
    and which fields an update changed."""

    model = AuditEntry
    fields = ["at", "action", "channel", "actor", "changed_fields"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "History"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "nif", "email", "city", "province", "active", "invoice_count", "created_at"]
    list_filter = ["active", "province", ("created_at", admin.DateFieldListFilter), "mode"]
    search_fields = ["legal_name", "nif", "email"]
    search_help_text = "Legal name, NIF or email; accents and case are ignored."
    readonly_fields = ["id", "account", "mode", "active", "deactivated_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["id", "account", "mode", "legal_name", "nif", "email", "phone"]}),
        ("Address", {"fields": ["street", "number", "floor", "door", "postal_code", "city", "province", "country"]}),
        ("Status", {"fields": ["active", "deactivated_at", "created_at", "updated_at"]}),
    ]
    form = CustomerAdminForm
    inlines = [AuditEntryInline]
    actions = ["deactivate_selected", "reactivate_selected"]
    list_select_related = ["account"]
    show_full_result_count = False

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

    def save_model(self, request, obj, form, change):
        # Through the service, so the API's rules (one active customer per NIF) apply to staff edits too.
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_customer(
                scope=DataScope.everything(), customer_id=str(obj.pk), data=data, actor=staff_actor(request)
            )
        except DomainError as error:
            self.message_user(request, f"Not saved: {error.message}", messages.ERROR)

    @admin.display(description="Invoices", ordering="invoice_count")
    def invoice_count(self, customer: Customer) -> int:
        return customer.invoice_count

    @admin.action(description="Deactivate selected customers (soft delete)", permissions=["change"])
    def deactivate_selected(self, request, queryset: QuerySet[Customer]):
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        report = services.deactivate_customers(scope=DataScope.everything(), ids=ids, actor=staff_actor(request))
        report_to_messages(request, report, self)

    @admin.action(description="Reactivate selected customers", permissions=["change"])
    def reactivate_selected(self, request, queryset: QuerySet[Customer]):
        reactivated, failures = 0, []
        for customer in queryset.filter(active=False):
            try:
                services.reactivate_customer(
                    scope=DataScope.everything(), customer_id=str(customer.pk), actor=staff_actor(request)
                )
            except DomainError as error:
                failures.append(f"{customer.legal_name} ({customer.nif}): {error.message}")
            else:
                reactivated += 1
        if reactivated:
            self.message_user(request, f"Reactivated {reactivated} customer{'s' if reactivated != 1 else ''}.")
        if failures:
            self.message_user(
                request,
                format_html_join("", "{}<br>", [("Could not reactivate:",)] + [(line,) for line in failures]),
                messages.WARNING,
            )
