from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from beel.actors import Actor
from beel.tenancy import DataScope
from customers.services import DeactivationReport, deactivate_customers

# Each chunk is one transaction: row locks are held briefly even for very long lists.
CHUNK_SIZE = 500


class Command(BaseCommand):
    help = (
        "Soft-delete customers by id, with the same per-id outcomes as DELETE /api/v1/customers/bulk. "
        "Exits with status 1 when any id could not be deactivated."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", metavar="ID", help="Customer ids (UUIDs).")
        parser.add_argument("--file", type=Path, help="A file with one customer id per line ('#' comments).")
        parser.add_argument("--user", help="Only customers of this account (username); default: any account.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; write nothing.")

    def handle(self, *args, **options):
        ids = list(dict.fromkeys([*options["ids"], *self._ids_from_file(options["file"])]))
        if not ids:
            raise CommandError("Give customer ids as arguments or with --file.")
        scope = self._scope(options["user"])
        actor = Actor.command("deactivatecustomers")
        reports = [
            deactivate_customers(
                scope=scope,
                ids=ids[start : start + CHUNK_SIZE],
                actor=actor,
                dry_run=options["dry_run"],
            )
            for start in range(0, len(ids), CHUNK_SIZE)
        ]
        total = sum(report.total for report in reports)
        successful = sum(report.successful for report in reports)
        failed = sum(report.failed for report in reports)
        for report in reports:
            self._print_outcomes(report)
        if options["dry_run"]:
            summary = (
                f"Dry run: would deactivate {successful} of {total} customers; {failed} would fail. Nothing written."
            )
        else:
            summary = f"Deactivated {successful} of {total} customers; {failed} failed."
        self.stdout.write(summary)
        if failed:
            raise CommandError(f"{failed} customer{'s' if failed != 1 else ''} could not be deactivated.", returncode=1)

    def _print_outcomes(self, report: DeactivationReport) -> None:
        for customer_id in report.deactivated_ids:
            self.stdout.write(f"ok      {customer_id}")
        for failure in report.failures:
            self.stdout.write(f"failed  {failure.customer_id}  {failure.error.code}: {failure.error.message}")

    def _ids_from_file(self, path: Path | None) -> list[str]:
        if path is None:
            return []
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]

    def _scope(self, username: str | None) -> DataScope:
        """One account's customers (live and test) with --user, else every account's."""
        if username is None:
            return DataScope.everything()
        account = get_user_model().objects.filter(username=username).first()
        if account is None:
            raise CommandError(f"No account named {username!r}.")
        return DataScope.of_account(account)
