import uuid

from django.conf import settings
from django.db import connections, models
from django.db.models import Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.lookups import Exact
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from beel.tenancy import Mode, ScopedQuerySet
from customers.audit import AuditEntry  # noqa: F401 (the history, in its own module; registered here)
from customers.export_jobs import CustomerExport  # noqa: F401 (lives with its job's states; registered here)
from customers.totals import CustomerCount  # noqa: F401 (lives with the counts it keeps valid; registered here)
from customers.validators import (
    DEFAULT_COUNTRY,
    PAYMENT_TERM_MAX_DAYS,
    SPAIN,
    WEBSITE_MAX_LENGTH,
    AlternativeIdType,
    PaymentMethod,
    fold,
    normalize_nif,
    phone_search_fragment,
)

# The customer's own data: what staff edit in the admin, and what an erasure
# scrubs (customers.services.request_erasure).
PERSONAL_FIELDS = [
    "legal_name",
    "nif",
    "email",
    "phone",
    "street",
    "number",
    "floor",
    "door",
    "postal_code",
    "city",
    "province",
    "country",
    "country_code",
    "trade_name",
    "alternative_id_type",
    "alternative_id_number",
    "alternative_id_country",
    "billing_emails",
    "contact_person",
    "website",
    "notes",
    "general_discount",
    "payment_method",
    "iban",
    "swift",
    "payment_term_days",
    "metadata",
]


class TaxIdStatus(models.TextChoices):
    """BeeL's NifValidationStatus (beel.registries.Status), as stored on a customer."""

    VALID = "VALID", _("Valid")
    INVALID = "INVALID", _("Not in the registry")
    PENDING = "PENDING", _("Pending")
    ERROR = "ERROR", _("Error")


# The list filter's name for a customer whose tax id was never checked.
NOT_CHECKED = "NOT_CHECKED"


class CustomerQuerySet(ScopedQuerySet):
    """Reusable query logic: the API filters, the admin search and the benchmark use the same SQL."""

    def within(self, scope) -> "CustomerQuerySet":
        """The scope's customers that still exist for it: a deleted one (BeeL's deleteCompanyCustomer) is kept
        for the tax records only, and no use case finds it again."""
        return super().within(scope).filter(deleted_at__isnull=True)

    def locked(self) -> "CustomerQuerySet":
        """These customers, their rows locked until the transaction ends, one by one in ascending id: the order
        every use case takes customer locks in (invoices.services writes the whole order down). Not the list's
        order: a name may change between two transactions' sorts, an id never does."""
        return self.order_by("pk").select_for_update()

    def active(self) -> "CustomerQuerySet":
        return self.filter(active=True)

    def inactive(self) -> "CustomerQuerySet":
        return self.filter(active=False)

    def legal_name_contains(self, text: str) -> "CustomerQuerySet":
        return self.filter(legal_name_folded__contains=fold(text))

    def nif_contains(self, text: str) -> "CustomerQuerySet":
        return self.filter(nif__contains=normalize_nif(text))

    def email_contains(self, text: str) -> "CustomerQuerySet":
        return self.filter(email__contains=text.strip().lower())

    def phone_contains(self, text: str) -> "CustomerQuerySet":
        fragment = phone_search_fragment(text)
        if not fragment:
            # Nothing dialable was given (e.g. only '+34'): every stored number would match, which is
            # never what the caller meant.
            return self.none() if text.strip() else self
        return self.filter(phone__contains=fragment)

    def in_city(self, city: str) -> "CustomerQuerySet":
        return self.filter(city_folded=fold(city))

    def in_province(self, province: str) -> "CustomerQuerySet":
        return self.filter(province_folded=fold(province))

    def search(self, text: str) -> "CustomerQuerySet":
        """Global search by legal name, NIF or email, case- and accent-insensitive."""
        condition = Q(legal_name_folded__contains=fold(text)) | Q(email__contains=text.strip().lower())
        nif_fragment = normalize_nif(text)
        if nif_fragment:
            condition |= Q(nif__contains=nif_fragment)
        return self.filter(condition)

    def with_metadata(self, pairs: dict[str, str]) -> "CustomerQuerySet":
        """Customers whose metadata hold every one of these key-value pairs. Containment, so PostgreSQL
        answers it from the GIN index of migration 0013; SQLite compares the keys one by one."""
        if not pairs:
            return self
        if connections[self.db].vendor == "postgresql":
            return self.filter(metadata__contains=pairs)
        # By explicit transforms: a key may hold '__', which a lookup string would read as a path.
        return self.filter(*(Exact(KeyTextTransform(key, "metadata"), Value(value)) for key, value in pairs.items()))

    def with_invoice_count(self) -> "CustomerQuerySet":
        return self.annotate(invoice_count=models.Count("invoices"))

    def with_tax_id_status(self, status: str) -> "CustomerQuerySet":
        """By the tax id check's status; NOT_CHECKED: never checked (no registry holds such an id, or the
        customer is older than the checks)."""
        return self.filter(tax_id_status="" if status == NOT_CHECKED else status)

    def tax_id_recheck_due(self, now) -> "CustomerQuerySet":
        return self.filter(tax_id_recheck_at__isnull=False, tax_id_recheck_at__lte=now)

    def erasure_due(self, today) -> "CustomerQuerySet":
        """Customers whose erasure waited for the legal retention period, and whose period ended before today."""
        return self.filter(retain_until__isnull=False, retain_until__lt=today, anonymized_at__isnull=True)


