"""Demo invoices for the demo customers (customers.demo): amounts and statuses deterministic by the
customer's index, shared by `seeddemo` and the benchmark loader (bench/)."""

from dataclasses import dataclass
from decimal import Decimal

VAT = Decimal("0.21")
STATUS_CYCLE = ("issued", "paid", "draft")


@dataclass(frozen=True)
class DemoInvoice:
    nth: int  # 0 for the customer's first invoice, 1 for the second...
    status: str
    subtotal: Decimal
    tax_total: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_total


def demo_invoices(customer_index: int, count: int) -> list[DemoInvoice]:
    invoices = []
    for nth in range(count):
        subtotal = Decimal(100 + (customer_index * 37 + nth * 11) % 4900)
        invoices.append(
            DemoInvoice(
                nth=nth,
                status=STATUS_CYCLE[nth % len(STATUS_CYCLE)],
                subtotal=subtotal,
                tax_total=(subtotal * VAT).quantize(Decimal("0.01")),
            )
        )
    return invoices
