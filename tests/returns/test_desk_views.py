"""The desk's pages: who may use them, the journey by forms, bad input shown on the field it
concerns, German and English, and fixed query counts on the pages that list things."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from catalog.models import Product
from returns import services
from returns.models import Return, ReturnRefund
from returns.services import LineRequest
from returns.views.desk import order_search
from shopmgr.core import roles
from tests.catalog.factories import ProductFactory
from tests.conftest import user_with_role
from tests.sales.factories import CustomerFactory

from .factories import delivered_order, reason

pytestmark = pytest.mark.django_db

DELIVERED = dt.date(2026, 3, 20)
IN_TIME = "2026-03-25"


@pytest.fixture(autouse=True)
def pages_in_english(client, settings):
    """The pages below are read in English (German, the default, has its own test at the end)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def clerk(db):
    return user_with_role(roles.CUSTOMER_SERVICE, username="clerk")


def errors(response) -> list[str]:
    return re.findall(r'class="(?:error|msg-error)">([^<]*)<', response.content.decode())


def open_form(order, quantities, **extra):
    data = {"legal_basis": "withdrawal", "declared_on": IN_TIME, "note": ""}
    for line, qty in zip(order.lines.order_by("line_no"), quantities, strict=True):
        data[f"qty_{line.pk}"] = qty
        data[f"reason_{line.pk}"] = reason().pk if qty else ""
    data.update(extra)
    return data


def a_return(order, by, quantities=None):
    lines = list(order.lines.order_by("line_no"))
    quantities = quantities or [line.quantity for line in lines]
    return services.return_open(order=order, by=by, legal_basis="withdrawal", declared_on=dt.date(2026, 3, 25),
                                lines=[LineRequest(ln.pk, q, reason()) for ln, q in zip(lines, quantities, strict=True)])


# --- who may use the desk ----------------------------------------------------------------------

@pytest.mark.parametrize("role, index, order_page", [
    (roles.CUSTOMER_SERVICE, 200, 200),
    (roles.SHOP_MANAGERS, 200, 200),
    (roles.CATEGORY_MANAGERS, 200, 403),
    (roles.ACCOUNTING, 403, 403),
    (roles.MARKETING, 403, 403),
    (None, 403, 403),
])
def test_who_may_use_the_desk(client, role, index, order_page):
    order = delivered_order(delivered_on=DELIVERED)
    client.force_login(user_with_role(role, username="someone"))
    assert client.get(reverse("returns:index")).status_code == index
    assert client.get(reverse("returns:order", args=[order.pk])).status_code == order_page


