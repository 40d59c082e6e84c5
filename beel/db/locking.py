"""Row locks taken in the one order the use cases agree on (written down in invoices.services), when which
rows to lock is only known by reading rows that may change until they are locked."""

from collections.abc import Callable

from django.db import transaction


class _LockedTheWrongRows(Exception):
    pass


def lock_settled[T](take: Callable[[], T | None]) -> T:
    """What `take()` locked and returned. `take` answers None when what it read under its locks shows it locked
    the wrong rows (an invoice moved to another customer, a duplicate merged into the one being merged while it
    waited): its savepoint is then rolled back, which lets go of every row lock it took (PostgreSQL keeps a row
    lock in the subtransaction that took it), and it is called again. So a use case never waits for a row lock
    while holding one that comes after it in the order; it starts over instead."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_settled() needs the caller's transaction: its locks must last until it commits")
    while True:
        try:
            with transaction.atomic():
                taken = take()
                if taken is None:
                    raise _LockedTheWrongRows
                return taken
        except _LockedTheWrongRows:
            continue
