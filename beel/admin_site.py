"""The admin as staff see it in their language: the site's name, the permissions of the user and group
forms, whose names Django stores in English when it creates them ("Can change customer"), and the columns
django-axes leaves unnamed."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Django's four default permissions, as they read in the staff's language.
DEFAULT_PERMISSIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}

admin.site.site_header = _("beel · administration")
admin.site.site_title = _("beel · administration")


def permission_label(permission: Permission) -> str:
    """'Clientes | cliente | Puede modificar cliente': the app and model as their verbose names say, and
    the permission's name in the staff's language (a permission of the project's own is looked up in the
    catalogue by its name)."""
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is not None and action in DEFAULT_PERMISSIONS and model_name == model._meta.model_name:
        name = DEFAULT_PERMISSIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{permission.content_type} | {name}"


class TranslatedPermissions:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


class StaffGroupAdmin(TranslatedPermissions, GroupAdmin):
    pass


class StaffUserAdmin(TranslatedPermissions, UserAdmin):
    pass


class StaffAccessAttemptAdmin(AccessAttemptAdmin):
    @admin.display(description=_("Expires At"))
    def expiration(self, obj):
        return super().expiration(obj)

    @admin.display(description=_("Status"))
    def status(self, obj):
        return super().status(obj)


for model, model_admin in ((Group, StaffGroupAdmin), (User, StaffUserAdmin), (AccessAttempt, StaffAccessAttemptAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
