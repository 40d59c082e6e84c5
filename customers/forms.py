from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from beel.errors import DomainError
from beel.tenancy import Mode
from companies.models import Company
from customers.models import PERSONAL_FIELDS, Customer
from customers.record import RECORD_DEFAULTS, clean_record, stored_values
from customers.services import ensure_identity_is_free
from customers.spreadsheet import MAX_IMPORT_BYTES
from customers.validators import (
    MAX_BILLING_EMAILS,
    PAYMENT_TERM_MAX_DAYS,
    normalize_bic,
    normalize_country_code,
    normalize_iban,
    validate_legal_name,
    validate_metadata,
    validate_url,
)

# Where an error of the rules between fields (clean_record) is shown: the alternative id as a whole is
# shown on its type.
FORM_FIELD_OF = {"alternative_id": "alternative_id_type"}


class BillingEmailsField(forms.CharField):
    """The billing emails, one per line (stored as a list)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        emails = list(dict.fromkeys(line.strip().lower() for line in text.replace(",", "\n").splitlines()))
        return [email for email in emails if email]

    def validate(self, value):
        if len(value) > MAX_BILLING_EMAILS:
            raise ValidationError(_("At most %(n)d addresses.") % {"n": MAX_BILLING_EMAILS})
        for email in value:
            forms.EmailField().clean(email)

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


class CustomerAdminForm(forms.ModelForm):
    """The admin's edit form applies the same checks and normalisation as the API (customers.validators:
    each value's function, then customers.record's `clean_record` for the rules between them)."""

    billing_emails = BillingEmailsField(label=_("Billing emails"), required=False)
    payment_term_days = forms.IntegerField(
        label=_("Payment term (days)"), required=False, min_value=0, max_value=PAYMENT_TERM_MAX_DAYS
    )
    general_discount = forms.DecimalField(
        label=_("General discount (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )

    class Meta:
        model = Customer
        fields = PERSONAL_FIELDS
        labels = {
            "legal_name": _("Legal name"),
            "nif": _("NIF"),
            "email": _("Email"),
            "phone": _("Phone"),
            "street": _("Street"),
            "number": _("Number"),
            "floor": _("Floor"),
            "door": _("Door"),
            "postal_code": _("Postal code"),
            "city": _("City"),
            "province": _("Province"),
            "country": _("Country"),
            "country_code": _("Country code"),
            "trade_name": _("Trade name"),
            "alternative_id_type": _("Alternative id type"),
            "alternative_id_number": _("Alternative id number"),
            "alternative_id_country": _("Alternative id country"),
            "contact_person": _("Contact person"),
            "website": _("Website"),
            "notes": _("Notes"),
            "payment_method": _("Payment method"),
            "iban": "IBAN",
            "swift": "BIC/SWIFT",
            "metadata": _("Metadata"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Refused rather than trimmed, as the API refuses it (validate_legal_name).
        if "legal_name" in self.fields:  # a view-only staff user's form has no fields
            self.fields["legal_name"].strip = False

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_legal_name(self) -> str:
        return validate_legal_name(self.cleaned_data["legal_name"])

    def clean_country_code(self) -> str:
        return normalize_country_code(self.cleaned_data["country_code"])

    def clean_alternative_id_country(self) -> str:
        code = self.cleaned_data["alternative_id_country"]
        return normalize_country_code(code) if code else ""

    def clean_website(self) -> str:
        return validate_url(self.cleaned_data["website"]) if self.cleaned_data["website"] else ""

    def clean_iban(self) -> str:
        return normalize_iban(self.cleaned_data["iban"]) if self.cleaned_data["iban"] else ""

    def clean_swift(self) -> str:
        return normalize_bic(self.cleaned_data["swift"]) if self.cleaned_data["swift"] else ""

    def clean_metadata(self) -> dict:
        return validate_metadata(self.cleaned_data["metadata"] or {})

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        customer = self.instance
        current = None if customer._state.adding else stored_values(customer)
        changes = {name: cleaned[name] for name in self.changed_data if name in cleaned and name in RECORD_DEFAULTS}
        try:
            # What the admin saves (CustomerAdmin.save_model): the changes, normalised, with what they imply.
            self.record_changes = clean_record(changes, current=current)
        except ValidationError as error:
            for name, items in error.error_dict.items():
                self.add_error(FORM_FIELD_OF.get(name, name), items)
            return cleaned
        cleaned.update(self.record_changes)
        self._check_identity_is_free()
        return cleaned

    def _check_identity_is_free(self) -> None:
        customer = self.instance
        if customer._state.adding or not customer.active:
            return  # a new customer's company is checked by CustomerAddForm
        values = {name: self.cleaned_data.get(name, getattr(customer, name)) for name in RECORD_DEFAULTS}
        try:
            ensure_identity_is_free(
                company_id=customer.company_id, mode=customer.mode, values=values, exclude_pk=customer.pk
            )
        except DomainError as error:
            self.add_error("nif" if values["nif"] else "alternative_id_number", error.message)
            self.add_error("nif", error.message)


class CompanyChoiceField(forms.ModelChoiceField):
    """A company, named with its account, since the list holds the companies of every account."""

    def label_from_instance(self, company: Company) -> str:
        return f"{company} · {company.account.username}"


class IssuerChoiceForm(forms.Form):
    """Whose customers they are: an account (by username), one of its companies and a mode. The company may be
    left empty for an account with only one, as the API's flat routes do without `BeeL-Active-Company`."""

    account = forms.CharField(label=_("Account (username)"), max_length=150)
    company = CompanyChoiceField(
        label=_("Company"),
        queryset=Company.objects.select_related("account").order_by("account__username", "-is_primary", "legal_name"),
        required=False,
        help_text=_("One of the account's companies; may be left empty when the account has only one."),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.LIVE)

    def clean_account(self):
        username = self.cleaned_data["account"].strip()
        account = get_user_model().objects.filter(username=username, is_staff=False).first()
        if account is None:
            raise forms.ValidationError(_("No customer account has this username."))
        return account

    def clean(self):
        cleaned = super().clean()
        account, company = cleaned.get("account"), cleaned.get("company")
        if account is None or "company" in self.errors:
            return cleaned
        if company is not None and company.account_id != account.pk:
            self.add_error("company", _("This company belongs to another account."))
        elif company is None:
            only = list(Company.objects.of_account(account)[:2])
            if len(only) == 1:
                cleaned["company"] = only[0]
            else:
                self.add_error("company", _("This account has several companies: choose one."))
        return cleaned


