"""Customers carry their tax id verification (issue 25, items 3-4), through HTTP against the fake registries
configured through the settings: the outcome shown in the API, the list filter, the PENDING re-check by the
Celery sweep and its event, the rule of when the registry is asked, bulk and CSV NIF_INVALID rows."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from beel.clock import clock
from beel.events.models import Event
from customers import tasks
from customers.models import Customer
from tests.envelope import assert_error, assert_success

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers"
ENTITY, PERSON = "B87654323", "12345678Z"


def create(api, **body):
    return assert_success(
        api.post(URL, {"legal_name": "Juan Español Español", "nif": PERSON, **body}, format="json"), 201
    )


def stored(data) -> Customer:
    return Customer.objects.get(pk=data["id"])


def test_a_nif_the_census_does_not_know_is_saved_and_shown_invalid(api, aeat):
    aeat.table[PERSON] = "NO IDENTIFICADO"

    data = create(api)

    verification = data["tax_id_verification"]
    assert verification["status"] == "INVALID" and verification["registry"] == "AEAT"
    assert verification["result_code"] == "NO IDENTIFICADO" and verification["registry_name"] is None
    assert stored(data).tax_id_status == "INVALID" and stored(data).tax_id_recheck_at is None
    assert aeat.asked() == [PERSON]
    shown = assert_success(api.get(f"{URL}/{data['id']}"))
    assert shown["tax_id_verification"] == verification


def test_an_identified_entity_is_valid_with_the_census_name_and_asked_by_its_cif_alone(api, aeat):
    aeat.table[ENTITY] = ("IDENTIFICADO", "EJEMPLO SOLUCIONES SL")

    data = create(api, legal_name="Cualquier Nombre SL", nif=ENTITY)

    assert data["tax_id_verification"]["status"] == "VALID"
    assert data["tax_id_verification"]["registry_name"] == "EJEMPLO SOLUCIONES SL"
    assert data["tax_id_verification"]["checked_at"].endswith("Z")
    assert "<vnif:Nombre></vnif:Nombre>" in aeat.seen[0].body.decode()  # the CIF alone


def test_registry_down_saves_pending_then_the_sweep_gets_the_verdict_and_records_the_event(api, aeat):
    clock.freeze()
    aeat.table[PERSON] = ["fault-server", "IDENTIFICADO"]

    data = create(api)

    assert data["tax_id_verification"]["status"] == "PENDING"
    customer = stored(data)
    assert customer.tax_id_recheck_at is not None and customer.tax_id_recheck_attempts == 1
    tasks.recheck_pending_tax_ids.delay()  # not due yet: nothing asked
    assert aeat.asked() == [PERSON]

    clock.advance(61)
    tasks.recheck_pending_tax_ids.delay()  # as beat would; eager in tests, as without a broker

    customer.refresh_from_db()
    assert (customer.tax_id_status, customer.tax_id_recheck_at, customer.tax_id_recheck_attempts) == ("VALID", None, 0)
    events = Event.objects.filter(type="customer.tax_id_verified")
    assert [event.data["id"] for event in events] == [data["id"]]
    assert events[0].data["tax_id_verification"]["status"] == "VALID"
    assert assert_success(api.get(f"{URL}/{data['id']}"))["tax_id_verification"]["status"] == "VALID"


def test_still_down_the_next_recheck_waits_twice_as_long(api, aeat):
    clock.freeze()
    aeat.table[PERSON] = "fault-server"
    customer = stored(create(api))
    first_wait = customer.tax_id_recheck_at.timestamp() - clock.now()

    clock.advance(61)
    tasks.recheck_pending_tax_ids.delay()

    customer.refresh_from_db()
    assert customer.tax_id_status == "PENDING" and customer.tax_id_recheck_attempts == 2
    assert customer.tax_id_recheck_at.timestamp() - clock.now() == pytest.approx(2 * first_wait)
    assert not Event.objects.filter(type="customer.tax_id_verified").exists()


def test_without_a_certificate_every_check_is_pending_and_nothing_fails(api, settings):
    settings.AEAT_CLIENT_CERT = settings.AEAT_CLIENT_KEY = ""

    data = create(api)
    bulk = api.post(f"{URL}/bulk", {"customers": [{"legal_name": "Otra SL", "nif": ENTITY}]}, format="json")

    assert data["tax_id_verification"]["status"] == "PENDING"
    assert data["tax_id_verification"]["result_code"] == "NOT_CONFIGURED"
    assert [row["status"] for row in assert_success(bulk, 201)["customers_validation"]] == ["VALID"]
    assert Customer.objects.get(nif=ENTITY).tax_id_status == "PENDING"


def test_a_patch_that_changes_only_the_email_does_not_ask_the_registry(api, aeat):
    data = create(api)
    asked = len(aeat.seen)

    assert_success(api.patch(f"{URL}/{data['id']}", {"email": "juan@example.es"}, format="json"))
    assert_success(
        api.patch(f"{URL}/{data['id']}", {"nif": PERSON, "legal_name": "Juan Español Español"}, format="json")
    )
    assert_success(api.put(f"{URL}/{data['id']}", {"legal_name": "Juan Español Español", "nif": PERSON}, format="json"))

    assert len(aeat.seen) == asked


def test_a_natural_persons_new_name_is_asked_and_its_answer_stored(api, aeat):
    data = create(api)
    aeat.table[PERSON] = "NO IDENTIFICADO"

    changed = assert_success(api.patch(f"{URL}/{data['id']}", {"legal_name": "Juan Otro"}, format="json"))

    assert changed["tax_id_verification"]["status"] == "INVALID"
    assert aeat.asked() == [PERSON, PERSON]
    assert stored(data).tax_id_status == "INVALID"


def test_a_nif_iva_is_checked_in_vies_with_its_consultation_number(api, aeat, vies, settings):
    settings.VIES_REQUESTER_VAT = "ESB87654323"
    body = {
        "legal_name": "Exemple SARL",
        "alternative_id": {"type": "NIF_IVA", "number": "FR84888000007", "country_code": "FR"},
    }

    data = assert_success(api.post(URL, body, format="json"), 201)

    verification = data["tax_id_verification"]
    assert (verification["status"], verification["registry"]) == ("VALID", "VIES")
    assert verification["consultation_number"] == "WAPIAAAAZ0123456"
    assert vies.requests()[0]["vatNumber"] == "84888000007"


def test_the_list_filters_by_tax_id_status_and_refuses_an_unknown_one(api, aeat):
    aeat.table[PERSON] = "NO IDENTIFICADO"
    invalid = create(api)
    valid = create(api, legal_name="Ejemplo SL", nif=ENTITY)

    listed = assert_success(api.get(URL, {"tax_id_status": "INVALID"}))["customers"]
    assert [customer["id"] for customer in listed] == [invalid["id"]]
    listed = assert_success(api.get(URL, {"tax_id_status": "VALID"}))["customers"]
    assert [customer["id"] for customer in listed] == [valid["id"]]
    assert_error(api.get(URL, {"tax_id_status": "MAYBE"}), 400, "VALIDATION_ERROR")


def test_bulk_rows_the_census_does_not_know_are_nif_invalid(api, aeat):
    aeat.table[PERSON] = "NO IDENTIFICADO"
    items = [{"legal_name": "Ejemplo SL", "nif": ENTITY}, {"legal_name": "Juan Nadie", "nif": PERSON}]

    preview = assert_success(api.post(f"{URL}/bulk?dry_run=true", {"customers": items}, format="json"))
    refused = api.post(f"{URL}/bulk", {"customers": items}, format="json")

    assert [row["status"] for row in preview["customers_validation"]] == ["VALID", "NIF_INVALID"]
    assert preview["statistics"]["invalid_nifs"] == 1
    assert refused.status_code == 422 and not Customer.objects.exists()
    assert len(aeat.seen) == 1  # both NIFs in one VNifV2 request; the second call read the cache
    created = assert_success(api.post(f"{URL}/bulk", {"customers": items[:1]}, format="json"), 201)
    assert stored({"id": created["customers_validation"][0]["customer_id"]}).tax_id_status == "VALID"


def test_csv_preview_rows_the_census_does_not_know_are_nif_invalid(api, aeat):
    aeat.table[PERSON] = "NO IDENTIFICADO"
    text = f"nombre_fiscal;nif\r\nEjemplo SL;{ENTITY}\r\nJuan Nadie;{PERSON}\r\n"
    file = SimpleUploadedFile("clientes.csv", text.encode(), content_type="text/csv")

    data = assert_success(api.post(f"{URL}/import-csv-preview", {"file": file}, format="multipart"))

    assert [row["status"] for row in data["customers_validation"]] == ["VALID", "NIF_INVALID"]
    assert not Customer.objects.exists()


def test_the_admin_shows_the_verification_and_rechecks_it_with_the_same_service(api, aeat, staff):
    aeat.table[PERSON] = ["NO IDENTIFICADO", "IDENTIFICADO"]
    data = create(api)
    changelist = reverse("admin:customers_customer_changelist")

    spanish = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}
    listed = staff.get(changelist, {"tax_id_status__exact": "INVALID"}, **spanish).content.decode()
    page = staff.get(reverse("admin:customers_customer_change", args=[data["id"]]), **spanish).content.decode()
    actions = staff.get(changelist, **spanish).context["action_form"].fields["action"].choices
    assert ("recheck_tax_ids", "Volver a comprobar el NIF en el censo") in [(v, str(label)) for v, label in actions]
    assert "Juan Español Español" in listed and "No figura en el registro" in listed
    assert "Comprobación del NIF" in page and "NO IDENTIFICADO" in page

    staff.post(changelist, {"action": "recheck_tax_ids", "_selected_action": [data["id"]]})

    assert stored(data).tax_id_status == "VALID"
    assert aeat.asked() == [PERSON, PERSON]
    assert Event.objects.filter(type="customer.tax_id_verified").count() == 1


def test_an_erasure_scrubs_the_registrys_name_with_the_tax_id(api, aeat):
    aeat.table[ENTITY] = ("IDENTIFICADO", "EJEMPLO SOLUCIONES SL")
    data = create(api, legal_name="Ejemplo SL", nif=ENTITY)

    assert_success(api.post(f"{URL}/{data['id']}/anonymize"))

    customer = stored(data)
    assert (customer.nif, customer.tax_id_registry_name, customer.tax_id_status) == ("", "", "")
    assert customer.anonymized_at is not None


def test_without_a_broker_the_command_runs_the_sweep_in_its_own_process(api, aeat):
    clock.freeze()
    aeat.table[PERSON] = ["fault-server", "IDENTIFICADO"]
    data = create(api)
    out = StringIO()

    call_command("recheckpendingtaxids", stdout=out)  # not due yet: nothing asked
    assert aeat.asked() == [PERSON] and out.getvalue().endswith("Checked 0 customers again.\n")

    clock.advance(61)
    call_command("recheckpendingtaxids", stdout=out)

    assert stored(data).tax_id_status == "VALID" and aeat.asked() == [PERSON, PERSON]
    assert f"{data['id']}  VALID\nChecked 1 customer again.\n" in out.getvalue()
    assert [event.data["id"] for event in Event.objects.filter(type="customer.tax_id_verified")] == [data["id"]]
