"""Every page of the admin, as staff with a Spanish browser, says nothing in English.

A superuser visits each registered model's list, add, change, history and delete pages, every page of the
customer admin's own workflows (import and its preview, the confirmations of deactivation, anonymisation and
merge, undo) and the messages each action leaves, then every page linked from those (links under /admin/, one
page of each shape, up to a bound), so pages added later are crawled too. From each page it reads what a
person sees (text, option labels, button values, titles, placeholders; never scripts, styles or hidden inputs)
and looks for words that only English uses. The data the test builds is Spanish, so an English word on a page
is the admin's own."""

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from beel.actors import Actor
from beel.events.models import EventType, record_events
from beel.tenancy import DataScope
from customers import services
from customers.models import Customer
from customers.services.base import customer_event
from invoices.models import Invoice, InvoiceStatus
from tests.factories import AccountFactory, APIKeyFactory, CompanyFactory, CustomerFactory, InvoiceFactory
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}
# Pages found by following links, beyond those the test names: one per shape (its path with the ids replaced,
# with or without a query), at most this many.
FOLLOWED_AT_MOST = 150

# Words that only English uses (none is a Spanish word), matched whole and without case.
ENGLISH_WORDS = frozenset(
    """
    the of and or to from with without by for at on in into is are was were be been has have had this that these
    those there which what when who whom why how only more than all any some none not must may should will would
    can could cannot please yes select selected choose filter search run go add added edit change changed delete
    deleted deleting view save saved show hide home log logout password user users group groups permission
    permissions customer customers invoice invoices key keys company companies account accounts endpoint endpoints
    attempt attempts delivery deliveries access failure failures event events secret signing scope scopes name
    status active inactive revoked expired enabled disabled succeeded pending draft issued paid cancelled mode
    live created updated last used expires date time today now yesterday month year week days valid invalid
    required field fields warning duplicate line file row rows number street city province country
    code phone email notes history reason preview import export undo merge merged anonymise anonymised
    anonymize anonymized erasure requested retained retention deactivate deactivated reactivate reactivated rotate
    retry issue cancel copy copied restrict every type types stored shown expiration e.g eg
    """.split()  # noqa: SIM905 (a list of words reads better as words)
)
# What may stand in a Spanish page although an English word list knows it: names, codes and what the admin
# cannot translate.
ALLOWED = [
    # Object names django-axes builds in English, without gettext (axes.models' __str__).
    r"Attempted Access:",
    r"Access Log for \S+ @",
    r"Failed access: user \S+ on .* from \S+",
    # The model Django creates for a many-to-many relation (auth's group permissions) has no translatable name.
    r"Group-permission relationships?",
    r"Group_permissions object",
    r"\bbeel\b",
    r"\bAPI\b",
    r"\bwebhooks?\b",
    r"\bemail\b",  # the API's field, quoted as such on the import page
    r"Single Sign-On",  # in Django's own Spanish
    r"[\w.]*\w[_:.]\w[\w:.]*",  # codes: ErrorCode, scopes, event types, key prefixes, dotted fields
    r"(?<!\w)/[\w/{}.-]+",  # paths of the API
    r"\w*\d\w*",  # ids, dates, amounts
    # A secret as Django shows it (mask_hash: its first characters, then asterisks), e.g. a password's random
    # salt: "Of" before the asterisks is no English (this made the crawl fail at random).
    r"\S*\*{3,}",
]


class VisibleText(HTMLParser):
    """What a person sees (or hears) of a page: text outside scripts and styles, option labels, the values of
    buttons, and titles, placeholders, alt texts and aria labels."""

    SKIPPED = {"script", "style", "template", "noscript"}
    SHOWN_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping += 1
            return
        attrs = dict(attrs)
        self.chunks.extend(attrs[name] for name in self.SHOWN_ATTRIBUTES if attrs.get(name))
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.chunks.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.chunks.append(" ".join(data.split()))


