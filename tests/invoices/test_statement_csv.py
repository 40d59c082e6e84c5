"""The statement as the CSV a Spanish Excel opens as is (`Accept: text/csv`): byte for byte, and its errors
still in the envelope."""

import pytest

from tests.envelope import assert_error
from tests.factories import CustomerFactory
from tests.invoices.statements import canonical_url_of, stored_invoice, url_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]
# The aging labels' Spanish translations write ranges with an en dash.
DASH = "\u2013"


def csv_of(response) -> bytes:
    assert response.status_code == 200, response.content[:500] if not response.streaming else response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content)


def test_the_csv_is_the_statement_in_spanish_byte_for_byte(api, account):
    customer = CustomerFactory(account=account, legal_name="=HIPERVINCULO(x) S.L.", nif="12345678Z")
    paid = stored_invoice(
        customer, issued="2026-01-10", due="2026-02-09", total="1234.50", payments=(("2026-03-05", "234.50"),)
    )
    usd = stored_invoice(customer, issued="2026-04-01", due="2026-05-01", total="40.00", currency="USD")
    response = api.get(url_of(customer), {"from": "2026-02-01", "to": "2026-05-31"}, HTTP_ACCEPT="text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="extracto-{customer.pk}-2026-02-01-2026-05-31.csv"'
    )
    who = "'=HIPERVINCULO(x) S.L.;12345678Z"
    expected = (
        "\ufeffCliente;NIF;Moneda;Fecha;Concepto;Factura;Fecha de emisión;Vencimiento;Debe;Haber;Saldo\r\n"
        f"{who};EUR;2026-02-01;Saldo inicial;;;;;;1234,50\r\n"
        f"{who};EUR;2026-03-05;Cobro;{paid.full_number};2026-01-10;2026-02-09;;234,50;1000,00\r\n"
        f"{who};EUR;2026-05-31;Saldo final;;;;0,00;234,50;1000,00\r\n"
        f"{who};EUR;2026-05-31;Antigüedad: Al corriente;;;;;;0,00\r\n"
        f"{who};EUR;2026-05-31;Antigüedad: 1{DASH}30 días;;;;;;0,00\r\n"
        f"{who};EUR;2026-05-31;Antigüedad: 31{DASH}60 días;;;;;;0,00\r\n"
        f"{who};EUR;2026-05-31;Antigüedad: 61{DASH}90 días;;;;;;0,00\r\n"
        f"{who};EUR;2026-05-31;Antigüedad: Más de 90 días;;;;;;1000,00\r\n"
        f"{who};USD;2026-02-01;Saldo inicial;;;;;;0,00\r\n"
        f"{who};USD;2026-04-01;Factura;{usd.full_number};2026-04-01;2026-05-01;40,00;;40,00\r\n"
        f"{who};USD;2026-05-31;Saldo final;;;;40,00;0,00;40,00\r\n"
        f"{who};USD;2026-05-31;Antigüedad: Al corriente;;;;;;0,00\r\n"
        f"{who};USD;2026-05-31;Antigüedad: 1{DASH}30 días;;;;;;40,00\r\n"
        f"{who};USD;2026-05-31;Antigüedad: 31{DASH}60 días;;;;;;0,00\r\n"
        f"{who};USD;2026-05-31;Antigüedad: 61{DASH}90 días;;;;;;0,00\r\n"
        f"{who};USD;2026-05-31;Antigüedad: Más de 90 días;;;;;;0,00\r\n"
    )
    assert csv_of(response) == expected.encode("utf-8")


def test_a_negative_balance_is_a_number_excel_sums_not_guarded_text(api, customer):
    # An advance paid before its invoice: the customer is owed 40,00 on April 1st.
    advance = stored_invoice(
        customer, issued="2026-04-10", due="2026-05-10", total="100.00", payments=(("2026-04-01", "40.00"),)
    )
    customer.legal_name, customer.nif = "-Guion S.L.", "12345678Z"
    customer.save()

    text = csv_of(api.get(url_of(customer), {"from": "2026-04-01", "to": "2026-04-01"}, HTTP_ACCEPT="text/csv"))

    rows = text.decode().splitlines()
    assert (
        rows[2]
        == f"'-Guion S.L.;12345678Z;EUR;2026-04-01;Cobro;{advance.full_number};2026-04-10;2026-05-10;;40,00;-40,00"
    )
    assert rows[3].endswith(";Saldo final;;;;0,00;40,00;-40,00")


