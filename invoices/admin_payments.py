"""The invoice page's payments: "Registrar pago" (amount and date) and undoing a payment recorded by mistake,
through the API's services (invoices.payments). Kept out of invoices/admin.py, whose InvoiceAdmin mixes it
in, so the payment workflow reads on its own."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beel.actors import Actor
from beel.clock import today as clock_today
from beel.errors import DomainError
from beel.tenancy import DataScope
from customers.models import PaymentMethod
from invoices import payments
from invoices.models import Invoice, InvoicePayment, InvoiceStatus


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("Empty: what is still due (the invoice becomes paid)."),
    )
    payment_date = forms.DateField(label=_("Payment date"), help_text=_("The date the payment was received."))
    method = forms.ChoiceField(
        label=_("Payment method"), choices=[("", "---------"), *PaymentMethod.choices], required=False
    )


class InvoicePaymentsAdmin:
    """Mixed into InvoiceAdmin: two pages and a read-only list of the invoice's payments."""

    PAYMENT_FIELDS = ("due_date", "amount_paid", "payment_date", "payments_shown")

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.PAYMENT_FIELDS]

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name not in self.PAYMENT_FIELDS]
        if obj is None or not obj.was_issued:
            return fields
        return [*fields, *self.PAYMENT_FIELDS]

    def get_urls(self):
        own = [
            path(
                "<uuid:object_id>/record-payment/",
                self.admin_site.admin_view(self.record_payment_view),
                name="invoices_invoice_record_payment",
            ),
            path(
                "<uuid:object_id>/payments/<uuid:payment_id>/undo/",
                self.admin_site.admin_view(self.undo_payment_view),
                name="invoices_invoice_undo_payment",
            ),
        ]
        return own + super().get_urls()

    @admin.display(description=_("Payments"))
    def payments_shown(self, invoice: Invoice) -> str:
        rows = format_html_join(
            "",
            '<li>{} {} ({}) <a class="undo-payment" href="{}">{}</a></li>',
            (
                (
                    payment.amount,
                    invoice.currency,
                    payment.payment_date,
                    reverse("admin:invoices_invoice_undo_payment", args=[invoice.pk, payment.pk]),
                    gettext("Undo"),
                )
                for payment in invoice.payments.all()
            ),
        )
        record = ""
        if invoice.status == InvoiceStatus.ISSUED:
            record = format_html(
                '<a class="button" id="record-payment" href="{}">{}</a>',
                reverse("admin:invoices_invoice_record_payment", args=[invoice.pk]),
                gettext("Record payment"),
            )
        return format_html("<ul>{}</ul>{}", rows, record)

    def _page(self, request, invoice: Invoice, template: str, **context):
        return TemplateResponse(
            request,
            f"admin/invoices/invoice/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "invoice": invoice,
                "change_url": reverse("admin:invoices_invoice_change", args=[invoice.pk]),
                **context,
            },
        )

    def _allowed(self, request) -> bool:
        return self.has_view_permission(request) and request.user.has_perm("invoices.change_invoice")

    def record_payment_view(self, request, object_id):
        invoice = get_object_or_404(Invoice, pk=object_id)
        if not self._allowed(request):
            raise PermissionDenied
        form = PaymentForm(request.POST or None, initial={"payment_date": clock_today()})
        if request.method == "POST" and form.is_valid():
            try:
                payments.record_payment(
                    scope=DataScope.everything(),
                    invoice_id=str(invoice.pk),
                    actor=Actor.staff(request.user),
                    amount=form.cleaned_data["amount"],
                    payment_date=form.cleaned_data["payment_date"],
                    method=form.cleaned_data["method"],
                )
            except DomainError as error:
                form.add_error(None, _details(error))
            else:
                self.message_user(request, gettext("Payment recorded."), messages.SUCCESS)
                return redirect("admin:invoices_invoice_change", invoice.pk)
        return self._page(request, invoice, "record_payment.html", form=form, amount_due=invoice.amount_due)

    def undo_payment_view(self, request, object_id, payment_id):
        invoice = get_object_or_404(Invoice, pk=object_id)
        payment = get_object_or_404(InvoicePayment, pk=payment_id, invoice=invoice)
        if not self._allowed(request):
            raise PermissionDenied
        if request.method == "POST":
            try:
                payments.undo_payment(
                    scope=DataScope.everything(),
                    invoice_id=str(invoice.pk),
                    payment_id=str(payment.pk),
                    actor=Actor.staff(request.user),
                )
            except DomainError as error:
                self.message_user(request, _details(error), messages.ERROR)
            else:
                self.message_user(request, gettext("Payment undone."), messages.SUCCESS)
            return redirect("admin:invoices_invoice_change", invoice.pk)
        return self._page(request, invoice, "undo_payment.html", payment=payment)


def _details(error: DomainError) -> str:
    details = "; ".join(str(value) for value in (error.details or {}).values() if isinstance(value, str))
    return f"{error.message}: {details}" if details else error.message