def visible_chunks(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.chunks


def english_words(chunk: str, data: list[str]) -> list[str]:
    for value in data:
        chunk = chunk.replace(value, " ")
    for pattern in ALLOWED:
        chunk = re.sub(pattern, " ", chunk, flags=re.IGNORECASE)
    return [word for word in re.findall(r"[^\W\d_]+(?:\.[^\W\d_]+)*", chunk) if word.lower() in ENGLISH_WORDS]


class Crawl:
    """The pages visited and the English found on them."""

    def __init__(self, client, data: list[str]):
        self.client = client
        self.data = sorted(data, key=len, reverse=True)  # longest first: a name before its parts
        self.found: dict[str, set[str]] = {}  # chunk -> the pages it was seen on
        self.visited: set[str] = set()
        self.links: list[str] = []
        self.last_html = ""

    def read(self, url: str, response) -> None:
        import time

        print(f"{time.monotonic():.2f} {url}")
        assert response.status_code == 200, (url, response.status_code)
        if "html" not in response.get("Content-Type", ""):
            return
        html = self.last_html = response.content.decode()
        self.visited.add(url)
        for chunk in visible_chunks(html):
            if english_words(chunk, self.data):
                self.found.setdefault(chunk, set()).add(url)
        self.links.extend(re.findall(r'href="(/admin/[^"#]*)"', html))

    def get(self, url: str, **params) -> None:
        self.read(url, self.client.get(url, params, **SPANISH))

    def post(self, url: str, data: dict) -> None:
        """A form as a browser submits it, and the page it leads to (with its messages)."""
        response = self.client.post(url, data, follow=True, **SPANISH)
        self.read(f"POST {url} {data.get('action', '')}", response)

    def follow_links(self) -> None:
        shapes = {page_shape(url) for url in self.visited}
        followed = 0
        while self.links and followed < FOLLOWED_AT_MOST:
            url = self.links.pop(0).replace("&amp;", "&")
            if page_shape(url) in shapes or not crawlable(url):
                continue
            shapes.add(page_shape(url))
            followed += 1
            response = self.client.get(url, **SPANISH)
            if response.status_code == 200:
                self.read(url, response)

    def report(self) -> str:
        return "\n".join(f"{chunk!r} on {', '.join(sorted(pages)[:3])}" for chunk, pages in sorted(self.found.items()))


def page_shape(url: str) -> tuple:
    parts = urlsplit(url)
    path = re.sub(r"/[0-9a-f-]{36}/|/\d+/", "/<id>/", parts.path)
    return path, bool(parts.query)


def crawlable(url: str) -> bool:
    # Logging out ends the crawl's session; /admin/r/ leaves the admin for the site's own pages.
    return not url.startswith(("/admin/logout", "/admin/r/")) and "/static/" not in url


def selected(action: str, objects, **extra) -> dict:
    return {"action": action, "_selected_action": [str(obj.pk) for obj in objects], **extra}


@pytest.fixture
def pending_imports(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "customer_imports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "pending")},
        },
    }


