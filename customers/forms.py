from django import forms
from django.utils.translation import gettext_lazy as _

from beel.errors import DomainError
from customers.models import PERSONAL_FIELDS, Customer
from customers.services import ensure_nif_is_free
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
