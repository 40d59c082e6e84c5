"""GET /customers/aging/export: the whole aging report as a Spanish-Excel CSV, streamed."""

import pytest

from tests.envelope import assert_error
from tests.factories import CompanyFactory, CustomerFactory
from tests.invoices.aging import EXPORT_URL, company_url, owing

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]

# The buckets' labels take an en dash (U+2013), as invoices.aging's Spanish translations write them.
HEADER = (
    "ID cliente;Razón social;NIF;Moneda;Al corriente;"
    "1\u201330 días;31\u201360 días;61\u201390 días;Más de 90 días;Total\r\n"
)


def body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_csv_is_every_row_in_spanish_excels_format(api, account):
    acme = CustomerFactory(account=account, legal_name="Acme; Hermanos SL", nif="B12345674")
    formula = CustomerFactory(account=account, legal_name="=HYPERLINK(1)", nif="12345678Z")
    owing(acme, "1234.50", days_past_due=31)
    owing(acme, "0.10", days_past_due=-3)
    owing(acme, "9.99", days_past_due=2, currency="USD")
    owing(formula, "20.00", days_past_due=95, paid="0.01")
    response = api.get(EXPORT_URL, {"as_of": "2026-06-15"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="antiguedad-saldos-20260615.csv"'
    assert (
        body(response)
        == (
            "\ufeff"
            + HEADER
            + f'{acme.pk};"Acme; Hermanos SL";B12345674;EUR;0,10;0,00;1234,50;0,00;0,00;1234,60\r\n'
            + f"{formula.pk};'=HYPERLINK(1);12345678Z;EUR;0,00;0,00;0,00;0,00;19,99;19,99\r\n"
            + f'{acme.pk};"Acme; Hermanos SL";B12345674;USD;0,00;9,99;0,00;0,00;0,00;9,99\r\n'
        ).encode()
    )


def test_the_csv_takes_the_reports_order(api, account):
    for name, total in (("Beta", "1.00"), ("Alfa", "2.00")):
        owing(CustomerFactory(account=account, legal_name=name), total)
    lines = body(api.get(EXPORT_URL, {"sort_by": "legal_name", "sort_order": "desc"})).decode().splitlines()
    assert [line.split(";")[1] for line in lines[1:]] == ["Beta", "Alfa"]


def test_an_empty_report_is_its_header(api):
    assert body(api.get(EXPORT_URL)) == ("\ufeff" + HEADER).encode()


def test_accept_text_csv_is_answered_and_errors_stay_in_the_envelope(api):
    assert api.get(EXPORT_URL, HTTP_ACCEPT="text/csv").status_code == 200
    error = assert_error(api.get(EXPORT_URL, {"as_of": "2026-06-16"}, HTTP_ACCEPT="text/csv"), 422, "VALIDATION_ERROR")
    assert "as_of" in error["details"]
    assert_error(api.get(EXPORT_URL, {"page": "2"}), 400, "VALIDATION_ERROR")  # the whole report: no pages


def test_a_client_refusing_csv_is_a_406_and_one_asking_json_still_gets_the_csv(api):
    assert_error(api.get(EXPORT_URL, HTTP_ACCEPT="text/csv;q=0, application/json"), 406, "NOT_ACCEPTABLE")
    response = api.get(EXPORT_URL, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"


def test_the_canonical_csv_is_its_companys(api, account, customer):
    second = CompanyFactory(account=account)
    owing(customer, "10.00")
    other = CustomerFactory(account=account, company=second)
    owing(other, "20.00")
    lines = body(api.get(company_url(second.pk, export=True))).decode().splitlines()
    assert [line.split(";")[0] for line in lines[1:]] == [str(other.pk)]


def test_another_accounts_rows_are_not_in_the_csv(api, other_account):
    owing(CustomerFactory(account=other_account), "20.00")
    assert body(api.get(EXPORT_URL)) == ("\ufeff" + HEADER).encode()