@pytest.fixture
def world(admin_user):
    """Something on every page: customers in every state, invoices in every status, keys, companies, webhook
    endpoints and attempts, a group, axes' records."""
    staff = Actor.staff(admin_user)
    acme = AccountFactory(username="ferreteria")
    CompanyFactory(account=acme, legal_name="Segunda Actividad Núñez SL")
    names = [
        "Ferretería Núñez SL",
        "María García López",
        "Panadería Ortiz SA",
        "Talleres Ebro SL",
        "Viveros Sánchez SL",
        "Librería Dédalo SL",
        "Clínica Dental Ruiz SL",
    ]
    customers = [
        CustomerFactory(account=acme, legal_name=name, street="Calle Mayor", notes="Cliente desde 2019")
        for name in names
    ]
    anonymised, merged, survivor, forgetting = customers[3], customers[4], customers[5], customers[6]
    InvoiceFactory(customer=customers[0], status=InvoiceStatus.DRAFT, subtotal=Decimal("100.00"), total=Decimal("100"))
    InvoiceFactory(customer=customers[0], status=InvoiceStatus.ISSUED, total=Decimal("121.00"))
    InvoiceFactory(customer=customers[0], status=InvoiceStatus.PAID, total=Decimal("121.00"))
    InvoiceFactory(customer=customers[1], status=InvoiceStatus.CANCELLED)
    InvoiceFactory(customer=forgetting, status=InvoiceStatus.ISSUED, issued_at=timezone.now())
    everything = DataScope.everything()
    services.update_customer(
        scope=everything,
        customer_id=str(customers[2].pk),
        data={"notes": "Pedido semanal", "city": "Toledo"},
        actor=staff,
    )
    services.request_erasure(scope=everything, customer_id=str(anonymised.pk), actor=staff)
    services.request_erasure(scope=everything, customer_id=str(forgetting.pk), actor=staff)
    services.merge_customers(scope=everything, customer_id=str(merged.pk), into_id=str(survivor.pk), actor=staff)
    APIKeyFactory(account=acme, name="Contabilidad")
    APIKeyFactory(account=acme, name="Antigua").revoke()
    APIKeyFactory(account=acme, name="Pruebas", mode="test", expires_at=timezone.now() + timedelta(days=30))
    endpoint = WebhookEndpoint.objects.create(
        account=acme, url="https://203.0.113.10/avisos", description="Contabilidad", event_types=["customer.created"]
    )
    (event,) = record_events([customer_event(EventType.CUSTOMER_CREATED, customers[0])])
    delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint)
    WebhookAttempt.objects.create(delivery=delivery, endpoint=endpoint, status_code=500, duration_ms=120)
    WebhookAttempt.objects.create(delivery=delivery, endpoint=endpoint, succeeded=True, status_code=200)
    group = Group.objects.create(name="Atención al cliente")
    group.permissions.set(Permission.objects.filter(codename__in=["view_customer", "change_customer"]))
    attempt = {"username": "ana", "ip_address": "192.0.2.7", "user_agent": "Mozilla/5.0", "path_info": "/admin/login/"}
    AccessAttempt.objects.create(**attempt, failures_since_start=3, get_data="", post_data="username=ana")
    AccessLog.objects.create(**attempt, attempt_time=timezone.now())
    AccessFailureLog.objects.create(**attempt, attempt_time=timezone.now(), locked_out=False)
    data = [
        *names,
        *[customer.nif for customer in customers],
        *[customer.email for customer in customers],
        "Mozilla/5.0",
        "ferreteria",
        "admin@example.com",
    ]
    # Names the services wrote (an anonymised customer's) are data too.
    data += list(Customer.objects.values_list("legal_name", flat=True))
    return {"account": acme, "customers": customers, "data": data}


