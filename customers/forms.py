from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from beel.errors import DomainError
from beel.tenancy import Mode
from customers.models import PERSONAL_FIELDS, Customer
from customers.services import ensure_nif_is_free
from customers.spreadsheet import MAX_IMPORT_BYTES
from customers.validators import DEFAULT_COUNTRY, normalize_phone, validate_nif


class CustomerAdminForm(forms.ModelForm):
    """The admin's edit form applies the same checks and normalisation as the API (customers.validators)."""

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
        }

    def _country(self) -> str:
        return self.cleaned_data.get("country") or DEFAULT_COUNTRY

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if "nif" in cleaned:
            try:
                cleaned["nif"] = validate_nif(cleaned["nif"], country=self._country())
            except forms.ValidationError as error:
                self.add_error("nif", error)
            else:
                self._check_nif_is_free(cleaned["nif"])
        if cleaned.get("phone"):
            try:
                cleaned["phone"] = normalize_phone(cleaned["phone"], country=self._country())
            except forms.ValidationError as error:
                self.add_error("phone", error)
        return cleaned

    def _check_nif_is_free(self, nif: str) -> None:
        customer = self.instance
        if customer.pk is None or not customer.active:
            return
        try:
            ensure_nif_is_free(account=customer.account_id, mode=customer.mode, nif=nif, exclude_pk=customer.pk)
        except DomainError as error:
            self.add_error("nif", error.message)


class CustomerImportForm(forms.Form):
    """The admin's CSV import: whose customers the file holds (an account, in live or test mode) and the
    file. The rows are read and checked by customers.services.import_customers, as the API does."""

    account = forms.CharField(label=_("Account (username)"), max_length=150)
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.LIVE)
    file = forms.FileField(
        label=_("CSV file"),
        allow_empty_file=True,
        help_text=_(
            "At most 5 MiB and 1,000 customers; separated by ; or , in UTF-8 or Windows-1252, with Spanish or "
            "English headers (Razón social, NIF, Email, Teléfono, Dirección, Código postal, Ciudad, Provincia, "
            "País...)."
        ),
    )

    def clean_account(self):
        username = self.cleaned_data["account"].strip()
        account = get_user_model().objects.filter(username=username, is_staff=False).first()
        if account is None:
            raise forms.ValidationError(_("No customer account has this username."))
        return account

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MiB."))
        return upload
