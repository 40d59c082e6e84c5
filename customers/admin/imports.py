"""Importing customers from a CSV file: upload, preview (the service's dry run), confirm."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from beel.errors import DomainError, ErrorCode
from beel.tenancy import DataScope
from companies.models import Company
from customers import services, spreadsheet
from customers.admin import import_review, pending_import
from customers.admin.common import confirmation_page, csv_download, staff_actor
from customers.forms import CustomerImportForm
from customers.spreadsheet.reading import read_sheet


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
        again when confirmed, and when the preview is shown again filtered or sorted (?review)."""
        if not request.user.has_perm("customers.add_customer"):
            raise PermissionDenied
        if request.method == "POST" and "_confirm" in request.POST:
            return self._confirm_import(request)
        if request.method == "POST" and "_cancel" in request.POST:
            pending_import.discard(request)
            return HttpResponseRedirect(reverse("admin:customers_customer_import_csv"))
        if request.method == "GET" and "review" in request.GET:
            return self._review_again(request)
        form = CustomerImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload, company, mode = (form.cleaned_data[name] for name in ("file", "company", "mode"))
            content, name = upload.read(), upload.name
            try:
                report = self._dry_run(request, company, mode, content)
            except DomainError as error:
                form.add_error("file", import_failure(error))
            else:
                pending_import.keep(request, content=content, company=company, mode=mode, name=name)
                return self._review_page(request, report, company=company, mode=mode, name=name)
        return confirmation_page(
            self,
            request,
            "import_csv.html",
            gettext("Import customers from a CSV file"),
            form=form,
            report=None,
            template_header=";".join(column.header for column in spreadsheet.IMPORT_COLUMNS),
        )

    def _dry_run(self, request, company, mode, content):
        return services.import_customers(
            scope=DataScope.of_company(company, mode), content=content, actor=staff_actor(request), dry_run=True
        )

    def _review_again(self, request):
        pending = pending_import.peek(request)
        if pending is None:
            self.message_user(request, gettext("Nothing to import: upload the file again."), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:customers_customer_import_csv"))
        company = get_object_or_404(Company.objects.select_related("account"), pk=pending.company_id)
        try:
            report = self._dry_run(request, company, pending.mode, pending.content)
        except DomainError as error:
            self.message_user(request, import_failure(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:customers_customer_import_csv"))
        return self._review_page(request, report, company=company, mode=pending.mode, name=pending.name)

    def _review_page(self, request, report, *, company, mode, name):
        """The preview: a count per status (each a filter), the buttons, the rows, the buttons again."""
        rows = import_review.review_rows(report)
        status, sort = request.GET.get("status", ""), request.GET.get("sort", "line")
        return confirmation_page(
            self,
            request,
            "import_csv.html",
            gettext("Import customers from a CSV file"),
            report=report,
            preview_of={"name": name, "company": company, "account": company.account.username, "mode": mode},
            status_counts=import_review.counts(rows),
            rows=import_review.shown(rows, status=status, sort=sort),
            total=len(rows),
            status=status,
            sort=sort if sort in import_review.SORTS else "line",
        )

    def import_rejected_view(self, request, token: str):
        """The rows a confirmed import did not create, in the file's columns and with why: a CSV to correct
        and import again. For staff who can see customers, while it is kept (pending_import.STALE_AFTER)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        kept = pending_import.rejected(token)
        if kept is None:
            raise Http404(gettext("These rejected rows are no longer kept (they are kept for a day after the import)."))
        return csv_download(
            gettext("rejected-rows"),
            spreadsheet.csv_lines(
                [*kept["header"], gettext("Reason")], import_review.rejected_csv_rows(kept["header"], kept["rows"])
            ),
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
        if skipped:
            token = self._keep_rejected(report, pending)
            text = format_html(
                '{} <a href="{}" id="download-rejected">{}</a>',
                text,
                reverse("admin:customers_customer_import_rejected", args=[token]),
                gettext("Download the rejected rows (CSV)"),
            )
        self.message_user(request, text, messages.SUCCESS if not skipped else messages.WARNING)
        changelist = reverse("admin:customers_customer_changelist")
        return HttpResponseRedirect(f"{changelist}?account={account.username}&company={company.pk}")

    def _keep_rejected(self, report, pending) -> str:
        sheet = read_sheet(pending.content)
        cells = {row.line: row.cells for row in sheet.rows}
        return pending_import.keep_rejected(
            {"header": sheet.header, "rows": import_review.rejected_rows(report, cells)}
        )
