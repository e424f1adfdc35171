"""The returns list and the inspection queue: scope, filters, the queue's threshold, query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from returns.models import Return
from returns.selectors import inspection_queue_cutoff, waiting_for_inspection_q
from shopmgr.core import roles
from shopmgr.core.dates import BERLIN, berlin_midnight_utc, berlin_today
from tests.catalog.factories import ProductFactory
from tests.conftest import user_with_role
from tests.returns_analytics.factories import make_return
from tests.sales.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db
LIST = "/returns/list/"
QUEUE = "/returns/list/queue/"


def days_ago(days: int, hour: int = 10) -> dt.datetime:
    """`hour` o'clock Berlin time, `days` Berlin days before today."""
    return berlin_midnight_utc(berlin_today() - dt.timedelta(days=days)) + dt.timedelta(hours=hour)


def order_with(*products, placed=None):
    order = OrderFactory(placed_at=placed or days_ago(20))
    lines = [OrderLineFactory(order=order, line_no=i, product=p, quantity=2) for i, p in enumerate(products, 1)]
    return order, lines


@pytest.fixture
def service(db):
    return user_with_role(roles.CUSTOMER_SERVICE, username="service")


@pytest.fixture
def shop(category_tree):
    """A dress (FASHION-WOMEN), a shirt (FASHION-MEN) and a phone (ELECTRONICS-PHONES) with returns.

    RMA-DRESS   dress, too small, received 5 days ago, not inspected (queue)
    RMA-MIXED   dress (not as described) + phone (defective), received 2 days ago (not yet queue)
    RMA-PHONE   phone, defective, warranty, requested 40 days ago, not received
    RMA-SHIRT   shirt, too large, inspected (received 10 days ago)
    """
    dress = ProductFactory(sku="DRESS-1", category=category_tree["women"])
    shirt = ProductFactory(sku="SHIRT-1", category=category_tree["men"])
    phone = ProductFactory(sku="PHONE-1", category=category_tree["phones"])
    o1, (l1,) = order_with(dress)
    make_return("RMA-DRESS", o1, received_at=days_ago(5), lines=[(l1, 1, "SIZE_SMALL", "")])
    o2, (l2a, l2b) = order_with(dress, phone)
    make_return("RMA-MIXED", o2, received_at=days_ago(2), lines=[(l2a, 2, "NOT_AS_DESCRIBED", ""),
                                                                 (l2b, 1, "DEFECTIVE", "")])
    o3, (l3,) = order_with(phone, placed=days_ago(60))
    make_return("RMA-PHONE", o3, requested_at=days_ago(40), legal_basis=Return.LegalBasis.WARRANTY,
                lines=[(l3, 1, "DEFECTIVE", "")])
    o4, (l4,) = order_with(shirt)
    make_return("RMA-SHIRT", o4, received_at=days_ago(10), status=Return.Status.INSPECTED,
                lines=[(l4, 1, "SIZE_LARGE", "restock")])
    return {"dress": dress, "shirt": shirt, "phone": phone}


def _numbers(response) -> list[str]:
    return [row.record.external_id for row in response.context["table"].page.object_list]


def _row(response, number):
    return next(row for row in response.context["table"].page.object_list if row.record.external_id == number)


# --- who sees what -------------------------------------------------------------------------------

def test_customer_service_sees_every_return_the_newest_first(client, service, shop):
    client.force_login(service)
    response = client.get(LIST)
    assert response.status_code == 200
    # in the order they were entered, the last one first
    assert _numbers(response) == ["RMA-SHIRT", "RMA-PHONE", "RMA-MIXED", "RMA-DRESS"]
    # by age: opened MIXED 4 days ago, DRESS 7, SHIRT 12, PHONE 40 (requested two days before arrival)
    assert _numbers(client.get(LIST, {"sort": "age"})) == ["RMA-MIXED", "RMA-DRESS", "RMA-SHIRT", "RMA-PHONE"]


def test_shop_manager_sees_every_return(client, shop_manager, shop):
    client.force_login(shop_manager)
    assert len(_numbers(client.get(LIST))) == 4


