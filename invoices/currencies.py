"""The ISO 4217 codes invoices are checked against: beel.currencies, shared with the customer list's
`currency` parameter (customers may not import invoices)."""

from beel.currencies import ISO_4217_CODES

__all__ = ["ISO_4217_CODES"]
