import factory
from django.contrib.auth import get_user_model
from faker import Faker
from stdnum.es import dni

from apikeys.models import ALL_SCOPES, APIKey
from customers.models import Customer
from customers.representations import fiscal_identity
from invoices.models import Invoice

_faker = Faker("es_ES")


def valid_dni(n: int) -> str:
    """A DNI with a correct control letter, distinct for each n."""
    number = f"{(10_000_000 + n * 7919) % 100_000_000:08d}"
    return number + dni.calc_check_digit(number)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"account{n}")
    email = factory.LazyAttribute(lambda account: f"{account.username}@example.es")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    account = factory.SubFactory(AccountFactory)
    legal_name = factory.LazyFunction(lambda: _faker.company())
    nif = factory.Sequence(valid_dni)
    email = factory.Sequence(lambda n: f"cliente{n}@example.es")
    phone = factory.Sequence(lambda n: f"+3491{n:07d}")
    street = factory.LazyFunction(lambda: _faker.street_name())
    number = factory.Sequence(lambda n: str(n % 200 + 1))
    postal_code = "28013"
    city = "Madrid"
    province = "Madrid"
    country = "España"


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    customer = factory.SubFactory(CustomerFactory)
    account = factory.SelfAttribute("customer.account")
    mode = factory.SelfAttribute("customer.mode")
    series = "A"
    number = factory.Sequence(lambda n: n + 1)
    status = "draft"
    # An invoice issued at some point keeps its recipient's details, as invoices.services.issue_invoice copies them.
    recipient = factory.LazyAttribute(
        lambda invoice: None if invoice.status == "draft" else fiscal_identity(invoice.customer)
    )


class APIKeyFactory(factory.django.DjangoModelFactory):
    """Builds through APIKey.issue, the one way keys are made; the raw key is kept on `.raw_key`."""

    class Meta:
        model = APIKey

    account = factory.SubFactory(AccountFactory)
    name = "test key"
    scopes = factory.LazyFunction(lambda: list(ALL_SCOPES))
    mode = "live"
    expires_at = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        issued = model_class.issue(**kwargs)
        issued.api_key.raw_key = issued.raw_key
        return issued.api_key
