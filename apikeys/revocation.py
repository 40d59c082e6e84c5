"""Revoking API keys from the admin, after a confirmation that names each key (prefix, name, account, scopes,
last use) and says what revoking means: it cannot be undone, and every integration using the key is refused
at once. Confirming calls APIKey.revoke, as `revokeapikey` does; a key revoked meanwhile is reported as such."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apikeys.models import APIKey


class RevocationWorkflow:
    """The revoke action of the key list and the Revoke button of a key's page."""

    @admin.action(description=_("Revoke selected API keys"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        if request.POST.get("select_across") != "1":
            # The ids as posted, even those the list's filters no longer show (keys revoked since the
            # confirmation was opened), so a confirmation posted again says so instead of finding nothing.
            queryset = self.get_queryset(request).filter(pk__in=request.POST.getlist(ACTION_CHECKBOX_NAME))
        keys = list(queryset.select_related("account").order_by("account__username", "name", "pk"))
        if request.POST.get("post") == "yes":
            self._revoke(request, keys)
            return None
        hidden = [("action", "revoke_selected"), *((ACTION_CHECKBOX_NAME, str(key.pk)) for key in keys)]
        return self._revocation_confirmation(request, keys, hidden=hidden, cancel_url=request.get_full_path())

    def revoke_view(self, request, object_id):
        api_key = get_object_or_404(self.get_queryset(request).select_related("account"), pk=object_id)
        if not self.has_change_permission(request, api_key):
            raise PermissionDenied
        change_url = reverse("admin:apikeys_apikey_change", args=[api_key.pk])
        if request.method == "POST" and request.POST.get("post") == "yes":
            self._revoke(request, [api_key])
            return HttpResponseRedirect(change_url)
        return self._revocation_confirmation(request, [api_key], hidden=[], cancel_url=change_url)

    def revocation_urls(self) -> list:
        return [
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="apikeys_apikey_revoke",
            )
        ]

    def _revocation_confirmation(self, request, keys: list[APIKey], *, hidden, cancel_url) -> TemplateResponse:
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Revoke API keys?"),
            "to_revoke": [key for key in keys if not key.is_revoked],
            "already_revoked": [key for key in keys if key.is_revoked],
            "hidden": hidden,
            "cancel_url": cancel_url,
        }
        return TemplateResponse(request, "admin/apikeys/apikey/revoke_confirmation.html", context)

    def _revoke(self, request, keys: list[APIKey]) -> None:
        """Revoke the keys not revoked yet (a confirmation may be posted twice) and say what became of each."""
        fresh = [key for key in keys if not key.is_revoked]
        for api_key in fresh:
            api_key.revoke()
        already = len(keys) - len(fresh)
        if fresh:
            text = ngettext("Revoked %(n)d API key: %(keys)s.", "Revoked %(n)d API keys: %(keys)s.", len(fresh)) % {
                "n": len(fresh),
                "keys": ", ".join(f"{key.display_prefix} ({key.name})" for key in fresh),
            }
            if already:
                text += " " + ngettext("%(n)d was already revoked.", "%(n)d were already revoked.", already) % {
                    "n": already
                }
            self.message_user(request, text, messages.SUCCESS)
        elif already:
            text = ngettext(
                "No API key was revoked: the selected one was already revoked.",
                "No API key was revoked: the %(n)d selected were already revoked.",
                already,
            ) % {"n": already}
            self.message_user(request, text, messages.INFO)
        else:
            self.message_user(request, gettext("No API key was revoked: none was selected."), messages.INFO)
