import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from beel.tenancy import Mode, ScopedQuerySet
from invoices.currencies import ISO_4217_CODES

DEFAULT_SERIES = "A"
# The stored total has the same 12 digits as each amount, so the sum must fit too.
MAX_TOTAL = Decimal("9999999999.99")
DEFAULT_CURRENCY = "EUR"
CURRENCY_MESSAGE = gettext_noop("An ISO 4217 code such as EUR.")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


# Where an invoice may go from each status. Only a draft can be edited; an issued invoice is a legal
# document that can be paid or cancelled, never edited, and paid or cancelled is final.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    InvoiceStatus.DRAFT: frozenset({InvoiceStatus.DRAFT, InvoiceStatus.ISSUED, InvoiceStatus.CANCELLED}),
    InvoiceStatus.ISSUED: frozenset({InvoiceStatus.ISSUED, InvoiceStatus.PAID, InvoiceStatus.CANCELLED}),
    InvoiceStatus.PAID: frozenset({InvoiceStatus.PAID}),
    InvoiceStatus.CANCELLED: frozenset({InvoiceStatus.CANCELLED}),
}


def check_draft_amounts(*, currency: str, subtotal: Decimal, tax_total: Decimal, total: Decimal) -> None:
    """The one check of an invoice's money, used by the admin form (through Invoice.clean) and the API's
    create serializer: amounts not negative, total = subtotal + tax_total within the stored digits, and
    a currency from ISO 4217. Raises a ValidationError naming each wrong field, in the active language: the
    API always speaks English (beel.locale), the admin the staff user's language ("121,00" in Spanish)."""
    errors: dict[str, str] = {}
    if currency not in ISO_4217_CODES:
        errors["currency"] = gettext(CURRENCY_MESSAGE)
    for name, amount in (("subtotal", subtotal), ("tax_total", tax_total)):
        if amount is not None and amount < 0:
            errors[name] = gettext("Must not be negative.")
    if not errors and subtotal is not None and tax_total is not None:
        if subtotal + tax_total > MAX_TOTAL:
            message = gettext("subtotal + tax_total must not exceed %(max)s.") % {
                "max": formats.number_format(MAX_TOTAL)
            }
            errors.update(subtotal=message, tax_total=message)
        elif total != subtotal + tax_total:
            errors["total"] = gettext("Must be subtotal + tax_total = %(total)s.") % {
                "total": formats.number_format(subtotal + tax_total)
            }
    if errors:
        raise ValidationError(errors)


class InvoiceQuerySet(ScopedQuerySet):
    pass


# What a draft holds and the API, the admin's list and its form all show, in this order.
DRAFT_FIELDS = ["status", "issue_date", "currency", "subtotal", "tax_total", "total"]


class Invoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of their own: the (company, mode, ...) indexes and invoice_customer_status_idx lead with them; the
    # account is the company's, kept for account-wide views without a join.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="invoices",
        db_index=False,
        verbose_name=_("account"),
    )
    # The issuer (companies.Company); issuing copies its fiscal identity into `issuer`.
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.PROTECT,
        related_name="invoices",
        db_index=False,
        verbose_name=_("company"),
    )
    # PROTECT: an invoice is a legal document; its customer can be deactivated, never deleted under it.
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="invoices",
        db_index=False,
        verbose_name=_("customer"),
    )
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.LIVE)
    series = models.CharField(_("series"), max_length=20, default=DEFAULT_SERIES)
    # None while a draft: a number is taken only when the invoice is issued (invoices.services.issue_invoice),
    # so a discarded draft never leaves a gap in a series the law requires to be correlative.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    issue_date = models.DateField(_("issue date"), default=timezone.localdate)
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    subtotal = models.DecimalField(
        _("subtotal"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    tax_total = models.DecimalField(_("tax total"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # The recipient's fiscal identity when the invoice was issued (customers.representations.fiscal_identity):
    # the legal document names whom it was issued to, whatever the customer record says later. JSON keeps the
    # shape the API shows and takes new identity fields without a migration. None while a draft.
    recipient = models.JSONField(_("recipient"), null=True, blank=True, editable=False)
    # The issuer's fiscal identity when the invoice was issued (companies.Company.fiscal_identity), for the same
    # reason. None while a draft.
    issuer = models.JSONField(_("issuer"), null=True, blank=True, editable=False)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, editable=False)
    # BeeL 1.9.0's `due_date`: set when issued (the customer's payment term then, or the one given). Whether the
    # invoice is overdue is derived from it on every read (`is_overdue`), never stored, so it is never stale.
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # The sum of its payments (InvoicePayment), kept by invoices.payments under the invoice's row lock in the
    # transaction that records or undoes one, so totals per customer read one column instead of a join.
    amount_paid = models.DecimalField(
        _("amount paid"), max_digits=12, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    # BeeL 1.9.0's `payment_date` (the business date of the payment that settled it) and `paid_at` (when that
    # was recorded): set when the payments cover the total, cleared if an undo uncovers it.
    payment_date = models.DateField(_("payment date"), null=True, blank=True, editable=False)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True, editable=False)
    # When `invoice.overdue` was sent for it (invoices.payments.notify_overdue_invoices): once per invoice.
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Issued although the recipient's tax id was not in its registry: the staff member and the reason they gave
    # (invoices.services.issue_invoice's override; the admin's "issue anyway").
    tax_id_override_reason = models.TextField(_("reason to issue despite the tax id"), blank=True, editable=False)
    tax_id_override_by = models.CharField(_("issued despite the tax id by"), max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "series", models.F("number").desc(nulls_first=True)]
        constraints = [
            # Conditional rather than relying on NULLs being distinct, so numberless drafts are plainly out of it
            # on every database.
            models.UniqueConstraint(
                fields=["company", "mode", "series", "number"],
                condition=models.Q(number__isnull=False),
                name="invoice_unique_number_per_company_series",
            ),
        ]
        # The list's order closed by the id (keyset pagination starts its scan at the cursor), and the
        # change filters' columns (`created_since`, `updated_since`, ...).
        indexes = [
            models.Index(fields=["customer", "status"], name="invoice_customer_status_idx"),
            models.Index(
                fields=["company", "mode", "-issue_date", "series", "-number", "id"], name="invoice_company_order_idx"
            ),
            models.Index(fields=["company", "mode", "created_at", "id"], name="invoice_company_created_idx"),
            models.Index(fields=["company", "mode", "updated_at", "id"], name="invoice_company_updated_idx"),
            # The aging report as of today (invoices.aging_report): what issued invoices still owe, per account,
            # mode, customer and currency, read from the index alone (an index-only scan grouped in its order).
            models.Index(
                fields=["account", "mode", "customer", "currency", "due_date", "company", "total", "amount_paid"],
                condition=models.Q(status="issued"),
                name="invoice_unpaid_aging_idx",
            ),
            # The daily overdue sweep's candidates only: issued invoices not yet notified, by due date.
            models.Index(
                fields=["due_date"],
                condition=models.Q(status="issued", overdue_notified_at__isnull=True),
                name="invoice_overdue_pending_idx",
            ),
            # A customer's overdue amounts (invoices.balances): its issued invoices by due date, nothing else.
            models.Index(
                fields=["customer", "due_date"],
                condition=models.Q(status="issued"),
                name="invoice_customer_unpaid_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.full_number or f"{self.series}-{_('draft')} {str(self.pk)[:8]}"

    @property
    def full_number(self) -> str | None:
        """How an invoice number is printed everywhere: series, dash, six digits (A-000012); None for a draft."""
        if self.number is None:
            return None
        return f"{self.series}-{self.number:06d}"

    @property
    def was_issued(self) -> bool:
        """Issued at some point (issued, paid, or cancelled after issuing): it holds a number and a recipient."""
        return self.number is not None and self.status != InvoiceStatus.DRAFT

    @property
    def amount_due(self) -> Decimal:
        """What is left to pay: the total less the payments, while issued; nothing once paid or cancelled."""
        return self.total - self.amount_paid if self.status == InvoiceStatus.ISSUED else Decimal("0.00")

    def is_overdue(self, today: date) -> bool:
        """Issued, unpaid and past its due date: the due date itself is the last day to pay, so an invoice
        due on the 10th is overdue from the 11th."""
        return self.status == InvoiceStatus.ISSUED and self.due_date is not None and self.due_date < today

    @property
    def is_editable(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    def clean(self) -> None:
        stored_status = None
        if not self._state.adding:
            stored_status = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored_status is not None:
            if stored_status != InvoiceStatus.DRAFT:
                raise ValidationError(_("Only a draft invoice can be changed."))
            if self.status not in ALLOWED_TRANSITIONS[stored_status]:
                raise ValidationError({"status": _("A draft can only be issued or cancelled.")})
        check_draft_amounts(currency=self.currency, subtotal=self.subtotal, tax_total=self.tax_total, total=self.total)


class InvoiceSeriesCounter(models.Model):
    """The last number issued in a company's series. Issuing an invoice locks this row, so numbers are
    consecutive without gaps or duplicates however many invoices are created at once (Spanish invoicing
    rules require correlative numbering within a series)."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices, default=Mode.LIVE)
    series = models.CharField(max_length=20)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice series counter")
        verbose_name_plural = _("invoice series counters")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "mode", "series"], name="invoice_series_counter_unique_per_company"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series}: {self.last_number}"


class InvoicePayment(models.Model):
    """A payment received for an issued invoice (POST /invoices/{id}/mark-paid). Several partial payments may
    settle one invoice; one recorded by mistake is deleted (undone), which the invoice's `amount_paid` follows
    in the same transaction. Amounts are in the invoice's currency: a payment has none of its own."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    payment_date = models.DateField(_("payment date"))
    # BeeL's PaymentInfo.method of the mark-paid body (customers.models.PaymentMethod); "" when not given.
    method = models.CharField(_("payment method"), max_length=20, blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice payment")
        verbose_name_plural = _("invoice payments")
        ordering = ["payment_date", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.amount} ({self.payment_date})"


class CustomerBalance(models.Model):
    """What one customer was billed and owes in one currency, kept by invoices.balances in the transaction that
    issues, cancels or pays one of its invoices (or undoes a payment), so a customer's stats and the list's
    `sort_by=outstanding` read a row instead of the customer's whole history. Counted: issued and paid
    invoices; never drafts nor cancelled ones. Whether anything is overdue is not stored: it is derived on
    each read from `oldest_unpaid_due_date` and the service's clock."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="balances", db_index=False
    )
    currency = models.CharField(max_length=3)
    invoice_count = models.PositiveIntegerField(default=0)
    issued_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    paid_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    outstanding = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    # The earliest due date of an issued invoice with something left to pay: overdue when before today.
    oldest_unpaid_due_date = models.DateField(null=True, blank=True)
    last_invoice_date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("customer balance")
        verbose_name_plural = _("customer balances")
        constraints = [
            models.UniqueConstraint(fields=["customer", "currency"], name="customer_balance_unique_currency"),
        ]
        indexes = [
            # The customer list by what is owed (sort_by=outstanding): the customers who owe, walked in this
            # order from either end, a page's few rows at a time (customers.selectors, docs/performance.md).
            models.Index(fields=["currency", "outstanding", "customer"], name="customer_balance_owed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.currency}: {self.outstanding}"
