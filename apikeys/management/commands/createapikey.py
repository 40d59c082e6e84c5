from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from apikeys.models import ALL_SCOPES, APIKey
from beel.tenancy import Mode


def parse_scopes(raw: str) -> list[str]:
    scopes = [scope.strip() for scope in raw.split(",") if scope.strip()]
    if not scopes:
        raise CommandError("--scopes needs at least one scope.")
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise CommandError(f"Unknown scope(s): {', '.join(unknown)}. Known: {', '.join(ALL_SCOPES)}.")
    return scopes


class Command(BaseCommand):
    help = (
        "Create an API key for an account (creating the account user if needed). "
        "The raw key is printed once, alone on the last line of stdout; it cannot be shown again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username of the owning account.")
        parser.add_argument(
            "--scopes",
            default=",".join(ALL_SCOPES),
            help=f"Comma-separated scopes (default: all: {','.join(ALL_SCOPES)}).",
        )
        parser.add_argument("--name", default="API key", help="A name to recognise the key by.")
        parser.add_argument(
            "--test",
            action="store_true",
            help="A test key (beel_sk_test_...): it sees only the account's test data, never live customers.",
        )
        parser.add_argument(
            "--expires-in-days", type=int, metavar="DAYS", help="The key stops working after this many days."
        )
        parser.add_argument(
            "--company",
            action="append",
            default=[],
            metavar="COMPANY_ID",
            dest="companies",
            help="Restrict the key to this company of the account (its id); repeat for several. Without it the "
            "key may act on every company of the account, present and future.",
        )

    def handle(self, *args, **options):
        scopes = parse_scopes(options["scopes"])
        expires_at = None
        if options["expires_in_days"] is not None:
            if options["expires_in_days"] < 1:
                raise CommandError("--expires-in-days must be 1 or more.")
            expires_at = timezone.now() + timedelta(days=options["expires_in_days"])
        mode = Mode.TEST if options["test"] else Mode.LIVE
        username = options["user"].strip()
        if not username:
            raise CommandError("--user must not be empty.")
        with transaction.atomic():
            account, created = get_user_model().objects.get_or_create(username=username)
            if created:
                account.set_unusable_password()
                account.save(update_fields=["password"])
            issued = issue_key(
                account,
                name=options["name"],
                scopes=scopes,
                mode=mode,
                expires_at=expires_at,
                companies=options["companies"],
            )
        if created:
            self.stderr.write(f"Created account {username!r}.")
        companies = issued.api_key.company_ids
        restricted = f", restricted to companies {', '.join(companies)}" if companies else ""
        self.stderr.write(
            f"API key {issued.api_key.display_prefix} for {username!r} with scopes {', '.join(scopes)}"
            f"{restricted}. Store it now: it will not be shown again."
        )
        self.stdout.write(issued.raw_key)


def issue_key(account, *, name: str, scopes: list[str], mode: str, expires_at, companies: list[str]):
    """APIKey.issue, with a --company that is not one of the account's refused as a CommandError (inside the
    command's transaction, so an account made for the key is not kept either)."""
    try:
        return APIKey.issue(
            account=account, name=name, scopes=scopes, mode=mode, expires_at=expires_at, company_ids=companies
        )
    except ValueError as refused:
        known = ", ".join(str(pk) for pk in account.companies.values_list("pk", flat=True))
        raise CommandError(f"{refused}. The companies of {account.username!r}: {known}.") from None
