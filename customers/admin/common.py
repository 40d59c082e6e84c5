"""What every workflow of the customer admin shares: the acting staff user, links and times as the admin
shows them, and the one confirmation page every action goes through before it writes."""

from collections.abc import Iterator

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone

from beel.actors import Actor
from customers import spreadsheet
from customers.models import Customer


def staff_actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)


def customer_url(customer: Customer) -> str:
    return reverse("admin:customers_customer_change", args=[customer.pk])


def shown_time(moment) -> str:
    """A moment in the staff user's time zone, once, as the admin shows dates."""
    return formats.localize(timezone.localtime(moment))


def csv_download(name: str, lines: Iterator[str]) -> StreamingHttpResponse:
    """A CSV of customers.spreadsheet, named after what it holds and when, streamed as it is written."""
    filename = f"{name}-{timezone.localtime():%Y%m%d-%H%M}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingHttpResponse(lines, content_type=spreadsheet.MEDIA_TYPE, headers=headers)


def selection_hidden(request: HttpRequest, action: str) -> list[tuple[str, str]]:
    """The changelist's selection as it was posted (a page of ids, or "select all" with the filters in the
    URL), so confirming acts on the same customers without one form field per customer."""
    hidden = [
        (name, value)
        for name in (ACTION_CHECKBOX_NAME, "select_across", "index")
        for value in request.POST.getlist(name)
    ]
    hidden.append(("action", action))
    return hidden


def confirmation_page(modeladmin, request: HttpRequest, template: str, title: str, **context) -> TemplateResponse:
    """A page of the customer admin outside the changelist and the change form (a confirmation, the import),
    inside the admin's frame: its site context, the model's options and a title."""
    request.current_app = modeladmin.admin_site.name
    context = {**modeladmin.admin_site.each_context(request), "opts": modeladmin.opts, "title": title, **context}
    return TemplateResponse(request, f"admin/customers/customer/{template}", context)


def posted_selection(modeladmin, request: HttpRequest, queryset: QuerySet) -> QuerySet:
    """What a confirmed action acts on: "select all" is the list as filtered; otherwise the ids as posted,
    even those the list's filters no longer show (a confirmation posted again after it was done), so the
    action can say what became of them rather than find nothing."""
    if request.POST.get("select_across") == "1":
        return queryset
    return modeladmin.get_queryset(request).filter(pk__in=request.POST.getlist(ACTION_CHECKBOX_NAME))
