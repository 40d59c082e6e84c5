"""What the use cases answer: a report per requested item, so every channel formats the same outcome."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from beel.errors import DomainError
from customers.models import Customer


@dataclass(frozen=True)
class DeactivationFailure:
    customer_id: str
    error: DomainError
    customer: Customer | None = None
    invoice_count: int = 0


@dataclass
class DeactivationReport:
    """Outcome per requested id, in request order; duplicates are counted once."""

    failure_class = DeactivationFailure

    requested_ids: list[str]
    deactivated_ids: list[str] = field(default_factory=list)
    failures: list[DeactivationFailure] = field(default_factory=list)
    # Among `deactivated_ids`, those that were inactive already, so nothing was written for them. Staff are
    # told both numbers; the API keeps counting them as deactivated (the operation is idempotent).
    already_inactive_ids: list[str] = field(default_factory=list)
    # The customers this call deactivated share it in the audit trail, so exactly they can be reactivated.
    batch: uuid.UUID | None = None

    @property
    def total(self) -> int:
        return len(self.requested_ids)

    @property
    def successful(self) -> int:
        return len(self.deactivated_ids)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def newly_deactivated(self) -> int:
        return self.successful - len(self.already_inactive_ids)


@dataclass(frozen=True)
class ReactivationFailure:
    customer_id: str
    error: DomainError
    customer: Customer | None = None


@dataclass
class ReactivationReport:
    """Outcome per requested id, in request order; duplicates are counted once."""

    failure_class = ReactivationFailure

    requested_ids: list[str]
    reactivated_ids: list[str] = field(default_factory=list)
    already_active_ids: list[str] = field(default_factory=list)
    failures: list[ReactivationFailure] = field(default_factory=list)

    @property
    def successful(self) -> int:
        return len(self.reactivated_ids)

    @property
    def failed(self) -> int:
        return len(self.failures)


@dataclass(frozen=True)
class CreationFailure:
    index: int
    error: DomainError


@dataclass
class CreationReport:
    """Outcome per submitted item, by its position in the request."""

    total: int
    dry_run: bool
    created: list[Customer] = field(default_factory=list)
    failures: list[CreationFailure] = field(default_factory=list)

    @property
    def successful(self) -> int:
        return self.total - len(self.failures)

    @property
    def failed(self) -> int:
        return len(self.failures)


class ImportStatus(StrEnum):
    VALID = "VALID"  # will be created as it is in the file
    WARNING = "WARNING"  # will be created, but something in it was changed or ignored (see its messages)
    ERROR = "ERROR"  # a value is not valid: not created
    DUPLICATE = "DUPLICATE"  # an active customer, or an earlier row of the file, has its NIF: not created
    NIF_INVALID = "NIF_INVALID"  # its NIF is missing or not valid: not created


@dataclass(frozen=True)
class ImportMessage:
    message: str
    field: str | None = None


@dataclass
class ImportedRow:
    line: int
    status: ImportStatus
    messages: list[ImportMessage]
    # The customer as POST /customers takes it: as it will be written (normalised) when the row is valid,
    # else as read from the file.
    customer: dict[str, Any]
    customer_id: uuid.UUID | None = None


@dataclass
class ImportReport:
    dry_run: bool
    encoding: str
    delimiter: str
    columns: dict[str, str]
    ignored_columns: list[str]
    rows: list[ImportedRow]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ImportStatus, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def importable(self) -> int:
        return sum(1 for row in self.rows if row.status in (ImportStatus.VALID, ImportStatus.WARNING))

    @property
    def created_ids(self) -> list[str]:
        return [str(row.customer_id) for row in self.rows if row.customer_id is not None]


@dataclass(frozen=True)
class MergePreview:
    """What `merge_customers` would do: the drafts that move to the survivor, the issued invoices that stay
    (counted by the apps registered in customers.services.dependents: invoices.customer_side)."""

    duplicate: Customer
    survivor: Customer
    drafts_moving: int
    issued_staying: int


@dataclass(frozen=True)
class ErasureOutcome:
    customer: Customer
    anonymized: bool
    retain_until: date | None = None
