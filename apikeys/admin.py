from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from apikeys.models import APIKey, Scope
from beel.tenancy import Mode


class APIKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, help_text="What this key may do."
    )
    mode = forms.ChoiceField(
        choices=Mode.choices,
        initial=Mode.LIVE,
        required=False,
        help_text="A test key sees only the account's test data.",
    )

    def clean_mode(self) -> str:
        return self.cleaned_data.get("mode") or Mode.LIVE

    class Meta:
        model = APIKey
        fields = ["account", "name", "mode", "scopes", "expires_at"]


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    form = APIKeyForm
    list_display = ["name", "display_prefix", "account", "mode", "scope_list", "created_at", "last_used_at", "status"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "mode", "created_at"]
    search_fields = ["name", "prefix", "account__username"]
    list_select_related = ["account"]
    readonly_fields = ["display_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        # The owner and mode of an existing key never change (they are part of what the key is).
        return [*self.readonly_fields, "account", "mode"] if obj else self.readonly_fields

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)  # revoke instead, so the key's history stays visible
        return actions

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        raw_key = obj.save_with_new_secret()
        # Shown once, in this message; only the hash is stored, so nobody can show it again.
        self.message_user(
            request,
            f"New API key for {obj.account}: {raw_key} — copy it now, it will not be shown again.",
            messages.WARNING,
        )

    @admin.display(description="Key")
    def display_prefix(self, api_key: APIKey) -> str:
        return api_key.display_prefix if api_key.prefix else "—"

    @admin.display(description="Scopes")
    def scope_list(self, api_key: APIKey) -> str:
        return ", ".join(api_key.scopes)

    @admin.display(description="Status")
    def status(self, api_key: APIKey) -> str:
        if api_key.is_revoked:
            return "revoked"
        if api_key.is_expired(timezone.now()):
            return "expired"
        return "active"

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key.revoke()
            revoked += 1
        self.message_user(request, f"Revoked {revoked} API key{'s' if revoked != 1 else ''}.")
