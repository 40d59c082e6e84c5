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
    """BeeL's ValidationStatus of one customer of a bulk creation or an import."""

    VALID = "VALID"  # will be created as submitted
    WARNING = "WARNING"  # will be created, but something in it was changed or ignored (see its warnings)
    ERROR = "ERROR"  # a value is not valid: not created
    DUPLICATE = "DUPLICATE"  # an active customer, or an earlier item or row, has its NIF: not created
    NIF_INVALID = "NIF_INVALID"  # its NIF is missing or not valid: not created


IMPORTABLE = (ImportStatus.VALID, ImportStatus.WARNING)


class SourceType(StrEnum):
    BULK_JSON = "BULK_JSON"
    CSV_IMPORT = "CSV_IMPORT"


@dataclass(frozen=True)
class ImportMessage:
    """An error or a warning about one customer: the field it is about (its path in the body), and for an
    error the value submitted there, as text. `message` is the API's (English) text; `code` and `params`
    say the same for a screen that words it in the staff's language (the admin's import review), and
    `stored` marks a warning that only tells how a value will be stored (a phone in E.164, a NIF in
    capitals): not a problem, the admin shows it apart from the warnings. None of them is on the wire."""

    message: str
    field: str | None = None
    value: str | None = None
    stored: str | None = None
    code: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def normalised(self) -> bool:
        return self.stored is not None


@dataclass
class ImportedRow:
    index: int  # 0-based position in a bulk request; 1-based data row of a file
    status: ImportStatus
    errors: list[ImportMessage]
    warnings: list[ImportMessage]
    # The customer as POST /customers takes it: as it will be written (normalised) when the row is valid,
    # else as submitted; None when the item is not an object at all.
    customer: dict[str, Any] | None
    customer_id: uuid.UUID | None = None
    line: int | None = None  # a file's row: its line in the file (the header is line 1)

    @property
    def messages(self) -> list[ImportMessage]:
        return [*self.errors, *self.warnings]


@dataclass
class SheetFacts:
    """What the CSV reader found in a file (beel's extension to the import's metadata)."""

    filename: str | None
    file_size_bytes: int
    encoding: str
    delimiter: str
    columns: dict[str, str]
    ignored_columns: list[str]


@dataclass
class ImportReport:
    """BeeL's unified result of a bulk creation or a CSV import: each customer with its status."""

    source_type: SourceType
    dry_run: bool
    rows: list[ImportedRow]
    processing_time_ms: int = 0
    sheet: SheetFacts | None = None

    @property
    def counts(self) -> dict[ImportStatus, int]:
        counts = dict.fromkeys(ImportStatus, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def importable(self) -> int:
        return sum(1 for row in self.rows if row.status in IMPORTABLE)

    @property
    def created_ids(self) -> list[str]:
        return [str(row.customer_id) for row in self.rows if row.customer_id is not None]

    def statistics(self) -> dict[str, int | float]:
        counts, total = self.counts, len(self.rows)
        return {
            "total_processed": total,
            "valid": counts[ImportStatus.VALID],
            "with_warnings": counts[ImportStatus.WARNING],
            "with_errors": counts[ImportStatus.ERROR],
            "duplicates": counts[ImportStatus.DUPLICATE],
            "invalid_nifs": counts[ImportStatus.NIF_INVALID],
            "imported": len(self.created_ids),
            "success_rate": round(self.importable / total, 4) if total else 0.0,
            "importable": self.importable,
            "not_importable": total - self.importable,
        }


@dataclass(frozen=True)
class MergePreview:
    """What `merge_customers` would do: the drafts that move to the survivor, the issued invoices that stay
    (counted by the apps registered in customers.services.dependents: invoices.customer_side)."""

    duplicate: Customer
    survivor: Customer
    drafts_moving: int
    issued_staying: int
    duplicates_following: int  # customers merged into the duplicate earlier, re-pointed at the survivor


@dataclass(frozen=True)
class ErasureOutcome:
    customer: Customer
    anonymized: bool
    retain_until: date | None = None
