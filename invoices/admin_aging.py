"""The admin's "Antigüedad de saldos" (aging across customers): what each customer owes as of a day, by aging
bucket, with the totals per currency and a CSV download, through the API's selector (invoices.aging_report)
and CSV (invoices.aging_spreadsheet). Mixed into InvoiceAdmin; staff need to be able to view invoices."""

import dataclasses
import math
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from beel.clock import today as clock_today
from beel.tenancy import DataScope, Mode
from companies.models import Company
from invoices import aging_report, aging_spreadsheet
from invoices.aging import AGING_BUCKETS
from invoices.aging_report import SORT_FIELDS, AgingAsked

ROWS_PER_PAGE = 50
ORDERS = (("desc", pgettext_lazy("aging", "Descending")), ("asc", pgettext_lazy("aging", "Ascending")))


class AgingForm(forms.Form):
    as_of = forms.DateField(
        label=pgettext_lazy("aging", "As of"), required=False, help_text=_("Empty: today. Never later than today.")
    )
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.order_by("legal_name", "id"),
        required=False,
        empty_label=pgettext_lazy("aging", "All companies"),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.LIVE, required=False)
    sort_by = forms.ChoiceField(
        choices=[(name, name) for name in SORT_FIELDS], required=False, widget=forms.HiddenInput
    )
    sort_order = forms.ChoiceField(choices=ORDERS, required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"] or clock_today()
        if as_of > clock_today():
            raise ValidationError(gettext("Must not be later than today: later payments are unknown."))
        return as_of

    def scope(self) -> DataScope:
        company, mode = self.cleaned_data["company"], self.cleaned_data["mode"] or Mode.LIVE
        if company is not None:
            return DataScope.of_company(company, mode)
        return dataclasses.replace(DataScope.everything(), mode=mode)

    def asked(self) -> AgingAsked:
        sort_by = self.cleaned_data["sort_by"] or aging_report.DEFAULT_SORT
        sort_order = self.cleaned_data["sort_order"] or (
            "desc" if sort_by in aging_report.DESCENDING_BY_DEFAULT else "asc"
        )
        return AgingAsked(as_of=self.cleaned_data["as_of"], sort_by=sort_by, descending=sort_order == "desc")


class InvoiceAgingAdmin:
    """Two URLs beside the invoice list: the report page and its CSV."""

    def get_urls(self):
        own = [
            path("aging/", self.admin_site.admin_view(self.aging_view), name="invoices_invoice_aging"),
            path("aging/csv/", self.admin_site.admin_view(self.aging_csv_view), name="invoices_invoice_aging_csv"),
        ]
        return own + super().get_urls()

    def _aging_form(self, request) -> AgingForm:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return AgingForm(request.GET or {"mode": Mode.LIVE})

    def aging_view(self, request):
        form = self._aging_form(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Aging of receivables"),
            "form": form,
        }
        if form.is_valid():
            context.update(self._report(form))
        return TemplateResponse(request, "admin/invoices/invoice/aging.html", context)

    def _report(self, form: AgingForm) -> dict:
        asked, scope = form.asked(), form.scope()
        totals = aging_report.currency_totals(scope, asked.as_of)
        count = sum(currency.customers for currency in totals)
        pages = max(math.ceil(count / ROWS_PER_PAGE), 1)
        page = min(form.cleaned_data["page"] or 1, pages)
        offset = (page - 1) * ROWS_PER_PAGE
        rows = list(aging_report.aging_rows(scope, asked)[offset : offset + ROWS_PER_PAGE])
        query = {name: value for name, value in form.data.items() if name != "page" and value}
        query["as_of"] = asked.as_of.isoformat()

        def link(**changes) -> str:
            return "?" + urlencode({**query, **changes})

        def header(key: str, label) -> dict:
            current = asked.sort_by == key
            flipped = "asc" if current and asked.descending else "desc"
            arrow = ("▼" if asked.descending else "▲") if current else ""
            return {"label": label, "url": link(sort_by=key, sort_order=flipped), "arrow": arrow}

        headers = [
            header("legal_name", gettext("Legal name")),
            header("nif", "NIF"),
            header("currency", pgettext("aging", "Currency")),
            *(header(bucket.key, bucket.label) for bucket in AGING_BUCKETS),
            header("total", pgettext("aging", "Total")),
        ]
        amounts = [*(bucket.key for bucket in AGING_BUCKETS), "total_due"]
        return {
            "as_of": asked.as_of,
            "headers": headers,
            "rows": [{**row, "amounts": [row[name] for name in amounts]} for row in rows],
            "totals": [
                {"currency": each.currency, "customers": each.customers, "amounts": [each.amounts[n] for n in amounts]}
                for each in totals
            ],
            "count": count,
            "page": page,
            "pages": pages,
            "previous_url": link(page=page - 1) if page > 1 else None,
            "next_url": link(page=page + 1) if page < pages else None,
            "csv_query": urlencode(query),
        }

    def aging_csv_view(self, request):
        form = self._aging_form(request)
        if not form.is_valid():
            return self.aging_view(request)
        asked = form.asked()
        lines = aging_spreadsheet.csv_lines(aging_report.aging_rows(form.scope(), asked))
        headers = {"Content-Disposition": f'attachment; filename="{aging_spreadsheet.filename(asked.as_of)}"'}
        return StreamingHttpResponse(lines, content_type=aging_spreadsheet.MEDIA_TYPE, headers=headers)
