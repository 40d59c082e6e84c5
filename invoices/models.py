import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from beel.tenancy import Mode, ScopedQuerySet

DEFAULT_SERIES = "A"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


class InvoiceQuerySet(ScopedQuerySet):
    pass


class Invoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices")
    # PROTECT: an invoice is a legal document; its customer can be deactivated, never deleted under it.
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="invoices")
    mode = models.CharField(max_length=4, choices=Mode.choices, default=Mode.LIVE)
    series = models.CharField(max_length=20, default=DEFAULT_SERIES)
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    issue_date = models.DateField(default=timezone.localdate)
    currency = models.CharField(max_length=3, default="EUR")
    subtotal = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    tax_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "series", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "mode", "series", "number"], name="invoice_unique_number_per_series"
            ),
        ]
        # The list's order closed by the id (keyset pagination starts its scan at the cursor), and the
        # change filters' columns (`created_since`, `updated_since`, ...).
        indexes = [
            models.Index(fields=["customer", "status"], name="invoice_customer_status_idx"),
            models.Index(
                fields=["account", "mode", "-issue_date", "series", "-number", "id"], name="invoice_account_order_idx"
            ),
            models.Index(fields=["account", "mode", "created_at", "id"], name="invoice_account_created_idx"),
            models.Index(fields=["account", "mode", "updated_at", "id"], name="invoice_account_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.series}-{self.number}"

    @property
    def full_number(self) -> str:
        return f"{self.series}-{self.number:06d}"


class InvoiceSeriesCounter(models.Model):
    """The last number issued in an account's series. Invoice creation locks this row, so numbers are
    consecutive without gaps or duplicates however many invoices are created at once (Spanish invoicing
    rules require correlative numbering within a series)."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices, default=Mode.LIVE)
    series = models.CharField(max_length=20)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "mode", "series"], name="invoice_series_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series}: {self.last_number}"
