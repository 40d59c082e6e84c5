"""Merging two duplicate customers, after a confirmation that shows both directions."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beel.errors import DomainError
from beel.tenancy import DataScope
from customers import services
from customers.admin.common import confirmation_page, customer_url, selection_hidden, staff_actor
from customers.models import Customer


class MergeWorkflow:
    """The merge action, for staff who may change customers and also hold "Can merge customers"."""

    def has_merge_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request) and request.user.has_perm("customers.merge_customer")

    @admin.action(description=_("Merge two selected customers"), permissions=["merge"])
    def merge_selected(self, request, queryset: QuerySet[Customer]):
        customers = list(queryset.order_by("legal_name", "pk")[:3])
        if len(customers) != 2:
            self.message_user(request, gettext("Select exactly two customers to merge."), messages.ERROR)
            return None
        if request.POST.get("post") == "yes":
            self._merge_confirmed(request, customers)
            return None
        first, second = customers
        directions = [
            services.merge_preview(scope=DataScope.everything(), customer_id=str(a.pk), into_id=str(b.pk))
            for a, b in ((first, second), (second, first))
        ]
        problems = [
            (customer, refusal.message)
            for customer in customers
            if (refusal := services.lifecycle_refusal(customer)) is not None
        ]
        return confirmation_page(
            self,
            request,
            "merge_confirmation.html",
            gettext("Merge two customers?"),
            directions=directions,
            problems=problems,
            hidden=selection_hidden(request, "merge_selected"),
            form_action=request.get_full_path(),
            cancel_url=request.get_full_path(),
        )

    def _merge_confirmed(self, request, customers: list[Customer]) -> None:
        """Merge the customer not chosen into the one chosen to survive, and tell staff how it went."""
        survivor_pk = request.POST.get("survivor")
        if survivor_pk not in {str(customer.pk) for customer in customers}:
            self.message_user(request, gettext("Choose the customer that survives."), messages.ERROR)
            return
        duplicate = next(customer for customer in customers if str(customer.pk) != survivor_pk)
        try:
            services.merge_customers(
                scope=DataScope.everything(),
                customer_id=str(duplicate.pk),
                into_id=survivor_pk,
                actor=staff_actor(request),
            )
        except DomainError as error:
            self.message_user(request, gettext("Not merged: %(reason)s") % {"reason": error.message}, messages.ERROR)
            return
        survivor = next(customer for customer in customers if str(customer.pk) == survivor_pk)
        self.message_user(
            request,
            format_html(
                gettext("Merged {duplicate} into {survivor}."),
                duplicate=format_html('<a href="{}">{}</a>', customer_url(duplicate), str(duplicate)),
                survivor=format_html('<a href="{}">{}</a>', customer_url(survivor), str(survivor)),
            ),
            messages.SUCCESS,
        )
