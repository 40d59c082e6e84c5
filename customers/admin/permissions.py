"""Actions that need more than "change customer": anonymising and merging cannot be undone, so each has its
own permission (Customer.Meta.permissions; docs/admin.md lists who may do what). The admin leaves an action
out of the menu of a staff user who may not run it; one posted anyway (a page opened before the permission
was withdrawn, a crafted request) is refused saying so, rather than with Django's "No action selected"."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext


class ActionPermissionRefusal:
    def response_action(self, request, queryset, action_location=admin.ActionLocation.CHANGE_LIST):
        name = _posted_action_name(request)
        posted = self.get_action(name) if name in self.actions else None
        if posted is not None:
            missing = [
                permission
                for permission in getattr(posted.func, "allowed_permissions", ())
                if not getattr(self, f"has_{permission}_permission")(request)
            ]
            if missing:
                self.message_user(
                    request,
                    gettext("You do not have permission to “%(action)s”: ask an administrator for it.")
                    % {"action": posted.description},
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, action_location)


def _posted_action_name(request) -> str | None:
    """The action of the form whose button was pushed (the changelist has one above and one below)."""
    try:
        return request.POST.getlist("action")[int(request.POST.get("index", 0))]
    except (ValueError, IndexError):
        return None
