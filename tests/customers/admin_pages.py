"""Helpers for driving the customer admin through the test client, shared by the admin test files."""

import html

from django.urls import reverse
from django.utils.html import strip_tags

CUSTOMERS = reverse("admin:customers_customer_changelist")


def selection(objects) -> list[str]:
    return [str(obj.pk) for obj in objects]


def post_action(client, action: str, objects, url: str = CUSTOMERS, follow: bool = True, **extra):
    """The changelist's action form as a browser submits it, with any extra fields (e.g. `post`)."""
    data = {"action": action, "_selected_action": selection(objects), **extra}
    return client.post(url, data, follow=follow)


def confirm_action(client, url: str, action: str, objects):
    """Run an action that asks for confirmation, and confirm it as the confirmation page does."""
    response = post_action(client, action, objects, url=url, post="yes")
    assert response.status_code == 200
    return response


def texts(response, level: int | None = None) -> list[str]:
    """The messages of a followed response as plain text, with links and markup removed."""
    return [
        " ".join(html.unescape(strip_tags(str(message).replace("<br>", "\n").replace("<li>", "\n"))).split())
        for message in response.context["messages"]
        if level is None or message.level == level
    ]


def page_text(response) -> str:
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())
