"""The customer admin: the changelist, the change form, and the workflows it is built from (one module
each)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from beel.admin_columns import short_date, truncated
from beel.errors import DomainError
from beel.tenancy import DataScope
from customers import services
from customers.admin.common import shown_time, staff_actor
from customers.admin.deactivation import DeactivationWorkflow
from customers.admin.erasure import ErasureWorkflow
from customers.admin.export import ExportWorkflow
from customers.admin.filters import AccountFilter, CompanyFilter, HasInvoicesFilter, SpanishOrderFieldListFilter
from customers.admin.history import HistoryWorkflow
from customers.admin.imports import ImportWorkflow
from customers.admin.locked import LockedCustomerWorkflow, lifecycle_banner, not_saved_message, refusal_reason
from customers.admin.merge import MergeWorkflow
from customers.admin.permissions import ActionPermissionRefusal
from customers.admin.reactivation import ReactivationWorkflow
from customers.admin.tax_id import TAX_ID_SHOWN, TaxIdWorkflow
from customers.forms import CustomerAddForm, CustomerAdminForm, IssuerChoiceForm
from customers.models import AuditEntry, Customer

IDENTITY_FIELDS = ["legal_name", "trade_name", "nif", "email", "phone"]


@admin.register(Customer)
class CustomerAdmin(
    ActionPermissionRefusal,
    LockedCustomerWorkflow,
    DeactivationWorkflow,
    ReactivationWorkflow,
    ErasureWorkflow,
    MergeWorkflow,
    ExportWorkflow,
    ImportWorkflow,
    HistoryWorkflow,
    TaxIdWorkflow,
    admin.ModelAdmin,
):
    # Chosen to fit a 1366 px laptop screen beside the filters (tests/browser/test_layout_in_browser.py): the
    # email, city and province are searched and filtered rather than shown, long names are cut (whole in a
    # tooltip), the creation date without its time.
    list_display = [
        "legal_name_shown",
        "nif",
        "account",
        "company_link",
        "active",
        "tax_id_shown",
        "invoice_count",
        "created_on",
    ]
    list_filter = [
        "active",
        "tax_id_status",
        ("province", SpanishOrderFieldListFilter),
        AccountFilter,
        CompanyFilter,
        HasInvoicesFilter,
        ("created_at", admin.DateFieldListFilter),
        "mode",
    ]
    search_fields = ["legal_name", "nif", "email"]
    search_help_text = _("Legal name, NIF or email; accents and case are ignored.")
    readonly_fields = [
        "id",
        "account",
        "company_link",
        "mode",
        "active",
        "deactivated_at",
        "created_at",
        "updated_at",
        "invoices_link",
        "statement_link",
        "history",
        *TAX_ID_SHOWN,
    ]
    fieldsets = [
        (None, {"fields": ["id", "account", "company_link", "mode", *IDENTITY_FIELDS]}),
        (
            _("Alternative id (customers without a Spanish NIF)"),
            {"fields": ["alternative_id_type", "alternative_id_number", "alternative_id_country"]},
        ),
        (
            _("Address"),
            {
                "fields": [
                    "street",
                    "number",
                    "floor",
                    "door",
                    "postal_code",
                    "city",
                    "province",
                    "country",
                    "country_code",
                ]
            },
        ),
        (
            _("Billing"),
            {
                "fields": [
                    "billing_emails",
                    "contact_person",
                    "website",
                    "general_discount",
                    "payment_method",
                    "iban",
                    "swift",
                    "payment_term_days",
                ]
            },
        ),
        (_("Notes and metadata"), {"fields": ["notes", "metadata"]}),
        (_("Tax id verification"), {"fields": TAX_ID_SHOWN}),
        (
            _("Status"),
            {"fields": ["active", "deactivated_at", "created_at", "updated_at", "invoices_link", "statement_link"]},
        ),
        (_("History"), {"fields": ["history"]}),
    ]
    form = CustomerAdminForm
    actions = [
        "deactivate_selected",
        "reactivate_selected",
        "anonymize_selected",
        "merge_selected",
        "export_csv",
        "recheck_tax_ids",
    ]
    list_select_related = ["account", "company"]
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

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return self.fieldsets
        # A new customer: whose it is (account, company, mode), then its record; nothing of its life yet.
        shown_only = set(self.readonly_fields)
        record = [
            (name, {**options})
            for name, options in self.fieldsets[1:]
            if not shown_only.intersection(options["fields"])
        ]
        return [(None, {"fields": [*IssuerChoiceForm.base_fields, *IDENTITY_FIELDS]}), *record]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            # The add form declares account, company and mode itself: the service, not the form, sets them.
            fields = kwargs.pop("fields", None) or flatten_fieldsets(self.get_fieldsets(request))
            kwargs.update(
                form=CustomerAddForm, fields=[name for name in fields if name not in CustomerAddForm.declared_fields]
            )
        return super().get_form(request, obj, change, **kwargs)

    def get_urls(self):
        own = [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv_view),
                name="customers_customer_import_csv",
            ),
            path(
                "import-csv/rejected/<str:token>/",
                self.admin_site.admin_view(self.import_rejected_view),
                name="customers_customer_import_rejected",
            ),
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
        if not change:
            self._create(request, obj, form)
            return
        data = form.record_changes
        try:
            services.update_customer(
                scope=DataScope.everything(), customer_id=str(obj.pk), data=data, actor=staff_actor(request)
            )
        except DomainError as error:
            # Said once, by response_change, instead of the admin's "changed successfully".
            locked_since_loaded = refusal_reason(Customer.objects.select_related("merged_into").get(pk=obj.pk))
            obj.not_saved = locked_since_loaded or error.message

    def _create(self, request, obj: Customer, form) -> None:
        company, mode = form.cleaned_data["company"], form.cleaned_data["mode"]
        try:
            customer = services.create_customer(
                scope=DataScope.of_company(company, mode), data=form.record_changes, actor=staff_actor(request)
            )
        except DomainError as error:  # a concurrent request took the NIF after the form checked it
            obj.not_created = error
            return
        obj.pk, obj.account, obj.company, obj.mode = customer.pk, company.account, company, mode

    def log_addition(self, request, obj, message):
        return None if hasattr(obj, "not_created") else super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        return None if hasattr(obj, "not_saved") else super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if hasattr(obj, "not_saved"):
            self.message_user(request, not_saved_message(obj.not_saved), messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if hasattr(obj, "not_created"):
            self.message_user(request, not_saved_message(obj.not_created.message), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:customers_customer_add"))
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description=_("Legal name"), ordering="legal_name")
    def legal_name_shown(self, customer: Customer) -> str:
        return truncated(customer.legal_name, 30)

    @admin.display(description=_("Company"), ordering="company__legal_name")
    def company_link(self, customer: Customer) -> str:
        url = reverse("admin:companies_company_change", args=[customer.company_id])
        return format_html('<a href="{}" title="{}">{}</a>', url, customer.company, customer.company)

    @admin.display(description=_("Census"), ordering="tax_id_status")
    def tax_id_shown(self, customer: Customer) -> str:
        if not customer.tax_id_status:
            return self.get_empty_value_display()
        return truncated(customer.get_tax_id_status_display(), 14)

    @admin.display(description=_("Invoices"), ordering="invoice_count")
    def invoice_count(self, customer: Customer) -> int:
        return customer.invoice_count

    @admin.display(description=_("Created"), ordering="created_at")
    def created_on(self, customer: Customer) -> str:
        return short_date(customer.created_at)

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

    @admin.display(description=_("Statement of account"))
    def statement_link(self, customer: Customer) -> str:
        # Built by name, as invoices_link: the page is the invoices app's (invoices.admin_statement).
        url = reverse("admin:invoices_invoice_customer_statement", args=[customer.pk])
        return format_html('<a href="{}" class="statement-link">{}</a>', url, gettext("Statement of account"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        customer = self.get_object(request, object_id)
        if (refused := self.refuse_locked_save(request, customer)) is not None:
            return refused
        if customer is not None:
            extra_context["lifecycle_banner"] = lifecycle_banner(customer)
        if customer is not None and not customer.active and not extra_context["lifecycle_banner"]:
            deactivation = customer.audit_entries.filter(action=AuditEntry.Action.DEACTIVATED).first()
            when = shown_time(deactivation.at if deactivation else customer.deactivated_at)
            extra_context["deactivation_banner"] = (
                gettext("Deactivated on %(when)s by %(who)s") % {"when": when, "who": deactivation.actor}
                if deactivation and deactivation.actor
                else gettext("Deactivated on %(when)s") % {"when": when}
            )
        extra_context["can_change_status"] = customer is not None and self.has_change_permission(request, customer)
        return super().change_view(request, object_id, form_url, extra_context)
