import factory
from django.contrib.auth import get_user_model
from faker import Faker
from stdnum.es import dni

from apikeys.models import ALL_SCOPES, APIKey
from companies.models import Company, EntityType, primary_company_of
from customers.models import Customer
from customers.representations import fiscal_identity
from customers.validators import country_code_of
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
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"account{n}")
    email = factory.LazyAttribute(lambda account: f"{account.username}@example.es")

    @factory.post_generation
    def fiscal_identity(account, create, extracted, **kwargs):
        """The primary company (made with the account) gets a complete fiscal identity, so it can issue;
        `AccountFactory(fiscal_identity=False)` leaves it as a new account's: incomplete."""
        if create and extracted is not False:
            Company.objects.filter(account=account, is_primary=True, nif="").update(
                **complete_fiscal_identity(account.pk)
            )


def complete_fiscal_identity(n: int) -> dict:
    return {
        "nif": valid_dni(900_000 + n),
        "legal_name": f"Emisora {n} SL",
        "entity_type": EntityType.LEGAL_ENTITY,
        "street": "Calle Mayor",
        "number": "1",
        "postal_code": "28013",
        "city": "Madrid",
        "province": "Madrid",
    }


class CompanyFactory(factory.django.DjangoModelFactory):
    """A second (or further) company of an account, with a complete fiscal identity."""

    class Meta:
        model = Company

    account = factory.SubFactory(AccountFactory)
    nif = factory.Sequence(lambda n: valid_dni(700_000 + n))
    legal_name = factory.Sequence(lambda n: f"Segunda Actividad {n} SL")
    entity_type = EntityType.LEGAL_ENTITY
    street = "Gran Vía"
    number = "2"
    postal_code = "08001"
    city = "Barcelona"
    province = "Barcelona"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    account = factory.SubFactory(AccountFactory)
    company = factory.LazyAttribute(lambda customer: primary_company_of(customer.account))
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
    country_code = factory.LazyAttribute(lambda customer: country_code_of(customer.country) or "")


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    customer = factory.SubFactory(CustomerFactory)
    account = factory.SelfAttribute("customer.account")
    company = factory.SelfAttribute("customer.company")
    mode = factory.SelfAttribute("customer.mode")
    series = "A"
    number = factory.Sequence(lambda n: n + 1)
    status = "draft"
    # An invoice issued at some point keeps its recipient's details, as invoices.services.issue_invoice copies them.
    recipient = factory.LazyAttribute(
        lambda invoice: None if invoice.status == "draft" else fiscal_identity(invoice.customer)
    )
    # ... and its issuer's, as the company was then.
    issuer = factory.LazyAttribute(
        lambda invoice: None if invoice.status == "draft" else invoice.company.fiscal_identity()
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