def test_a_category_manager_sees_returns_of_their_categories_only(client, clerk, fashion_manager, category_tree):
    in_scope = delivered_order(delivered_on=DELIVERED, products=[ProductFactory(category=category_tree["women"])])
    out_of_scope = delivered_order(delivered_on=DELIVERED, products=[ProductFactory(category=category_tree["phones"])])
    mine, other = a_return(in_scope, clerk), a_return(out_of_scope, clerk)
    client.force_login(fashion_manager)
    assert client.get(reverse("returns:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("returns:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("returns:slip", args=[other.pk])).status_code == 404
    index = client.get(reverse("returns:index")).content.decode()
    assert mine.external_id in index and other.external_id not in index
    # looking is all: the steps are for the desk
    assert client.post(reverse("returns:receive", args=[mine.pk]), {"received_at": "2026-03-30T10:00"}).status_code == 403
    assert Return.objects.get(pk=mine.pk).status == "requested"


def test_superuser_works_at_the_desk(client):
    client.force_login(user_with_role(None, username="root", is_superuser=True, is_staff=True))
    assert client.get(reverse("returns:index")).status_code == 200


def test_the_navigation_offers_the_desk_to_customer_service(client, clerk):
    client.force_login(clerk)
    assert f'href="{reverse("returns:index")}"' in client.get(reverse("home")).content.decode()


# --- the journey by forms ----------------------------------------------------------------------

def test_the_whole_journey_by_forms(client, clerk):
    # given a card order of 2 × 30.00 and 1 × 20.00 (+ 4.95 shipping), delivered on 20.03.2026
    order = delivered_order(delivered_on=DELIVERED, lines=[(2, "30.00", "0"), (1, "20.00", "0")])
    first, second = order.lines.order_by("line_no")
    client.force_login(clerk)
    # find it by the customer's e-mail
    found = client.get(reverse("returns:index"), {"q": order.customer.email})
    assert order.external_id in found.content.decode()
    # an exact order number goes straight to the order
    assert client.get(reverse("returns:index"), {"q": order.external_id}).url == reverse("returns:order", args=[order.pk])
    page = client.get(reverse("returns:order", args=[order.pk])).content.decode()
    assert "04/07/2026" in page  # the period ends after Easter (Good Friday, Easter Monday); 07.04.2026 in German
    # open a return of everything
    response = client.post(reverse("returns:order", args=[order.pk]), open_form(order, [2, 1]))
    ret = Return.objects.get()
    assert response.url == reverse("returns:detail", args=[ret.pk])
    # receive, inspect, refund, close
    assert client.post(reverse("returns:receive", args=[ret.pk]), {"received_at": "2026-03-30T10:15"}).status_code == 302
    grading = {f"condition_{ln.pk}": "A" for ln in ret.lines.all()} | {
        f"disposition_{ln.pk}": "restock" for ln in ret.lines.all()}
    assert client.post(reverse("returns:inspect", args=[ret.pk]), grading).status_code == 302
    assert Product.objects.get(pk=first.product_id).stock == 12 and Product.objects.get(pk=second.product_id).stock == 11
    detail = client.get(reverse("returns:detail", args=[ret.pk])).content.decode()
    assert "€84.95" in detail  # 2 × 30.00 + 20.00 + 4.95 (84,95 € in German)
    assert client.post(reverse("returns:refund", args=[ret.pk]), {"deduction": "0", "deduction_reason": ""}).status_code == 302
    assert client.post(reverse("returns:close", args=[ret.pk]), {"note": "done"}).status_code == 302
    ret.refresh_from_db()
    assert ret.status == "closed" and ret.refunds.get().amount == Decimal("84.95")
    detail = client.get(reverse("returns:detail", args=[ret.pk])).content.decode()
    assert detail.count("clerk") >= 5  # every step shows who did it
    slip = client.get(reverse("returns:slip", args=[ret.pk]))
    assert slip.status_code == 200 and ret.external_id in slip.content.decode()
    assert "returns/slip.css" in slip.content.decode()


def test_over_quantity_is_shown_on_the_lines_field_and_nothing_is_stored(client, clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "30.00", "0")])
    client.force_login(clerk)
    response = client.post(reverse("returns:order", args=[order.pk]), open_form(order, [2]))
    assert response.status_code == 400
    assert any("at most 1 can still be returned, not 2" in e for e in errors(response))
    assert not Return.objects.exists()


def test_a_quantity_without_a_reason_is_refused(client, clerk):
    order = delivered_order(delivered_on=DELIVERED)
    client.force_login(clerk)
    data = open_form(order, [1])
    data[f"reason_{order.lines.get().pk}"] = ""
    response = client.post(reverse("returns:order", args=[order.pk]), data)
    assert response.status_code == 400 and not Return.objects.exists()