def test_the_canonical_route_answers_the_same_csv(api, customer):
    stored_invoice(customer, issued="2026-02-01", total="10.00")
    flat = csv_of(api.get(url_of(customer), HTTP_ACCEPT="text/csv"))
    canonical = csv_of(api.get(canonical_url_of(customer.company_id, customer), HTTP_ACCEPT="text/csv"))
    assert flat == canonical and flat.startswith(b"\xef\xbb\xbfCliente;")


def test_json_is_the_default_and_other_formats_are_406_in_the_envelope(api, customer):
    assert api.get(url_of(customer))["Content-Type"] == "application/json"
    assert api.get(url_of(customer), HTTP_ACCEPT="application/json")["Content-Type"] == "application/json"
    assert_error(api.get(url_of(customer), HTTP_ACCEPT="application/xml"), 406, "NOT_ACCEPTABLE")
    # `format` is no parameter of the API: Accept decides.
    assert api.get(url_of(customer) + "?format=csv")["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("text/csv;q=0, application/json", "application/json"),
        ("application/json;q=0.2, text/csv", "text/csv; charset=utf-8"),
        ("application/json;q=0.5, text/csv;q=0.9", "text/csv; charset=utf-8"),
        ("text/csv, */*", "text/csv; charset=utf-8"),  # the more specific range, as DRF chooses
        ("text/*;q=0.1, */*", "application/json"),
        ("application/json;q=0, */*", "text/csv; charset=utf-8"),
        ("text/csv; charset=utf-8", "text/csv; charset=utf-8"),
        ("*/*;q=abc", "application/json"),  # a quality that is no number counts as 1
    ],
)
def test_accept_is_read_with_its_qualities(api, customer, accept, content_type):
    assert api.get(url_of(customer), HTTP_ACCEPT=accept)["Content-Type"] == content_type


@pytest.mark.parametrize("accept", ["text/csv;q=0", "application/json;q=0, text/csv;q=0", "*/*;q=0"])
def test_what_accept_refuses_with_q_0_is_a_406(api, customer, accept):
    assert_error(api.get(url_of(customer), HTTP_ACCEPT=accept), 406, "NOT_ACCEPTABLE")


def test_a_bad_period_asked_as_csv_is_a_422_in_the_envelope(api, customer):
    response = api.get(url_of(customer), {"from": "2026-05-02", "to": "2026-05-01"}, HTTP_ACCEPT="text/csv")
    assert not response.streaming
    assert "from" in assert_error(response, 422, "VALIDATION_ERROR")["details"]


def test_another_accounts_customer_asked_as_csv_is_a_404_in_the_envelope(api, other_account):
    stranger = CustomerFactory(account=other_account)
    assert_error(api.get(url_of(stranger), HTTP_ACCEPT="text/csv"), 404, "CLIENT_NOT_FOUND")


def test_the_schema_documents_the_json_and_the_csv_answers(anonymous_client):
    schema = anonymous_client.get("/api/v1/schema?format=json").json()
    for path in (
        "/api/v1/customers/{customer_id}/statement",
        "/api/v1/companies/{company_id}/customers/{customer_id}/statement",
    ):
        operation = schema["paths"][path]["get"]
        assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
        assert {"400", "403", "404", "406", "422"} <= set(operation["responses"])
        assert {"from", "to"} <= {parameter["name"] for parameter in operation["parameters"]}
        assert operation["security"] == [{"BearerAuth": ["invoices:read"]}]
    component = schema["components"]["schemas"]["CurrencySection"]["properties"]
    assert {"opening_balance", "lines", "closing_balance", "aging"} <= set(component)
