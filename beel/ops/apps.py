from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "beel.ops"
    label = "ops"

    def ready(self) -> None:
        from beel.ops import checks  # noqa: F401  (registers the deploy checks)