def test_a_late_withdrawal_is_refused_until_accepted_as_goodwill(client, clerk):
    order = delivered_order(delivered_on=DELIVERED)
    client.force_login(clerk)
    late = client.post(reverse("returns:order", args=[order.pk]), open_form(order, [1], declared_on="2026-04-08"))
    assert late.status_code == 400 and any("withdrawal period ended on 04/07/2026" in e for e in errors(late))
    assert not Return.objects.exists()
    accepted = client.post(reverse("returns:order", args=[order.pk]),
                           open_form(order, [1], declared_on="2026-04-08", accept_late="on"))
    assert accepted.status_code == 302
    ret = Return.objects.get()
    assert (ret.legal_basis, ret.late_withdrawal) == ("goodwill", True)
    assert "late withdrawal accepted as goodwill" in client.get(accepted.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_cancelled_order_is_refused_with_a_message(client, clerk):
    order = delivered_order(delivered_on=None, status="cancelled")
    client.force_login(clerk)
    response = client.post(reverse("returns:order", args=[order.pk]), open_form(order, [1]))
    assert response.status_code == 400 and any("was cancelled" in e for e in errors(response))
    assert not Return.objects.exists()


def test_a_step_out_of_order_is_refused_with_a_message(client, clerk):
    order = delivered_order(delivered_on=DELIVERED)
    ret = a_return(order, clerk)
    client.force_login(clerk)
    line = ret.lines.get()
    response = client.post(reverse("returns:inspect", args=[ret.pk]),
                           {f"condition_{line.pk}": "A", f"disposition_{line.pk}": "restock"})
    assert response.status_code == 400
    assert any("only after its parcel was received" in e for e in errors(response))
    assert Return.objects.get().status == "requested" and Product.objects.get(pk=line.order_line.product_id).stock == 10


def test_a_deduction_without_a_reason_is_shown_on_the_reason_field(client, clerk):
    order = delivered_order(delivered_on=DELIVERED)
    ret = a_return(order, clerk)
    services.return_receive(ret=ret, received_at=ret.requested_at, by=clerk)
    services.return_inspect(ret=ret, grading={ret.lines.get().pk: ("B", "refurbish")}, by=clerk)
    client.force_login(clerk)
    response = client.post(reverse("returns:refund", args=[ret.pk]), {"deduction": "5,00", "deduction_reason": ""})
    assert response.status_code == 400
    assert any("needs its reason" in e for e in errors(response))
    assert not ReturnRefund.objects.exists()


def test_pages_speak_german_and_english(client, clerk):
    order = delivered_order(delivered_on=DELIVERED)
    ret = a_return(order, clerk)
    client.force_login(clerk)
    english = client.get(reverse("returns:detail", args=[ret.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Record the parcel's arrival" in english and "Print return slip" in english


# --- query counts ------------------------------------------------------------------------------

def _orders_of(name: str, n: int):
    customer = CustomerFactory(name=f"{name} Kundin")
    for _ in range(n):
        order = delivered_order(delivered_on=DELIVERED, lines=[(1, "10.00", "0"), (2, "5.00", "0")])
        order.customer = customer
        order.save(update_fields=["customer"])


@pytest.mark.parametrize("n", [2, 12])
def test_order_search_has_a_fixed_query_count(client, clerk, django_assert_num_queries, n):
    _orders_of("Meier", n)
    delivered_order(delivered_on=DELIVERED)  # someone else's
    client.force_login(clerk)
    # session, user, roles, order ids by number, order ids by customer, the orders, the latest returns
    with django_assert_num_queries(7):
        response = client.get(reverse("returns:index"), {"q": "Meier"})
    assert response.content.decode().count("Meier Kundin") == n


@pytest.mark.parametrize("n_lines", [1, 6])
def test_return_page_has_a_fixed_query_count(client, clerk, django_assert_num_queries, n_lines):
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "10.00", "0")] * n_lines)
    ret = a_return(order, clerk)
    client.force_login(clerk)
    # session, user, roles, the return, its lines, events, refunds
    with django_assert_num_queries(7):
        assert client.get(reverse("returns:detail", args=[ret.pk])).status_code == 200
    services.return_receive(ret=ret, received_at=ret.requested_at, by=clerk)
    services.return_inspect(ret=ret, grading={ln.pk: ("A", "write_off") for ln in ret.lines.all()}, by=clerk)
    # + the refund proposal: its lines, shipping refunded, order lines, other returns, paid, refunded, form
    with django_assert_num_queries(14):
        response = client.get(reverse("returns:detail", args=[ret.pk]))
    assert response.content.decode().count('data-line="') == n_lines


@pytest.mark.parametrize("n_lines", [1, 6])
def test_order_page_has_a_fixed_query_count(client, clerk, django_assert_num_queries, n_lines):
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "10.00", "0")] * n_lines)
    client.force_login(clerk)
    with django_assert_num_queries(10):
        response = client.get(reverse("returns:order", args=[order.pk]))
    assert response.content.decode().count('data-line="') == n_lines


