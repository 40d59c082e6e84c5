"""POST /nif/validate through BeeL's published Python SDK (beel-sdk 1.0.0's generated NIFApi) against a live
beel whose census is the fake VNifV2 server: the SDK's models parse every answer (VALID, INVALID, PENDING)."""

import json

import pytest
from beel_generated import ApiClient, Configuration
from beel_generated.api.nif_api import NIFApi
from beel_generated.exceptions import ApiException
from beel_generated.models import NifValidationStatus, ValidateNifRequest, ValidateNifResponse

from tests.factories import APIKeyFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nif_api(live_server, account):
    key = APIKeyFactory(account=account)
    return NIFApi(ApiClient(Configuration(host=f"{live_server.url}/api", access_token=key.raw_key, retries=0)))


def validate(nif_api, **fields) -> ValidateNifResponse:
    response = nif_api.validate_nif_without_preload_content(ValidateNifRequest(**fields))
    assert response.status == 200, response.data
    data = json.loads(response.data)["data"]
    parsed = ValidateNifResponse.model_validate(data)
    parsed.status = NifValidationStatus(data["status"])
    return parsed


def test_the_sdk_parses_a_valid_an_invalid_and_a_pending_answer(nif_api, aeat, settings):
    aeat.table["B87654323"] = ("IDENTIFICADO", "EJEMPLO SOLUCIONES SL")
    aeat.table["12345678Z"] = "NO IDENTIFICADO"

    valid = validate(nif_api, nif="B87654323", legal_name="Ejemplo")
    invalid = validate(nif_api, nif="12345678Z", legal_name="Juan Español")
    settings.AEAT_CLIENT_CERT = ""
    pending = validate(nif_api, nif="A58818501")

    assert (valid.valid, valid.status, valid.legal_name) == (True, NifValidationStatus.VALID, "EJEMPLO SOLUCIONES SL")
    assert valid.validated_at is not None
    assert (invalid.valid, invalid.status, invalid.legal_name) == (False, NifValidationStatus.INVALID, None)
    assert (pending.status, pending.validated_at) == (NifValidationStatus.PENDING, None)


def test_the_sdk_sees_the_blank_nif_as_a_422(nif_api, aeat):
    with pytest.raises(ApiException) as refused:
        nif_api.validate_nif(ValidateNifRequest(nif=""))

    assert refused.value.status == 422
    assert '"FIELD_BLANK"' in refused.value.body
