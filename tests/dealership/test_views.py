"""The directory pages: find, add and edit customers and their cars."""

import pytest
from django.urls import reverse

from dealership import navigation
from dealership.models import Customer, Vehicle
from dealership.permissions import ALL_ROLES
from tests.factories import make_customer, make_vehicle, valid_vin


@pytest.mark.django_db
def test_advisor_adds_a_customer_and_registers_the_car(client_as):
    client = client_as("advisor")

    added = client.post("/customers/new/", {"name": " 张三 ", "mobile": "138-1234-5678", "landline": ""})
    customer = Customer.objects.get()
    registered = client.post(
        f"/customers/{customer.pk}/vehicles/new/",
        {"vin": valid_vin(1).lower(), "plate": "豫p·12345", "model_name": "一汽-大众 速腾", "mileage_km": "15230"},
    )

    assert added.status_code == 302 and added["Location"] == f"/customers/{customer.pk}/"
    assert (customer.name, customer.mobile) == ("张三", "13812345678")
    assert registered.status_code == 302
    vehicle = Vehicle.objects.get()
    assert (vehicle.customer, vehicle.vin, vehicle.plate, vehicle.mileage_km) == (
        customer,
        valid_vin(1),
        "豫P12345",
        15230,
    )
    assert vehicle.history.get().history_user == client.user


@pytest.mark.django_db
def test_bad_input_shows_chinese_errors_and_saves_nothing(client_as):
    client = client_as("advisor")
    customer = make_customer()

    refused = client.post(
        f"/customers/{customer.pk}/vehicles/new/",
        {"vin": "LFV2A2BU5T3000001", "plate": "豫I12345", "model_name": "速腾", "mileage_km": "-5"},
    )

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "校验位" in page
    assert "车牌" in page
    assert not Vehicle.objects.exists()


@pytest.mark.django_db
def test_edit_keeps_the_vin_and_records_who_changed_what(client_as):
    client = client_as("callcentre")
    vehicle = make_vehicle(mileage_km=1000)

    client.post(f"/vehicles/{vehicle.pk}/edit/", {"plate": "豫PF66666", "model_name": "ID.4", "mileage_km": "2000"})

    vehicle.refresh_from_db()
    assert (vehicle.plate, vehicle.mileage_km) == ("豫PF66666", 2000)
    latest = vehicle.history.latest()
    assert latest.history_user == client.user
    assert latest.prev_record.mileage_km == 1000


@pytest.mark.django_db
def test_search_finds_by_name_mobile_plate_and_vin_tail(client_as):
    client = client_as("advisor")
    wanted = make_vehicle(plate="豫PD88888", customer=make_customer(name="欧阳娜娜", mobile="15912345678"))
    make_vehicle(customer=make_customer(name="李四"))

    queries = ["欧阳", "1591234", "豫pd888", wanted.vin[-6:]]
    pages = [client.get("/customers/", {"q": query}).content.decode() for query in queries]

    for page in pages:
        assert "欧阳娜娜" in page
        assert "李四" not in page


@pytest.mark.django_db
def test_live_search_answers_htmx_with_the_rows_only(client_as):
    client = client_as("advisor")
    make_customer(name="欧阳娜娜")

    fragment = client.get("/customers/", {"q": "欧阳"}, HTTP_HX_REQUEST="true").content.decode()

    assert "欧阳娜娜" in fragment
    assert "<html" not in fragment


@pytest.mark.django_db
def test_foreman_sees_masked_mobiles_advisor_sees_them_whole(client, user_with):
    make_customer(name="张三", mobile="13812345678")

    client.force_login(user_with("foreman"))
    foreman_page = client.get("/customers/").content.decode()
    client.force_login(user_with("advisor"))
    advisor_page = client.get("/customers/").content.decode()

    assert "138****5678" in foreman_page and "13812345678" not in foreman_page
    assert "13812345678" in advisor_page


@pytest.mark.django_db
def test_customer_list_keeps_a_fixed_query_count(client_as, django_assert_max_num_queries):
    client = client_as("advisor")
    for _number in range(40):
        make_vehicle()

    with django_assert_max_num_queries(10):
        page = client.get("/customers/")

    assert page.content.decode().count("plate") >= 25


@pytest.mark.django_db
def test_unknown_customer_is_404_in_chinese(client_as):
    client = client_as("advisor")

    missing = client.get("/customers/999999/")

    assert missing.status_code == 404
    assert "找不到" in missing.content.decode()


