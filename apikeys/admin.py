from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apikeys.models import APIKey, Scope
from apikeys.revocation import RevocationWorkflow
from beel.tenancy import Mode
from companies.models import Company


class CompaniesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, company: Company) -> str:
        return f"{company} · {company.account.username}"


class APIKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Scopes"),
        help_text=_("What this key may do."),
    )
    mode = forms.ChoiceField(
        choices=Mode.choices,
        initial=Mode.LIVE,
        required=False,
        label=_("Mode"),
        help_text=_("A test key sees only the account's test data."),
    )

    companies = CompaniesField(
        label=_("Companies"),
        queryset=Company.objects.select_related("account").order_by("account__username", "-is_primary", "legal_name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Restrict the key to these companies of its account; none checked: every company, present and future."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "account" in self.fields:
            # A key acts for a customer account; a staff user's key would reach the API as that staff user.
            self.fields["account"].queryset = get_user_model().objects.filter(is_staff=False, is_active=True)
        if "companies" in self.fields and not self.instance._state.adding:
            # The account of an existing key is fixed: offer its companies only.
            companies = self.fields["companies"]
            companies.queryset = companies.queryset.filter(account_id=self.instance.account_id)
            companies.initial = list(self.instance.company_ids)

    def clean(self):
        cleaned = super().clean()
        account = cleaned.get("account") or getattr(self.instance, "account", None)
        companies = cleaned.get("companies")
        if not companies or account is None:
            self.instance.company_ids = []
            return cleaned
        foreign = [company for company in companies if company.account_id != account.pk]
        if foreign:
            self.add_error(
                "companies",
                _("Not companies of the key's account: %(names)s") % {"names": ", ".join(map(str, foreign))},
            )
        self.instance.company_ids = sorted(str(company.pk) for company in companies)
        return cleaned

    def clean_mode(self) -> str:
        return self.cleaned_data.get("mode") or Mode.LIVE

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return expires_at

    class Meta:
        model = APIKey
        fields = ["account", "name", "mode", "scopes", "expires_at"]


class KeyStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("revoked", _("Revoked")), ("expired", _("Expired"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.usable(now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(APIKey)
class APIKeyAdmin(RevocationWorkflow, admin.ModelAdmin):
    form = APIKeyForm
    list_display = [
        "name",
        "display_prefix",
        "account",
        "mode",
        "scope_list",
        "company_count",
        "created_at",
        "last_used_at",
        "status",
    ]
    list_filter = [KeyStatusFilter, "mode", "created_at"]
    search_fields = ["name", "prefix", "account__username"]
    list_select_related = ["account"]
    readonly_fields = ["display_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]
    change_form_template = "admin/apikeys/apikey/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        # The owner and mode of an existing key never change (they are part of what the key is).
        return [*self.readonly_fields, "account", "mode"] if obj else self.readonly_fields

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)  # revoke instead, so the key's history stays visible
        return actions

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return self.revocation_urls() + super().get_urls()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        raw_key = obj.save_with_new_secret()
        # Shown once, in this message; only the hash is stored, so nobody can show it again.
        self.message_user(
            request,
            format_html(
                '{} <textarea id="new-api-key" class="vTextField" rows="1" cols="70" readonly '
                'spellcheck="false" aria-label="{}">{}</textarea> '
                '<button type="button" class="button" data-copy-from="new-api-key" data-copied-label="{}">{}</button> '
                "{}",
                gettext("New API key for %(account)s:") % {"account": obj.account},
                gettext("New API key"),
                raw_key,
                gettext("Copied"),
                gettext("Copy"),
                gettext("— copy it now, it will not be shown again."),
            ),
            messages.WARNING,
        )

    class Media:
        js = ["apikeys/copy_key.js"]

    @admin.display(description=_("Key"))
    def display_prefix(self, api_key: APIKey) -> str:
        return api_key.display_prefix if api_key.prefix else "—"

    @admin.display(description=_("Scopes"))
    def scope_list(self, api_key: APIKey) -> str:
        return ", ".join(api_key.scopes)

    @admin.display(description=_("Companies"))
    def company_count(self, api_key: APIKey) -> str:
        if not api_key.company_ids:
            return gettext("all")
        n = len(api_key.company_ids)
        return ngettext("%(n)d company", "%(n)d companies", n) % {"n": n}

    @admin.display(description=_("Status"))
    def status(self, api_key: APIKey) -> str:
        if api_key.is_revoked:
            return gettext("revoked")
        if api_key.is_expired(timezone.now()):
            return gettext("expired")
        return gettext("active")
