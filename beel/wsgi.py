import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beel.settings")
django_application = get_wsgi_application()

from beel.api.middleware import ChunkedRequestBodies  # noqa: E402  (needs the settings above)

application = ChunkedRequestBodies(django_application)
