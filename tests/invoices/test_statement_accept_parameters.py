"""Accept's parameters, as the quality-reading negotiation must keep them: a wildcard's `indent` (as DRF honoured
it) and a charset that narrows a range to that charset (RFC 9110, 12.5.1)."""

import pytest

from tests.invoices.statements import url_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("receivables_today")]


def test_a_wildcard_range_keeps_its_indent_as_drf_honoured_it(api, customer):
    # DRF answered `application/json;indent=4` for `*/*; indent=4`, and the JSON came indented.
    response = api.get(url_of(customer), HTTP_ACCEPT="*/*; indent=4")

    assert response.status_code == 200
    assert b'\n    "' in response.content


def test_refusing_another_charset_of_csv_does_not_refuse_the_utf8_csv(api, customer):
    # RFC 9110, 12.5.1: `text/csv;charset=latin1` speaks of latin-1 CSV only; the UTF-8 CSV the view writes takes
    # the quality of `text/csv` (1), not the q=0 of a range that only looks more specific.
    response = api.get(url_of(customer), HTTP_ACCEPT="text/csv, text/csv;charset=latin1;q=0")

    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
