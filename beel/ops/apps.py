from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "beel.ops"
    verbose_name = _("Operations")
    label = "ops"

    def ready(self) -> None:
        from beel.ops import checks  # noqa: F401  (registers the deploy checks)
