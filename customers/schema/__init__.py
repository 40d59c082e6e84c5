"""OpenAPI descriptions of the customer endpoints, one module per family of operations, with the examples
of the spec pages (docs/api.md, "Contract"). Kept apart from the views so they stay thin."""

from customers.schema.lifecycle import (
    anonymize_customer,
    bulk_deactivate_customers,
    deactivate_customer,
    merge_customer,
    reactivate_customer,
)
from customers.schema.nif import validate_nif
from customers.schema.reads import list_customers, retrieve_customer
from customers.schema.spreadsheet import csv_template, csv_template_alias, export_customers, import_customers_csv
from customers.schema.writes import bulk_create_customers, create_customer, replace_customer, update_customer

__all__ = [
    "anonymize_customer",
    "bulk_create_customers",
    "bulk_deactivate_customers",
    "create_customer",
    "csv_template",
    "csv_template_alias",
    "deactivate_customer",
    "export_customers",
    "import_customers_csv",
    "list_customers",
    "merge_customer",
    "reactivate_customer",
    "replace_customer",
    "retrieve_customer",
    "update_customer",
    "validate_nif",
]