def test_no_admin_page_says_anything_in_english(client, admin_user, world, pending_imports):
    client.force_login(admin_user)
    crawl = Crawl(client, world["data"])
    customers = world["customers"]
    active = customers[:3]

    crawl.get(reverse("admin:index"))
    crawl.get(reverse("admin:password_change"))
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        crawl.get(reverse("admin:app_list", args=[opts.app_label]))
        crawl.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        crawl.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), q="zzz")
        if model_admin.has_add_permission(_request(admin_user)):
            crawl.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        objects = customers if model is Customer else model._default_manager.order_by("pk")[:1]
        for obj in objects:
            crawl.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
            crawl.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
            if model_admin.has_delete_permission(_request(admin_user), obj):
                crawl.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk]))
    # A change form refused: its errors.
    crawl.post(reverse("admin:customers_customer_change", args=[active[0].pk]), {"legal_name": ""})
    crawl.post(reverse("admin:apikeys_apikey_add"), {"name": "", "expires_at_0": "01/01/2000"})

    # The customer admin's own pages and the messages of its actions.
    changelist = reverse("admin:customers_customer_changelist")
    crawl.post(changelist, selected("deactivate_selected", customers))  # the confirmation
    crawl.post(changelist, selected("anonymize_selected", active))
    crawl.post(changelist, selected("merge_selected", active[1:3]))
    crawl.post(changelist, selected("merge_selected", active[:1]))
    crawl.post(changelist, selected("recheck_tax_ids", active))
    crawl.post(changelist, selected("deactivate_selected", customers, post="yes"))
    undo = re.search(r'href="(/admin/customers/customer/undo-deactivation/[^"]+)"', crawl.last_html).group(1)
    crawl.get(undo)
    crawl.post(undo, {})
    crawl.post(changelist, selected("reactivate_selected", customers))
    crawl.get(reverse("admin:customers_customer_deactivate", args=[active[2].pk]))
    crawl.post(reverse("admin:customers_customer_deactivate", args=[active[2].pk]), {"post": "yes"})
    crawl.post(reverse("admin:customers_customer_reactivate", args=[active[2].pk]), {})
    crawl.post(changelist, selected("merge_selected", active[1:3], post="yes", survivor=str(active[2].pk)))
    crawl.post(changelist, selected("anonymize_selected", [active[1], customers[6]], post="yes"))

    importing = reverse("admin:customers_customer_import_csv")
    crawl.get(importing)
    crawl.post(importing, {"account": "ferreteria", "mode": "live", "file": _import_file()})
    crawl.post(importing, {"account": "nadie", "mode": "live", "file": _import_file()})
    crawl.post(importing, {"_confirm": "1"})

    invoices = reverse("admin:invoices_invoice_changelist")
    crawl.post(invoices, selected("issue_selected", Invoice.objects.all()))
    keys = reverse("admin:apikeys_apikey_changelist")
    crawl.post(keys, selected("revoke_selected", world["account"].api_keys.all()))
    endpoints = reverse("admin:webhooks_webhookendpoint_changelist")
    crawl.post(endpoints, selected("rotate_secret", WebhookEndpoint.objects.all()))
    attempts = reverse("admin:webhooks_webhookattempt_changelist")
    crawl.post(attempts, selected("retry_deliveries", WebhookAttempt.objects.all()))

    crawl.follow_links()

    assert len(crawl.visited) > 60
    assert not crawl.found, f"English on the Spanish admin's pages:\n{crawl.report()}\n"


def test_the_login_page_is_spanish_too(client):
    crawl = Crawl(client, [])
    crawl.get(reverse("admin:login"))
    assert not crawl.found, crawl.report()


def test_the_crawl_finds_english(client, admin_user):
    """The detector itself: an English sentence is found, a Spanish one with a name and a code is not."""
    assert english_words("Select customer to change", []) == ["Select", "customer", "to", "change"]
    assert english_words("Seleccione cliente a modificar (beel, NIF B12345674, E.164, customers:read)", []) == []
    assert english_words("Run", []) == ["Run"]
    assert english_words("Ferretería Núñez SL: tiene 3 facturas", ["Ferretería Núñez SL"]) == []


def _request(user):
    request = type("Request", (), {})()
    request.user = user
    return request


def _import_file() -> SimpleUploadedFile:
    lines = [
        "Razón social;NIF;Teléfono;Ciudad;Provincia",
        "Ferretería Norte SL;A58818501;;Cádiz;Cádiz",
        "Mercería Lola SL;a-58818501;;Cádiz;Cádiz",
        "Juana Pérez Gil;12345678z;654 321 987;Sevilla;Sevilla",
        "Mala SL;B12345678;;Madrid;Madrid",
        "Teléfono Raro SL;;12;Madrid;Madrid",
        ";B76543214;;Madrid;Madrid",
        "Ferretería Núñez SL;B12345674;;Madrid;Madrid",
    ]
    return SimpleUploadedFile("clientes.csv", "\r\n".join(lines).encode(), content_type="text/csv")
