"""VIN, plate and phone validation on the model, the form and the API: bad input saves nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dealership import identifiers
from dealership.forms import CustomerForm, VehicleForm
from dealership.models import Customer, Vehicle
from tests.factories import make_customer, valid_vin

GOOD_VINS = ["1M8GDM9AXKP042788", "LFV2A2BU4T3000001", "11111111111111111"]
BAD_VINS = {
    "1M8GDM9A1KP042788": "vin_check_digit",  # the known example with a wrong check digit
    "LFV2A2BU5T3000001": "vin_check_digit",
    "1M8GDM9AXKP04278": "vin_length",
    "1M8GDM9AXKP0427888": "vin_length",
    "1M8GDM9AXKPO42788": "vin_characters",  # letter O
    "IM8GDM9AXKP042788": "vin_characters",  # letter I
    "1M8GDM9AXKP04278Q": "vin_characters",
}
GOOD_PLATES = {
    "豫P12345": "豫P12345",
    "豫PD12345": "豫PD12345",  # small new-energy car
    "豫P12345F": "豫P12345F",  # large new-energy vehicle
    "豫p·a8b3c": "豫PA8B3C",  # lower case and the middle dot as printed on the plate
    "京A F0236": "京AF0236",
    "豫P1234学": "豫P1234学",
    "豫PA12345": "豫PA12345",  # new-energy series opened after D ran out
    "豫pｄ１２３４５": "豫PD12345",  # full-width, as a Chinese input method types it
}
BAD_PLATES = ["豫I12345", "豫P1234", "XXP12345", "豫PL12345", "豫P12345O", "P123456", "豫PD1234X", "豫P1234A5D"]
GOOD_MOBILES = {
    "13812345678": "13812345678",
    "+86 138 1234 5678": "13812345678",
    "199-0394-1234": "19903941234",
    "１３８１２３４５６７８": "13812345678",
}
BAD_MOBILES = ["12812345678", "1381234567", "23812345678", "1381234567a", "138123456789"]


def test_vin_check_digit_of_the_iso_3779_example_is_x():
    assert identifiers.vin_check_digit("1M8GDM9A_KP042788".replace("_", "0")) == "X"


@pytest.mark.parametrize("vin", GOOD_VINS)
def test_good_vins_pass(vin):
    identifiers.validate_vin(vin)
    identifiers.validate_vin(vin.lower())


def test_full_width_vin_from_a_chinese_input_method_is_accepted():
    assert identifiers.normalize_vin("ＬＦＶ２Ａ２ＢＵ４Ｔ３０００００１") == "LFV2A2BU4T3000001"


def test_check_digit_message_does_not_hand_out_the_answer():
    with pytest.raises(ValidationError) as refused:
        identifiers.validate_vin("LFV2A2BU5T3000001")

    assert "4" not in refused.value.messages[0]


@pytest.mark.parametrize(("vin", "code"), BAD_VINS.items())
def test_bad_vins_are_refused_with_their_reason(vin, code):
    with pytest.raises(ValidationError) as refused:
        identifiers.validate_vin(vin)

    assert refused.value.code == code


@pytest.mark.parametrize(("typed", "stored"), GOOD_PLATES.items())
def test_good_plates_are_normalised(typed, stored):
    identifiers.validate_plate(typed)

    assert identifiers.normalize_plate(typed) == stored


@pytest.mark.parametrize("plate", BAD_PLATES)
def test_bad_plates_are_refused(plate):
    with pytest.raises(ValidationError):
        identifiers.validate_plate(plate)


@pytest.mark.parametrize(("typed", "stored"), GOOD_MOBILES.items())
def test_good_mobiles_are_normalised(typed, stored):
    identifiers.validate_mobile(typed)

    assert identifiers.normalize_mobile(typed) == stored


@pytest.mark.parametrize("mobile", BAD_MOBILES)
def test_bad_mobiles_are_refused(mobile):
    with pytest.raises(ValidationError):
        identifiers.validate_mobile(mobile)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0394-8123456", "0394-8123456"),
        ("03948123456", "0394-8123456"),
        ("010 62345678", "010-62345678"),
        ("(0371)65551234", "0371-65551234"),
    ],
)
def test_landlines_with_area_code_are_normalised(typed, stored):
    identifiers.validate_landline(typed)

    assert identifiers.normalize_landline(typed) == stored


def test_landline_without_area_code_is_refused():
    with pytest.raises(ValidationError):
        identifiers.validate_landline("8123456")


def test_mobile_is_masked_for_lists():
    assert identifiers.mask_mobile("13812345678") == "138****5678"


def test_messages_are_in_chinese_by_default_and_in_english_on_request():
    with pytest.raises(ValidationError) as refused:
        identifiers.validate_vin("1M8GDM9A1KP042788")

    with translation.override("zh-hans"):
        assert "校验位" in refused.value.messages[0]
    with translation.override("en"):
        assert "check digit" in refused.value.messages[0]


# --- On the model -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_model_full_clean_stores_the_normalised_vin_and_plate():
    vehicle = Vehicle(customer=make_customer(), vin="lfv2a2bu4t3000001", plate="豫p·d12345", model_name="ID.4")

    vehicle.full_clean()

    assert (vehicle.vin, vehicle.plate) == ("LFV2A2BU4T3000001", "豫PD12345")


@pytest.mark.django_db
def test_model_refuses_a_wrong_check_digit():
    vehicle = Vehicle(customer=make_customer(), vin="LFV2A2BU5T3000001", model_name="速腾")

    with pytest.raises(ValidationError) as refused:
        vehicle.full_clean()

    assert "vin" in refused.value.message_dict


@pytest.mark.django_db
def test_database_refuses_a_malformed_mobile_even_past_the_model():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(name="王五", mobile="12345")


# --- On the form --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_form_accepts_lower_case_vin_and_stores_it_upper_case():
    form = VehicleForm(data={"vin": " lfv2a2bu4t3000001 ", "plate": "豫p12345", "model_name": "速腾", "mileage_km": 0})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["vin"] == "LFV2A2BU4T3000001"
    assert form.cleaned_data["plate"] == "豫P12345"


@pytest.mark.django_db
def test_form_refuses_a_bad_mobile_with_a_chinese_message():
    with translation.override("zh-hans"):
        form = CustomerForm(data={"name": "张三", "mobile": "12812345678"})

        assert not form.is_valid()
        assert "11" in form.errors["mobile"][0] and "手机" in form.errors["mobile"][0]


@pytest.mark.django_db
def test_form_refuses_a_vin_already_registered():
    existing = make_customer()
    Vehicle.objects.create(customer=existing, vin=valid_vin(7), model_name="速腾")

    form = VehicleForm(data={"vin": valid_vin(7).lower(), "plate": "", "model_name": "速腾", "mileage_km": 10})

    assert not form.is_valid()
    assert "vin" in form.errors


# --- On the API ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_refuses_bad_vin_plate_and_mobile_and_saves_nothing(api_as):
    api = api_as("advisor")
    customer = make_customer()

    bad_vehicle = api.post(
        "/api/v1/vehicles/",
        {"customer": customer.pk, "vin": "LFV2A2BU5T3000001", "plate": "豫I12345", "model_name": "速腾"},
        format="json",
    )
    bad_customer = api.post("/api/v1/customers/", {"name": "李四", "mobile": "1381234567"}, format="json")

    assert bad_vehicle.status_code == 400
    assert set(bad_vehicle.json()) == {"vin", "plate"}
    assert bad_customer.status_code == 400
    assert list(bad_customer.json()) == ["mobile"]
    assert Vehicle.objects.count() == 0
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_api_normalises_lower_case_vin_and_new_energy_plate(api_as):
    api = api_as("advisor")
    customer = make_customer()

    created = api.post(
        "/api/v1/vehicles/",
        {"customer": customer.pk, "vin": "lfv2a2bu4t3000001", "plate": "豫p d12345", "model_name": "ID.4 CROZZ"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert created.json()["vin"] == "LFV2A2BU4T3000001"
    assert created.json()["plate"] == "豫PD12345"
