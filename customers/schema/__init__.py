"""OpenAPI descriptions of the customer endpoints, one module per family of operations, with the examples
of the spec pages (docs/api.md, "Contract"). Kept apart from the views so they stay thin."""

from customers.schema.company import (
    anonymize_company_customer,
    create_company_customer,
    create_company_customers_bulk,
    download_customer_import_template,
    export_company_customers,
    get_company_customer,
    list_company_customers,
    merge_company_customer,
    patch_company_customer,
    reactivate_company_customer,
)
from customers.schema.exports import (
    download_company_customer_export,
    download_customer_export,
    get_company_customer_export,
    get_customer_export,
    start_company_customer_export,
    start_customer_export,
)
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
    "anonymize_company_customer",
    "anonymize_customer",
    "bulk_create_customers",
    "bulk_deactivate_customers",
    "create_company_customer",
    "create_company_customers_bulk",
    "create_customer",
    "csv_template",
    "csv_template_alias",
    "deactivate_customer",
    "download_company_customer_export",
    "download_customer_export",
    "download_customer_import_template",
    "export_company_customers",
    "export_customers",
    "get_company_customer",
    "get_company_customer_export",
    "get_customer_export",
    "import_customers_csv",
    "list_company_customers",
    "list_customers",
    "merge_company_customer",
    "merge_customer",
    "patch_company_customer",
    "reactivate_company_customer",
    "reactivate_customer",
    "replace_customer",
    "retrieve_customer",
    "start_company_customer_export",
    "start_customer_export",
    "update_customer",
    "validate_nif",
]
