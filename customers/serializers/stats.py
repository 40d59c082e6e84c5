"""The schema of what a customer owes (customers.receivables): its `stats` (every answer that is one customer,
customers.serializers.customer.CustomerDetailSerializer) and the list's opt-in `summary`. The answers are the
dicts customers.receivables builds; these describe them."""

from rest_framework import serializers


def _money(help_text: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text=help_text + " A decimal string with two places.", **kwargs)


class CurrencyStatsSerializer(serializers.Serializer):
    currency = serializers.CharField(read_only=True, help_text="ISO 4217 code.")
    issued_total = _money("The totals of its issued and paid invoices in this currency (not drafts, not cancelled).")
    paid_total = _money("What was paid of those invoices.")
    outstanding = _money("What its issued invoices still owe: issued_total - paid_total.")
    overdue_total = _money("What its issued invoices past their due date still owe, as of today.")
    oldest_overdue_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="The earliest due date among them; null when nothing is overdue."
    )


class CustomerStatsSerializer(serializers.Serializer):
    invoice_count = serializers.IntegerField(read_only=True, help_text="Its issued and paid invoices.")
    last_invoice_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="The issue date of the latest of them."
    )
    currency = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The customer's one currency (EUR when it has no invoice); null when it has invoices in several: "
        "the amounts below are then null too, never a sum across currencies (see `by_currency`).",
    )
    issued_total = _money("As in `by_currency`, for `currency`.", allow_null=True)
    paid_total = _money("As in `by_currency`, for `currency`.", allow_null=True)
    outstanding = _money("As in `by_currency`, for `currency`.", allow_null=True)
    overdue_total = _money("As in `by_currency`, for `currency`.", allow_null=True)
    oldest_overdue_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="The earliest due date of an overdue invoice, in any currency."
    )
    by_currency = CurrencyStatsSerializer(many=True, read_only=True, help_text="One per currency it was invoiced in.")


class BilledSerializer(serializers.Serializer):
    currency = serializers.CharField(read_only=True)
    invoice_count = serializers.IntegerField(read_only=True, help_text="Issued and paid invoices.")
    total_billed = _money("The totals of those invoices.")


class CustomerListSummarySerializer(serializers.Serializer):
    active = serializers.IntegerField(read_only=True, help_text="Active customers of the filtered list.")
    inactive = serializers.IntegerField(read_only=True, help_text="Inactive customers of the filtered list.")
    total = serializers.IntegerField(read_only=True, help_text="Every customer of the filtered list.")
    billed_by_currency = BilledSerializer(many=True, read_only=True, help_text="What they were billed, per currency.")