def test_a_category_manager_sees_only_the_lines_of_their_categories(client, clerk, fashion_manager, category_tree):
    dress = ProductFactory(sku="DRESS-9", name="Kleid", category=category_tree["women"])
    phone = ProductFactory(sku="PHONE-9", name="Telefon", category=category_tree["phones"])
    ret = a_return(delivered_order(delivered_on=DELIVERED, lines=[(1, "59.50", "0"), (1, "238.00", "0")],
                                   products=[dress, phone]), clerk)
    client.force_login(fashion_manager)
    page = client.get(reverse("returns:detail", args=[ret.pk])).content.decode()
    assert "DRESS-9" in page and "PHONE-9" not in page
    assert 'data-testid="receive-form"' not in page  # looking, not acting


def test_an_inactive_reason_is_not_offered(client, clerk):
    order = delivered_order(delivered_on=DELIVERED)
    reason("BETTER_PRICE").__class__.objects.filter(code="BETTER_PRICE").update(active=False)
    client.force_login(clerk)
    page = client.get(reverse("returns:order", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cheaper elsewhere" not in page and "Too small" in page


@pytest.mark.parametrize("n", [1, 8])
def test_category_manager_landing_page_has_a_fixed_query_count(
    client, clerk, fashion_manager, category_tree, django_assert_num_queries, n,
):
    for _ in range(n):
        a_return(delivered_order(delivered_on=DELIVERED, products=[ProductFactory(category=category_tree["men"])]), clerk)
    client.force_login(fashion_manager)
    # session, user, roles, managed categories, the latest returns in scope
    with django_assert_num_queries(5):
        response = client.get(reverse("returns:index"))
    assert response.content.decode().count("RMA-") == n


@pytest.mark.parametrize("term", ["meier", "Meier", "anna meier", "Lüdenscheidt", "anna.meier@example.com",
                                  "ANNA.MEIER@example.com", "anna.mei"])
def test_the_search_finds_a_customer_by_name_or_e_mail(term):
    customer = CustomerFactory(name="Anna Meier-Lüdenscheidt", email="anna.meier@example.com")
    order = delivered_order(delivered_on=DELIVERED)
    order.customer = customer
    order.save(update_fields=["customer"])
    delivered_order(delivered_on=DELIVERED)  # another customer's
    assert [o.pk for o in order_search(term=term)] == [order.pk]


def test_the_search_finds_an_order_by_its_number_or_its_start():
    order = delivered_order(delivered_on=DELIVERED)
    assert [o.pk for o in order_search(term=order.external_id)] == [order.pk]
    assert [o.pk for o in order_search(term=order.external_id.lower())] == [order.pk]
    assert order.pk in [o.pk for o in order_search(term=order.external_id[:4])]


def test_a_refusal_reads_in_german_by_default(client, clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "30.00", "0")])
    client.force_login(clerk)
    client.cookies.pop("django_language", None)
    response = client.post(reverse("returns:order", args=[order.pk]), open_form(order, [2]))
    assert response.status_code == 400
    assert any("zurückgegeben" in e or "höchstens" in e for e in errors(response)), errors(response)
    assert not Return.objects.exists()


def test_customers_are_found_by_any_part_of_their_name_or_e_mail_in_any_case(client, clerk):
    order = delivered_order(delivered_on=DELIVERED)
    order.customer.name, order.customer.email = "Anna Müller", "Anna.Mueller@example.de"
    order.customer.save()
    client.force_login(clerk)
    for term in ("müller", "ANNA", "mueller@EXAMPLE"):
        assert order.external_id in client.get(reverse("returns:index"), {"q": term}).content.decode(), term
    if connection.vendor == "postgresql":  # the trigram indexes that serve the search
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'sales_customer' AND indexname LIKE '%%trgm'")
            assert {name for (name,) in cursor.fetchall()} == {"sales_customer_name_trgm", "sales_customer_email_trgm"}
