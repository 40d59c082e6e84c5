"""The customer admin, one module per workflow (deactivation, erasure, merge, import, export, history); the
ModelAdmin in `customer` is built from them and registered when Django imports this package, with the
companies' admin (`companies`), whose checks are the customers' validators."""

from customers.admin.companies import CompanyAdmin
from customers.admin.customer import CustomerAdmin

__all__ = ["CompanyAdmin", "CustomerAdmin"]
