"""Importing customers from a CSV file: upload, preview (the service's dry run), confirm."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from beel.errors import DomainError, ErrorCode
from beel.tenancy import DataScope
from companies.models import Company
from customers import services, spreadsheet
from customers.admin import pending_import
from customers.admin.common import confirmation_page, staff_actor
from customers.forms import CustomerImportForm
from customers.services import ImportStatus

IMPORT_STATUS_LABELS = {
    ImportStatus.VALID: _("Valid"),
    ImportStatus.WARNING: _("Valid, with a warning"),
    ImportStatus.ERROR: _("Error"),
    ImportStatus.DUPLICATE: _("Duplicate"),
    ImportStatus.NIF_INVALID: _("Invalid NIF"),
}


def import_status_label(status: ImportStatus) -> str:
    return str(IMPORT_STATUS_LABELS[status])


def import_failure(error: DomainError) -> str:
    """Why a file was refused, in the staff's language where the admin has its own words for it (the
    service's message is the API's, in English)."""
    if error.code == ErrorCode.TOO_MANY_COLUMNS:
        return (
            gettext(
                "Line %(line)d of the file has %(column_count)d columns; an import reads at most %(max_columns)d. "
                "Remove the empty columns at the end of its lines."
            )
            % error.details
        )
    return error.message


class ImportWorkflow:
    """The import page, linked from the changelist."""

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perm("customers.add_customer")}
        return super().changelist_view(request, extra_context)

    def import_csv_view(self, request):
        """Upload, preview (the API's report, computed in dry-run), confirm. The file waits in file storage
        between the preview and the confirmation (customers.admin.pending_import), and is read and checked
        again when confirmed."""
        if not request.user.has_perm("customers.add_customer"):
            raise PermissionDenied
        if request.method == "POST" and "_confirm" in request.POST:
            return self._confirm_import(request)
        if request.method == "POST" and "_cancel" in request.POST:
            pending_import.discard(request)
            return HttpResponseRedirect(reverse("admin:customers_customer_import_csv"))
        form = CustomerImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            content = form.cleaned_data["file"].read()
            company, mode = form.cleaned_data["company"], form.cleaned_data["mode"]
            try:
                report = services.import_customers(
                    scope=DataScope.of_company(company, mode),
                    content=content,
                    actor=staff_actor(request),
                    dry_run=True,
                )
            except DomainError as error:
                form.add_error("file", import_failure(error))
            else:
                pending_import.keep(
                    request, content=content, company=company, mode=mode, name=form.cleaned_data["file"].name
                )
        return confirmation_page(
            self,
            request,
            "import_csv.html",
            gettext("Import customers from a CSV file"),
            form=form,
            report=report,
            rows=report and [(row, import_status_label(row.status)) for row in report.rows],
            counts=report and [(import_status_label(status), n) for status, n in report.counts.items()],
            template_header=";".join(column.header for column in spreadsheet.IMPORT_COLUMNS),
        )

    def _confirm_import(self, request):
        pending = pending_import.take(request)
        here = reverse("admin:customers_customer_import_csv")
        if pending is None:
            self.message_user(request, gettext("Nothing to import: upload the file again."), messages.WARNING)
            return HttpResponseRedirect(here)
        company = get_object_or_404(Company.objects.select_related("account"), pk=pending.company_id)
        account = company.account
        try:
            report = services.import_customers(
                scope=DataScope.of_company(company, pending.mode),
                content=pending.content,
                actor=staff_actor(request),
                dry_run=False,
            )
        except DomainError as error:
            self.message_user(
                request, gettext("Nothing was imported: %(reason)s") % {"reason": import_failure(error)}, messages.ERROR
            )
            return HttpResponseRedirect(here)
        created = len(report.created_ids)
        skipped = len(report.rows) - created
        text = ngettext(
            "Imported %(created)d customer into company %(company)s of account %(account)s from %(name)s.",
            "Imported %(created)d customers into company %(company)s of account %(account)s from %(name)s.",
            created,
        ) % {"created": created, "company": company, "account": account.username, "name": pending.name}
        if skipped:
            text += " " + ngettext(
                "%(n)d row was not imported (errors or duplicates).",
                "%(n)d rows were not imported (errors or duplicates).",
                skipped,
            ) % {"n": skipped}
        self.message_user(request, text, messages.SUCCESS if not skipped else messages.WARNING)
        changelist = reverse("admin:customers_customer_changelist")
        return HttpResponseRedirect(f"{changelist}?account={account.username}&company={company.pk}")