class CustomerAddForm(IssuerChoiceForm, CustomerAdminForm):
    """A new customer in the admin: of the chosen company (of the chosen account) and mode, with the same
    checks as the API's create (clean_record, and the NIF or alternative id free in that company)."""

    def clean(self):
        cleaned = super().clean()
        company = cleaned.get("company")
        if company is None or self.errors or not hasattr(self, "record_changes"):
            return cleaned
        values = {**RECORD_DEFAULTS, **self.record_changes}
        try:
            ensure_identity_is_free(company_id=company.pk, mode=cleaned["mode"], values=values)
        except DomainError as error:
            self.add_error("nif" if values["nif"] else "alternative_id_number", error.message)
        return cleaned


class CustomerImportForm(IssuerChoiceForm):
    """The admin's CSV import: whose customers the file holds (a company of an account, in live or test
    mode) and the file. The rows are read and checked by customers.services.import_customers, as the API
    does."""

    file = forms.FileField(
        label=_("CSV file"),
        allow_empty_file=True,
        help_text=_(
            "At most 5 MiB and 1,000 customers; separated by ; or , in UTF-8 or Windows-1252, with Spanish or "
            "English headers (Razón social, NIF, Email, Teléfono, Dirección, Código postal, Ciudad, Provincia, "
            "País...)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MiB."))
        return upload
