"""Driving and reading the Django admin's pages in tests: the changelist table, actions and their
confirmation as a browser submits them, the messages after an action, the page's text, the change form as a
browser would submit it."""

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.contrib import messages
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import strip_tags

CUSTOMERS = reverse("admin:customers_customer_changelist")
INVOICES = reverse("admin:invoices_invoice_changelist")
API_KEYS = reverse("admin:apikeys_apikey_changelist")
API_KEY_ADD = reverse("admin:apikeys_apikey_add")


def customer_change_url(customer) -> str:
    return reverse("admin:customers_customer_change", args=[customer.pk])


@dataclass
class Cell:
    text: str = ""
    links: list[str] = field(default_factory=list)


class ResultListParser(HTMLParser):
    """The changelist's `#result_list` table: the column names (from the headers' `column-*` classes) and
    one {column: Cell} per row (from the cells' `field-*` classes; a boolean icon reads as its alt text)."""

    def __init__(self):
        super().__init__()
        self.columns: list[str] = []
        self.rows: list[dict[str, Cell]] = []
        self._in_table = self._in_body = False
        self._row: dict[str, Cell] | None = None
        self._cell_name: str | None = None
        self._cell: Cell | None = None

    @staticmethod
    def _class_suffix(attrs: dict, prefix: str) -> str | None:
        for name in (attrs.get("class") or "").split():
            if name.startswith(prefix):
                return name.removeprefix(prefix)
        return None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "result_list":
            self._in_table = True
        if not self._in_table:
            return
        if tag == "tbody":
            self._in_body = True
        elif tag == "th" and not self._in_body:
            column = self._class_suffix(attrs, "column-")
            if column:
                self.columns.append(column)
        elif tag == "tr" and self._in_body:
            self._row = {}
        elif tag in ("td", "th") and self._row is not None:
            self._cell_name = self._class_suffix(attrs, "field-")
            self._cell = Cell() if self._cell_name else None
        elif self._cell is not None and tag == "a":
            self._cell.links.append(attrs.get("href"))
        elif self._cell is not None and tag == "img":
            self._cell.text += attrs.get("alt") or ""

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        if tag in ("td", "th") and self._cell is not None:
            self._cell.text = " ".join(self._cell.text.split())
            self._row[self._cell_name] = self._cell
            self._cell = self._cell_name = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.text += data


@dataclass
class Changelist:
    columns: list[str]
    rows: list[dict[str, Cell]]

    def column(self, name: str) -> list[str]:
        return [row[name].text for row in self.rows]

    def row(self, column: str, text: str) -> dict[str, Cell]:
        matches = [row for row in self.rows if row[column].text == text]
        assert len(matches) == 1, (text, self.column(column))
        return matches[0]


def parse_changelist(response) -> Changelist:
    assert response.status_code == 200, response.content[:500]
    parser = ResultListParser()
    parser.feed(response.content.decode())
    return Changelist(columns=parser.columns, rows=parser.rows)


def get_changelist(client, url: str, **params) -> Changelist:
    response = client.get(url, params)
    # An unknown filter parameter makes the admin redirect to `?e=1`; that must not pass for a filter.
    assert response.status_code == 200, response
    return parse_changelist(response)


def shown_date(moment) -> str:
    """A datetime as the admin's list and readonly fields show it (localised, in TIME_ZONE)."""
    return formats.localize(timezone.template_localtime(moment))


def _messages(response, level: int | None) -> list[str]:
    return [str(message) for message in response.context["messages"] if level is None or message.level == level]


def message_texts(response, level: int | None = None) -> list[str]:
    """The messages of a followed response, as plain text (HTML line breaks and escapes removed)."""
    return [html.unescape(strip_tags(text.replace("<br>", "\n"))) for text in _messages(response, level)]


def texts(response, level: int | None = None) -> list[str]:
    """The messages of a followed response as plain text on one line each, with links and markup removed."""
    return [
        " ".join(html.unescape(strip_tags(text.replace("<br>", "\n").replace("<li>", "\n"))).split())
        for text in _messages(response, level)
    ]


def confirmations(response) -> list[str]:
    """Messages that report what was done (the admin's default level is INFO, some actions use SUCCESS)."""
    return [text for level in (messages.INFO, messages.SUCCESS) for text in message_texts(response, level)]


def page_text(response) -> str:
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def selection(objects) -> list[str]:
    return [str(obj.pk) for obj in objects]


def post_action(client, action: str, objects, url: str = CUSTOMERS, follow: bool = True, **extra):
    """The changelist's action form as a browser submits it, with any extra fields (e.g. `post`)."""
    data = {"action": action, "_selected_action": selection(objects), **extra}
    return client.post(url, data, follow=follow)


def run_action(client, url: str, action: str, objects):
    response = post_action(client, action, objects, url=url)
    assert response.status_code == 200
    return response


def confirm_action(client, url: str, action: str, objects):
    """Run an action that asks for confirmation, and confirm it as the confirmation page does."""
    response = post_action(client, action, objects, url=url, post="yes")
    assert response.status_code == 200
    return response


def change_form_data(client, url: str) -> dict:
    """What a browser would submit for the change form as displayed, inline management forms included."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()})
        for inline_form in formset.forms:
            data.update({bound.html_name: bound.value() for bound in inline_form})
    return {name: "" if value is None else value for name, value in data.items()}


def row_values(obj) -> dict:
    return type(obj).objects.values().get(pk=obj.pk)