class Customer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: (account, mode) below serves the foreign key and counting alike.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,
        verbose_name=_("account"),
    )
    # The issuer the customer belongs to (companies.Company). The account is kept beside it: it is the company's
    # account, and the staff's and operators' account-wide views filter on it without a join.
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,
        verbose_name=_("company"),
    )
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.LIVE)
    legal_name = models.CharField(_("legal name"), max_length=255)
    nif = models.CharField(
        "NIF",
        max_length=20,
        blank=True,
        help_text=_("Normalised: upper case, no spaces or dashes. Empty for a customer with an alternative id."),
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164, e.g. +34912345678."))

    street = models.CharField(_("street"), max_length=255, blank=True)
    number = models.CharField(_("number"), max_length=20, blank=True)
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    door = models.CharField(_("door"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, default=DEFAULT_COUNTRY)
    # ISO 3166-1 alpha-2; it, not the name, decides the NIF check and the phone's region. Empty only on
    # rows from before it whose country name was not recognised (migration 0013).
    country_code = models.CharField(_("country code"), max_length=2, default=SPAIN, blank=True)

    trade_name = models.CharField(_("trade name"), max_length=120, blank=True)
    # For a customer without a Spanish NIF: AEAT's IDOtro (type, number, issuing country).
    alternative_id_type = models.CharField(
        _("alternative id type"), max_length=2, choices=AlternativeIdType.choices, blank=True
    )
    alternative_id_number = models.CharField(_("alternative id number"), max_length=20, blank=True)
    alternative_id_country = models.CharField(_("alternative id country"), max_length=2, blank=True)
    billing_emails = models.JSONField(_("billing emails"), default=list, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    website = models.CharField(_("website"), max_length=WEBSITE_MAX_LENGTH, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    general_discount = models.DecimalField(_("general discount (%)"), max_digits=5, decimal_places=2, default=0)
    payment_method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    swift = models.CharField("BIC/SWIFT", max_length=11, blank=True)
    payment_term_days = models.PositiveSmallIntegerField(
        _("payment term (days)"),
        null=True,
        blank=True,
        help_text=format_lazy(_("0 to {days}."), days=PAYMENT_TERM_MAX_DAYS),
    )
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)

    active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True, editable=False)
    # The erasure lifecycle (customers.services.request_erasure): asked for, kept until the retention period
    # of the invoices issued to it ends, then anonymised.
    erasure_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    retain_until = models.DateField(
        null=True, blank=True, editable=False, help_text=_("Anonymised automatically after this day (legal retention).")
    )
    anonymized_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A duplicate merged into another customer (customers.services.merge_customers) points at the survivor.
    # Indexed by the partial customer_merged_into_idx: a full index would take an entry (NULL) for every
    # version of every customer, paid by each deactivation, for the few that were merged.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_customers",
        editable=False,
        db_index=False,
    )
    # The tax id's check against its registry (AEAT's census for a NIF, VIES for a NIF_IVA alternative id;
    # customers.services.tax_id): what the registry last said and when. Empty status: never checked.
    tax_id_status = models.CharField(_("tax id status"), max_length=7, choices=TaxIdStatus.choices, blank=True)
    tax_id_checked_at = models.DateTimeField(_("tax id checked at"), null=True, blank=True, editable=False)
    tax_id_registry = models.CharField(_("registry"), max_length=4, blank=True, editable=False)
    tax_id_registry_name = models.CharField(_("name in the registry"), max_length=255, blank=True, editable=False)
    tax_id_consultation = models.CharField(_("VIES consultation number"), max_length=64, blank=True, editable=False)
    tax_id_result_code = models.CharField(_("registry result code"), max_length=40, blank=True, editable=False)
    # A PENDING check is asked again from this moment (customers.tasks, with backoff); None: nothing to ask.
    tax_id_recheck_at = models.DateTimeField(null=True, blank=True, editable=False)
    tax_id_recheck_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    # BeeL 1.9.0's deleteCompanyCustomer: gone from the API (404, never listed) and its identifier free for a
    # new customer, while the row stays for the tax records of what was invoiced to it.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Case- and accent-folded copies for search and sorting (see customers.validators.fold); kept in step
    # by save() and by `fold_search_fields()` for bulk writes.
    legal_name_folded = models.CharField(max_length=255, editable=False, default="")
    city_folded = models.CharField(max_length=100, editable=False, default="")
    province_folded = models.CharField(max_length=100, editable=False, default="")

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["legal_name_folded", "id"]
        # What cannot be undone is granted apart from "change customer" (docs/admin.md, who may do what).
        permissions = [
            ("anonymize_customer", _("Can anonymise customers")),
            ("merge_customer", _("Can merge customers")),
        ]
        constraints = [
            # A customer with an alternative id instead has no NIF, and many may have none.
            models.UniqueConstraint(
                fields=["company", "mode", "nif"],
                condition=Q(active=True) & ~Q(nif=""),
                name="customer_unique_active_nif_per_company",
            ),
            # The same document of the same country is the same customer, whatever type it was given as.
            models.UniqueConstraint(
                fields=["company", "mode", "alternative_id_country", "alternative_id_number"],
                condition=Q(active=True) & ~Q(alternative_id_type=""),
                name="customer_unique_active_alternative_id_per_company",
            ),
        ]
        # Every API query filters on the company and the key's mode first. One b-tree per sort key, led by
        # both and closed by the id tiebreak, so a sorted page is an index range scan whatever sort_by is.
        # Partial-match filters use the trigram indexes that migration 0003 adds on PostgreSQL. Every index
        # is paid for by every deactivation (an UPDATE of `active` and `updated_at` cannot be HOT), so none
        # is kept that no query needs (migration 0013: counts come from CustomerCount, and `active` lists
        # walk the sort key's index).
        indexes = [
            models.Index(fields=["company", "mode", "created_at", "id"], name="customer_company_created_idx"),
            models.Index(fields=["company", "mode", "updated_at", "id"], name="customer_company_updated_idx"),
            models.Index(fields=["company", "mode", "legal_name_folded", "id"], name="customer_company_name_idx"),
            models.Index(fields=["company", "mode", "nif", "id"], name="customer_company_nif_idx"),
            models.Index(fields=["company", "mode", "email", "id"], name="customer_company_email_idx"),
            models.Index(fields=["company", "mode", "city_folded", "id"], name="customer_company_city_idx"),
            models.Index(fields=["company", "mode", "province_folded", "id"], name="customer_company_province_idx"),
            models.Index(
                fields=["merged_into"], condition=Q(merged_into__isnull=False), name="customer_merged_into_idx"
            ),
            # The background re-check reads only the customers whose check is due.
            models.Index(
                fields=["tax_id_recheck_at"],
                condition=Q(tax_id_recheck_at__isnull=False),
                name="customer_tax_id_recheck_idx",
            ),
            # The daily anonymisation reads only the customers still waiting for their date.
            models.Index(
                fields=["retain_until"],
                condition=Q(retain_until__isnull=False, anonymized_at__isnull=True),
                name="customer_erasure_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.tax_id})"

    def save(self, *args, **kwargs):
        self.fold_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "legal_name_folded", "city_folded", "province_folded"}
        super().save(*args, **kwargs)

    def fold_search_fields(self) -> None:
        self.legal_name_folded = fold(self.legal_name)
        self.city_folded = fold(self.city)
        self.province_folded = fold(self.province)

    @property
    def tax_id(self) -> str:
        """How the customer is identified to the tax authority: its NIF, or its alternative id."""
        if self.nif or not self.alternative_id_type:
            return self.nif
        return f"{self.alternative_id_country} {self.alternative_id_number}"