def test_category_manager_sees_returns_of_their_categories_with_only_their_lines(client, fashion_manager, shop):
    client.force_login(fashion_manager)
    response = client.get(LIST)
    # the phone-only return is out of scope; the mixed return is in, because of its dress
    assert sorted(_numbers(response)) == ["RMA-DRESS", "RMA-MIXED", "RMA-SHIRT"]
    mixed = _row(response, "RMA-MIXED")
    body = response.content.decode()
    # and its row shows the dress (2 units, not as described), never the phone
    assert mixed.get_cell_value("units") == 2
    assert mixed.get_cell_value("products") == "DRESS-1"
    assert "PHONE-1" not in body


def test_electronics_manager_sees_the_phone_returns_only(client, category_tree, shop):
    manager = user_with_role(roles.CATEGORY_MANAGERS, username="cm_electronics")
    category_tree["electronics"].managers.add(manager)
    client.force_login(manager)
    response = client.get(LIST)
    assert sorted(_numbers(response)) == ["RMA-MIXED", "RMA-PHONE"]
    assert _row(response, "RMA-MIXED").get_cell_value("units") == 1


@pytest.mark.parametrize("role", [roles.ACCOUNTING, roles.MARKETING, None])
def test_other_roles_get_403(client, shop, role):
    client.force_login(user_with_role(role, username=f"user-{role}"))
    for url in (LIST, QUEUE):
        response = client.get(url)
        assert response.status_code == 403
        assert b'data-testid="forbidden"' in response.content


def test_anonymous_is_sent_to_the_login(client, shop):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_rows_link_to_the_returns_page(client, service, shop):
    client.force_login(service)
    response = client.get(LIST)
    ret = Return.objects.get(external_id="RMA-DRESS")
    assert reverse("returns:detail", args=[ret.pk]) == f"/returns/{ret.pk}/"
    assert f'href="/returns/{ret.pk}/"' in response.content.decode()


# --- filters -------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, expected", [
    ({"status": "received"}, ["RMA-DRESS", "RMA-MIXED"]),
    ({"status": "open"}, ["RMA-DRESS", "RMA-MIXED", "RMA-PHONE", "RMA-SHIRT"]),
    ({"reason": "DEFECTIVE"}, ["RMA-MIXED", "RMA-PHONE"]),
    ({"reason": "SIZE_SMALL"}, ["RMA-DRESS"]),
    # a category includes its sub-categories: FASHION holds the dress and the shirt
    ({"category": "FASHION"}, ["RMA-DRESS", "RMA-MIXED", "RMA-SHIRT"]),
    ({"category": "FASHION-MEN"}, ["RMA-SHIRT"]),
    ({"legal_basis": "warranty"}, ["RMA-PHONE"]),
    # age in Berlin days since opened: MIXED 4, DRESS 7, SHIRT 12, PHONE 40
    ({"age": "4-7"}, ["RMA-DRESS", "RMA-MIXED"]),
    ({"age": "8-14"}, ["RMA-SHIRT"]),
    ({"age": "31-"}, ["RMA-PHONE"]),
    ({"age": "0-3"}, []),
    ({"q": "RMA-SH"}, ["RMA-SHIRT"]),
    ({"q": "rma-sh"}, ["RMA-SHIRT"]),  # typed in small letters
    ({"category": "FASHION", "reason": "DEFECTIVE"}, []),
])
def test_filters(client, service, shop, params, expected):
    client.force_login(service)
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert sorted(_numbers(response)) == expected


def test_search_finds_a_return_by_its_order_number(client, service, shop):
    client.force_login(service)
    ret = Return.objects.get(external_id="RMA-PHONE")
    assert _numbers(client.get(LIST, {"q": ret.order.external_id})) == ["RMA-PHONE"]


def test_a_long_list_counts_up_to_the_cap(client, service, shop, monkeypatch):
    from returns.views import queue

    # given a cap of 2 returns and 4 returns
    monkeypatch.setattr(queue.CappedPaginator, "cap", 2)
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    client.force_login(service)
    response = client.get(LIST, {"per_page": 1})
    # then the list says there are more and offers two pages of one
    paginator = response.context["table"].paginator
    assert (paginator.count, paginator.capped, paginator.num_pages) == (2, True, 2)
    assert "More than 2 returns" in response.content.decode() or "Mehr als 2 Retouren" in response.content.decode()
    # a filter that leaves fewer shows the exact number
    paginator = client.get(LIST, {"reason": "DEFECTIVE"}).context["table"].paginator
    assert (paginator.count, paginator.capped) == (2, False)


