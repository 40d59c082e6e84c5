"""The Celery application that runs webhook deliveries (and any later background work).

Celery rather than a hand-made loop: acknowledgement after the task ran, redelivery when a worker dies,
countdowns and a periodic scheduler (beat) come with it, and the Redis it needs already runs next to the
service. Configuration is read from Django settings prefixed CELERY_ (beel/settings.py)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beel.settings")

app = Celery("beel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
