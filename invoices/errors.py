from beel.api.errors import Conflict


class CustomerInactive(Conflict):
    code = "CUSTOMER_INACTIVE"
    default_message = "Cannot create an invoice for an inactive customer"
