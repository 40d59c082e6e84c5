"""Strings the admin shows that are not the project's own, marked here so that `makemessages` keeps them in
the project's catalogue (locale/es), which Django reads before its own and its libraries'. Nothing imports
this module: it is read by `makemessages` only, and tests/staff/test_catalogue.py holds every entry to a
translation.

- Django 6.1's admin strings its Spanish catalogue does not translate yet.
- django-axes' strings (it ships no Spanish catalogue).
- The verbose names of a model whose app cannot mark them without a migration (beel.idempotency)."""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO = [
    gettext_noop("Run"),
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would require deleting the following protected related "
        "objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All of the following related "
        "items will be deleted:"
    ),
    gettext_noop("Pagination %(name)s entries"),
    gettext_noop("Pagination %(name)s"),
    gettext_noop("Search %(name)s"),
    gettext_noop("Logout"),
    gettext_noop("- Select an option -"),
    gettext_noop('The app "%s" could not be found.'),
    gettext_noop("“%(value)s” is not a valid binary value."),
    gettext_noop("No %s matches the given query."),
    ngettext_lazy("…and %(count)d more object.", "…and %(count)d more objects.", "count"),
]

AXES = [
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
    gettext_noop("Account locked: too many login attempts. Contact an admin to unlock your account."),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("Username"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
]

MODELS = [
    gettext_noop("idempotency record"),
    gettext_noop("idempotency records"),
]
