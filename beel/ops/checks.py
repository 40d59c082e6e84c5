"""Deploy checks (`manage.py check --deploy`): configurations that run but quietly do the wrong thing."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from beel.ops.middleware import parse_networks

_PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.security, deploy=True)
def rate_limits_are_shared(app_configs, **kwargs):
    """Each worker counting alone multiplies every rate limit by the number of workers."""
    if settings.DEBUG or settings.ACCEPT_PER_PROCESS_RATE_LIMITS:
        return []
    if settings.CACHES["default"]["BACKEND"] not in _PER_PROCESS_CACHES:
        return []
    return [
        Error(
            "Rate-limit counters are kept per process: with several workers or servers every limit is "
            "multiplied by their number.",
            hint="Set CACHE_URL=redis://host:6379/0, or ACCEPT_PER_PROCESS_RATE_LIMITS=true for a deployment "
            "of exactly one single-process server.",
            id="beel.E001",
        )
    ]


_LOCAL_FILES = "django.core.files.storage.FileSystemStorage"


@register(Tags.security, deploy=True)
def customer_imports_are_shared(app_configs, **kwargs):
    """A CSV previewed in the admin waits in the `customer_imports` storage until staff confirm it, and the
    confirmation may reach another instance: the checkout's own folder is one machine's."""
    return _unshared_storage(
        "customer_imports",
        "CUSTOMER_IMPORTS_DIR",
        "The admin's CSV imports wait in a folder of this checkout: with several instances a confirmation "
        "reaching another one asks for the file again.",
        "beel.W001",
    )


@register(Tags.security, deploy=True)
def customer_exports_are_shared(app_configs, **kwargs):
    """An export job's file is written by a Celery worker and served by whichever instance the download
    reaches (customers.services.exports)."""
    return _unshared_storage(
        "customer_exports",
        "CUSTOMER_EXPORTS_DIR",
        "Customer export files are written to a folder of this checkout: a download reaching another instance "
        "than the worker that wrote the file finds none (410 EXPORT_EXPIRED).",
        "beel.W004",
    )


def _unshared_storage(alias: str, directory_setting: str, message: str, check_id: str) -> list[Warning]:
    storage = settings.STORAGES[alias]
    if settings.DEBUG or getattr(settings, directory_setting) or storage["BACKEND"] != _LOCAL_FILES:
        return []
    hint = (
        f"Set {directory_setting} to a private directory every instance shares, or point "
        f'STORAGES["{alias}"] at a shared storage backend.'
    )
    return [Warning(message, hint=hint, id=check_id)]


@register(Tags.security)
def metrics_networks_are_valid(app_configs, **kwargs):
    try:
        parse_networks(settings.METRICS_ALLOWED_NETWORKS)
    except ImproperlyConfigured as error:
        return [Error(str(error), id="beel.E002")]
    return []