@pytest.mark.django_db
def test_home_links_each_role_to_its_pages(client, user_with):
    client.force_login(user_with("advisor"))
    advisor_home = client.get("/").content.decode()
    client.force_login(user_with("technician"))
    technician_home = client.get("/").content.decode()

    assert 'href="/customers/"' in advisor_home
    assert 'href="/customers/"' not in technician_home


@pytest.mark.django_db
def test_search_finds_a_plate_typed_without_its_province_and_a_mobile_with_spaces(client_as):
    client = client_as("advisor")
    make_vehicle(plate="豫KAL131", customer=make_customer(name="赵六", mobile="13800138000"))

    for query in ["KAL131", "kal131", "138 0013"]:
        assert "赵六" in client.get("/customers/", {"q": query}).content.decode(), query


@pytest.mark.django_db
def test_a_role_that_sees_masked_numbers_cannot_search_by_them(client, user_with):
    make_customer(name="赵六", mobile="13800138000")
    client.force_login(user_with("foreman"))

    page = client.get("/customers/", {"q": "1380013"}).content.decode()

    assert "赵六" not in page


@pytest.mark.django_db
def test_a_second_customer_with_the_same_mobile_needs_a_confirmation(client_as):
    client = client_as("advisor")
    make_customer(name="张三", mobile="13800138000")

    warned = client.post("/customers/new/", {"name": "张三丰", "mobile": "13800138000"})
    confirmed = client.post("/customers/new/", {"name": "张三丰", "mobile": "13800138000", "confirm_duplicate": "on"})

    assert "已属于张三" in warned.content.decode()
    assert confirmed.status_code == 302
    assert Customer.objects.filter(mobile="13800138000").count() == 2


@pytest.mark.django_db
def test_a_known_vin_is_refused_naming_its_owner(client_as):
    client = client_as("advisor")
    make_vehicle(vin=valid_vin(5), plate="豫P55555", customer=make_customer(name="李四"))

    refused = client.post(
        f"/customers/{make_customer().pk}/vehicles/new/",
        {"vin": valid_vin(5), "plate": "", "model_name": "速腾", "mileage_km": "10"},
    )

    assert "李四" in refused.content.decode() and "豫P55555" in refused.content.decode()
    assert Vehicle.objects.count() == 1


@pytest.mark.django_db
def test_an_absurd_mileage_is_refused(client_as):
    client = client_as("advisor")

    refused = client.post(
        f"/customers/{make_customer().pk}/vehicles/new/",
        {"vin": valid_vin(6), "plate": "", "model_name": "速腾", "mileage_km": "99999999999"},
    )

    assert refused.status_code == 200
    assert not Vehicle.objects.exists()


@pytest.mark.django_db
def test_foreman_reaches_the_directory_from_home_and_the_top_bar_marks_the_current_page(client, user_with):
    client.force_login(user_with("foreman"))

    home = client.get("/").content.decode()
    directory = client.get("/customers/").content.decode()

    assert 'href="/customers/"' in home
    assert 'class="dropdown-item py-2 active" href="/customers/" aria-current="page"' in directory


@pytest.mark.django_db
def test_two_desks_editing_one_customer_the_second_save_is_refused_not_lost(client, user_with):
    customer = make_customer(name="张三", mobile="13800138000")
    first, second = user_with("advisor"), user_with("callcentre")
    client.force_login(first)
    opened_version = customer.version

    client.post(f"/customers/{customer.pk}/edit/", {"name": "张三", "mobile": "13900139000", "version": opened_version})
    client.force_login(second)
    refused = client.post(
        f"/customers/{customer.pk}/edit/", {"name": "张叁", "mobile": "13800138000", "version": opened_version}
    )

    customer.refresh_from_db()
    assert (customer.name, customer.mobile) == ("张三", "13900139000")
    assert "其他人刚刚修改了这条记录" in refused.content.decode()


def test_each_request_loads_the_user_with_their_staff_profile_in_one_query(db, django_assert_num_queries):
    from dealership.auth import StaffBackend
    from tests.factories import make_user

    active, gone = make_user("advisor", name="王芳"), make_user("advisor", is_active=False)

    with django_assert_num_queries(1):
        user = StaffBackend().get_user(active.pk)
        name = user.staff.name  # the top bar's name costs no query of its own

    assert name == "王芳"
    assert StaffBackend().get_user(gone.pk) is None and StaffBackend().get_user(999_999) is None


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_every_link_a_role_is_shown_opens_for_that_role(client, user_with, role):
    """A link's roles are read off its page's role gate: no role sees a link to a page that refuses it."""
    user = user_with(role)
    client.force_login(user)
    links = navigation.links_for(user)
    assert links
    for link in links:
        assert client.get(reverse(link.url_name)).status_code == 200, (role, link.url_name)
