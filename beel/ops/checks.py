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
    storage = settings.STORAGES["customer_imports"]
    if settings.DEBUG or settings.CUSTOMER_IMPORTS_DIR or storage["BACKEND"] != _LOCAL_FILES:
        return []
    return [
        Warning(
            "The admin's CSV imports wait in a folder of this checkout: with several instances a confirmation "
            "reaching another one asks for the file again.",
            hint="Set CUSTOMER_IMPORTS_DIR to a private directory every instance shares, or point "
            'STORAGES["customer_imports"] at a shared storage backend.',
            id="beel.W001",
        )
    ]


@register(Tags.security)
def metrics_networks_are_valid(app_configs, **kwargs):
    try:
        parse_networks(settings.METRICS_ALLOWED_NETWORKS)
    except ImproperlyConfigured as error:
        return [Error(str(error), id="beel.E002")]
    return []