def test_pages_continue_where_the_last_one_ended(client, service, shop):
    # given pages of one return (the keys are counted once, a page is the rows of its keys)
    client.force_login(service)
    pages = [_numbers(client.get(LIST, {"per_page": 1, "page": page})) for page in (1, 2, 3, 4)]
    # then every return comes once, the newest first, as on one page
    assert pages == [["RMA-SHIRT"], ["RMA-PHONE"], ["RMA-MIXED"], ["RMA-DRESS"]]
    sorted_pages = [_numbers(client.get(LIST, {"per_page": 3, "page": page, "sort": "age"})) for page in (1, 2)]
    assert sorted_pages == [["RMA-MIXED", "RMA-DRESS", "RMA-SHIRT"], ["RMA-PHONE"]]


def test_category_manager_filtering_by_a_rare_reason_in_one_category(client, fashion_manager, shop, category_tree):
    # given a shirt returned defective, beside the mixed return's defective phone
    o, (line,) = order_with(shop["shirt"])
    make_return("RMA-SHIRT-2", o, received_at=days_ago(1), lines=[(line, 1, "DEFECTIVE", "")])
    client.force_login(fashion_manager)
    # then the reason in their sub-category finds the shirt only; in the other one nothing
    assert _numbers(client.get(LIST, {"reason": "DEFECTIVE", "category": "FASHION-MEN"})) == ["RMA-SHIRT-2"]
    assert _numbers(client.get(LIST, {"reason": "DEFECTIVE", "category": "FASHION-WOMEN"})) == []


def test_scope_follows_a_product_moved_to_another_category(client, fashion_manager, shop, category_tree):
    # given the dress moved to the phones (the return lines keep the product, not its category)
    shop["dress"].category = category_tree["phones"]
    shop["dress"].save(update_fields=["category"])
    client.force_login(fashion_manager)
    # then the fashion manager no longer sees the dress's returns
    assert _numbers(client.get(LIST)) == ["RMA-SHIRT"]
    assert _numbers(client.get(LIST, {"category": "FASHION-WOMEN"})) == []


def test_category_manager_filtering_by_a_reason_matches_only_their_lines(client, fashion_manager, shop):
    # the mixed return's phone is defective, but the fashion manager does not see the phone
    client.force_login(fashion_manager)
    assert _numbers(client.get(LIST, {"reason": "DEFECTIVE"})) == []
    # and a category outside their scope is not a choice
    response = client.get(LIST, {"category": "ELECTRONICS"})
    assert "category" in response.context["filter"].form.errors
    # and the refused filter still leaves their scope in force
    assert sorted(_numbers(response)) == ["RMA-DRESS", "RMA-MIXED", "RMA-SHIRT"]


def test_list_sorts_by_a_column(client, service, shop):
    client.force_login(service)
    response = client.get(LIST, {"sort": "external_id"})
    assert _numbers(response) == ["RMA-DRESS", "RMA-MIXED", "RMA-PHONE", "RMA-SHIRT"]
    response = client.get(LIST, {"sort": "age"})  # youngest first
    assert _numbers(response)[0] == "RMA-MIXED"


