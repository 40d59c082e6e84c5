from django.core.management.base import BaseCommand, CommandError

from apikeys.models import APIKey, key_marker
from beel.tenancy import Mode


class Command(BaseCommand):
    help = "Revoke an API key by its prefix (as shown in the admin, with or without 'beel_sk_live_' and '…')."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, **options):
        prefix = options["prefix"].strip().rstrip("…")
        for mode in Mode:
            prefix = prefix.removeprefix(key_marker(mode))
        if not prefix:
            raise CommandError("Give the key's prefix.")
        api_key = APIKey.objects.filter(prefix=prefix[: APIKey._meta.get_field("prefix").max_length]).first()
        if api_key is None:
            raise CommandError(f"No API key with prefix {prefix!r}.")
        if api_key.is_revoked:
            self.stdout.write(f"API key {api_key.display_prefix} was already revoked at {api_key.revoked_at}.")
            return
        api_key.revoke()
        self.stdout.write(f"Revoked API key {api_key.display_prefix} ({api_key.name}).")