def test_list_exports_csv_and_excel(client, service, shop):
    client.force_login(service)
    response = client.get(LIST, {"_export": "csv", "reason": "DEFECTIVE"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "RMA-MIXED" in text and "RMA-PHONE" in text and "RMA-DRESS" not in text
    response = client.get(LIST, {"_export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_list_speaks_german_and_english(client, service, shop):
    client.force_login(service)
    client.cookies["django_language"] = "de"
    german = client.get(LIST, headers={"accept-language": "de"}).content.decode()
    assert "Zu klein" in german  # the reason's German label
    client.cookies["django_language"] = "en"
    english = client.get(LIST, headers={"accept-language": "en"}).content.decode()
    assert "Too small" in english and "All returns" in english


# --- the inspection queue ------------------------------------------------------------------------

def test_queue_holds_received_returns_older_than_the_threshold(client, service, shop, settings):
    # given the default of 3 days: DRESS arrived 5 days ago (in), MIXED 2 days ago (not yet),
    # SHIRT is inspected, PHONE never arrived
    settings.RETURNS_INSPECTION_QUEUE_DAYS = 3
    client.force_login(service)
    response = client.get(QUEUE)
    assert _numbers(response) == ["RMA-DRESS"]
    assert _row(response, "RMA-DRESS").get_cell_value("waiting") == 5
    assert response.context["queue_count"] == 1
    # when the threshold is one day, MIXED (2 days) waits too, the longest waiting first
    settings.RETURNS_INSPECTION_QUEUE_DAYS = 1
    assert _numbers(client.get(QUEUE)) == ["RMA-DRESS", "RMA-MIXED"]


def test_queue_threshold_counts_berlin_days():
    # given 3 days and today Thursday 10 December 2026
    today = dt.date(2026, 12, 10)
    cutoff = inspection_queue_cutoff(today=today, days=3)
    # then a parcel received on Sunday the 6th (4 days ago) waits too long, one of Monday the 7th not:
    # the cutoff is Monday 00:00 Berlin time (23:00 UTC on Sunday)
    assert cutoff == dt.datetime(2026, 12, 6, 23, 0, tzinfo=dt.UTC)
    sunday_late = dt.datetime(2026, 12, 6, 23, 59, tzinfo=BERLIN)
    monday_early = dt.datetime(2026, 12, 7, 0, 1, tzinfo=BERLIN)
    assert sunday_late < cutoff <= monday_early
    q = waiting_for_inspection_q(today=today, days=3)
    assert ("status", Return.Status.RECEIVED) in q.children


@pytest.mark.django_db
def test_queue_of_a_category_manager_is_scoped(client, category_tree, shop, settings):
    settings.RETURNS_INSPECTION_QUEUE_DAYS = 1
    manager = user_with_role(roles.CATEGORY_MANAGERS, username="cm_electronics")
    category_tree["electronics"].managers.add(manager)
    client.force_login(manager)
    assert _numbers(client.get(QUEUE)) == ["RMA-MIXED"]


# --- query counts --------------------------------------------------------------------------------

def _many_returns(category_tree, n):
    dress = ProductFactory(category=category_tree["women"])
    phone = ProductFactory(category=category_tree["phones"])
    for i in range(n):
        order, lines = order_with(dress, phone)
        make_return(f"RMA-{i:04d}", order, received_at=days_ago(4 + i % 5),
                    lines=[(lines[0], 1, "SIZE_SMALL", ""), (lines[1], 1, "DEFECTIVE", "")])


# session, user, roles, count, page, lines of the page, category choices, reason choices, queue count
LIST_QUERIES = 9


@pytest.mark.parametrize("url", [LIST, QUEUE])
@pytest.mark.parametrize("n", [3, 30])
def test_list_query_count_is_fixed(client, service, category_tree, django_assert_num_queries, url, n):
    _many_returns(category_tree, n)
    client.force_login(service)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == n


@pytest.mark.parametrize("n", [3, 30])
def test_category_manager_list_query_count_is_fixed(client, fashion_manager, category_tree, django_assert_num_queries, n):
    _many_returns(category_tree, n)
    client.force_login(fashion_manager)
    with django_assert_num_queries(LIST_QUERIES + 1):  # + the managed categories' paths
        response = client.get(LIST)
    assert len(response.context["table"].page.object_list) == n
    # + the chosen reason and the chosen category
    with django_assert_num_queries(LIST_QUERIES + 3):
        response = client.get(LIST, {"reason": "SIZE_SMALL", "category": "FASHION", "status": "received"})
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == n


def test_filtered_list_query_count_is_fixed(client, service, category_tree, django_assert_num_queries):
    _many_returns(category_tree, 30)
    client.force_login(service)
    # + one lookup of the chosen reason and one of the chosen category
    with django_assert_num_queries(LIST_QUERIES + 2):
        response = client.get(LIST, {"reason": "DEFECTIVE", "category": "ELECTRONICS", "age": "4-7"})
    assert response.status_code == 200
