"""For any period, scope and channel, the API says what the reference computes from the rows.

One random shop per module (a fixed seed): about 60 orders over some 50 days around both
daylight-saving switches of 2026, plus earlier orders so that some customers are repeat
customers; orders near Berlin midnight, several categories (three levels), channels and
payment methods, free lines (an order net of 0 shares by line count), orders without lines,
cancelled orders, partial returns with every disposition (some rejected, some requested only, some
received long after),
shipments on time and late, reviews, traffic and spend on days without orders, invoices paid
fully, partly, late, too much or not at all. `compute_metrics --all` runs once; hypothesis then
asks the API for random periods, users, categories and channels and compares every key exactly
with tests/kpis/reference.py.
"""

import datetime as dt
import random
import types
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import Category
from kpis.registry import KEYS
from returns.models import Return, ReturnLine, ReturnReason
from sales.models import Invoice, MarketingSpend, Order, Payment, Review, Shipment, TrafficDay
from shopmgr.core import roles
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.conftest import user_with_role
from tests.kpis import reference
from tests.kpis.conftest import get_kpis, module_data
from tests.sales.factories import CustomerFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

SEED = 20260329
UTC = dt.UTC
BERLIN = reference.BERLIN
WINDOWS = [(dt.date(2026, 3, 14), dt.date(2026, 4, 7)), (dt.date(2026, 10, 11), dt.date(2026, 11, 4))]
FIRST_DAY, LAST_DAY = dt.date(2026, 3, 1), dt.date(2026, 11, 30)
SWITCH_DAYS = [dt.date(2026, 3, 28) + dt.timedelta(days=n) for n in range(3)] + [
    dt.date(2026, 10, 24) + dt.timedelta(days=n) for n in range(3)]
# Periods mostly start where the orders are (the windows and two days either side).
DAYS_WITH_DATA = [first + dt.timedelta(days=n) for first, last in WINDOWS for n in range(-2, (last - first).days + 3)]
CHANNELS = ["webshop", "webshop", "webshop", "marketplace", "marketplace", "app"]
TRAFFIC_CHANNELS = ["webshop", "marketplace", "app", "newsletter"]
PAYMENT_METHODS = ["paypal", "card", "invoice", "invoice", "klarna", "cash"]
DISPOSITIONS = ["restock", "refurbish", "write_off", "to_supplier"]
TREE = [  # (code, parent code, VAT rate)
    ("FASHION", None, "0.19"), ("FASHION-WOMEN", "FASHION", "0.19"), ("FASHION-MEN", "FASHION", "0.19"),
    ("ELECTRONICS", None, "0.19"), ("ELECTRONICS-PHONES", "ELECTRONICS", "0.19"),
    ("BOOKS", None, "0.07"),
    ("HOME", None, "0.19"), ("HOME-KITCHEN", "HOME", "0.19"), ("HOME-KITCHEN-KNIVES", "HOME-KITCHEN", "0.19"),
]
MANAGERS = {  # username → managed category codes
    "rnd_cm_fashion": ["FASHION"],
    "rnd_cm_mixed": ["FASHION-MEN", "BOOKS"],
    "rnd_cm_home_phones": ["HOME-KITCHEN", "ELECTRONICS-PHONES"],
    "rnd_cm_overlap": ["FASHION", "FASHION-WOMEN"],  # a category and one below it: lines count once
}


def cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low, high)) / 100


def berlin_midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=BERLIN).astimezone(UTC)


def random_moment_on(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment of the Berlin day, often within 45 minutes of either midnight (days of 23 or 25 h)."""
    start, end = berlin_midnight_utc(day), berlin_midnight_utc(day + dt.timedelta(days=1))
    length = int((end - start).total_seconds()) // 60
    roll = rng.random()
    if roll < 0.2:
        minute = rng.randrange(0, 45)
    elif roll < 0.4:
        minute = length - 1 - rng.randrange(0, 45)
    else:
        minute = rng.randrange(0, length)
    return start + dt.timedelta(minutes=minute)


def random_day(rng: random.Random) -> dt.date:
    """A day of the windows; a quarter of the orders fall on the switch days or next to them."""
    if rng.random() < 0.25:
        return rng.choice(SWITCH_DAYS)
    first, last = rng.choice(WINDOWS)
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def build_random_shop():
    rng = random.Random(SEED)
    categories, products = {}, []
    for code, parent, vat in TREE:
        categories[code] = CategoryFactory(code=code, name=code.title(), parent=categories.get(parent))
        for n in range(2):
            products.append(ProductFactory(sku=f"RND-{code}-{n}", category=categories[code], vat_rate=Decimal(vat),
                                           price=cents(rng, 300, 40000)))
    customers = [CustomerFactory(external_id=f"RND-C{n:02d}") for n in range(16)]
    reason = ReturnReason.objects.get(code="SIZE_SMALL")

    plan = [(rng.choice(customers[:6]), dt.date(2026, 2, rng.randint(1, 27))) for _ in range(6)]
    plan += [(rng.choice(customers), random_day(rng)) for _ in range(60)]
    for number, (customer, day) in enumerate(plan):
        placed_at = random_moment_on(rng, day)
        status = Order.Status.CANCELLED if rng.random() < 0.12 else rng.choice(
            [Order.Status.DELIVERED, Order.Status.SHIPPED, Order.Status.PAID])
        order = Order.objects.create(
            external_id=f"RND-O{number:03d}", customer=customer, placed_at=placed_at,
            channel=rng.choice(CHANNELS), payment_method=rng.choice(PAYMENT_METHODS), status=status,
            shipping_fee=rng.choice([Decimal("0"), Decimal("4.95"), Decimal("5.90")]),
        )
        free_order = rng.random() < 0.05
        lines = []
        # (now and then an order without lines, as real exports have: the whole shop counts it)
        line_count = 0 if rng.random() < 0.04 else rng.randint(1, 3)
        for line_no, product in enumerate(rng.sample(products, line_count), start=1):
            quantity = rng.randint(1, 4)
            unit_price = Decimal("0") if free_order or rng.random() < 0.04 else cents(rng, 199, 30000)
            discount = Decimal("0")
            if unit_price and rng.random() < 0.3:
                discount = (quantity * unit_price * Decimal(rng.randint(1, 30)) / 100).quantize(Decimal("0.01"))
            lines.append(OrderLineFactory(
                order=order, line_no=line_no, product=product, quantity=quantity, unit_price=unit_price,
                vat_rate=product.vat_rate, discount=discount, unit_cost=Decimal(rng.randint(50, 150000)) / 10000,
            ))
        if status == Order.Status.CANCELLED:
            continue  # cancelled orders get nothing else (what else counts for them is the hand test's)

        placed_day = placed_at.astimezone(BERLIN).date()
        if rng.random() < 0.85:
            promised_by = placed_day + dt.timedelta(days=rng.randint(1, 4))
            roll = rng.random()
            if roll < 0.15:
                delivered_at = None
            elif roll < 0.35:  # just before or just after the promised day ends
                delivered_at = berlin_midnight_utc(promised_by + dt.timedelta(days=1)) + dt.timedelta(
                    minutes=rng.choice([-10, 10]))
            else:
                delivered_at = placed_at + dt.timedelta(minutes=rng.randint(12 * 60, 6 * 24 * 60))
            Shipment.objects.create(order=order, carrier="DHL", shipped_at=placed_at + dt.timedelta(hours=5),
                                    promised_by=promised_by, delivered_at=delivered_at,
                                    shipping_cost=cents(rng, 250, 900))

        returnable = list(lines)
        rng.shuffle(returnable)
        for ret_no in range(2):
            if not returnable or rng.random() > (0.4 if ret_no == 0 else 0.3):
                break
            roll = rng.random()
            received_at = None if roll < 0.15 else placed_at + dt.timedelta(hours=rng.randint(48, 60 * 24))
            rejected = received_at is not None and roll > 0.9
            status_ = (Return.Status.REQUESTED if received_at is None
                       else Return.Status.REJECTED if rejected else rng.choice(
                           [Return.Status.RECEIVED, Return.Status.INSPECTED, Return.Status.REFUNDED]))
            ret = Return.objects.create(external_id=f"RND-R{number:03d}-{ret_no}", order=order, status=status_,
                                        rejected=rejected, requested_at=placed_at, received_at=received_at)
            for _ in range(rng.randint(1, 2)):
                if not returnable:
                    break
                line = returnable.pop()
                ReturnLine.objects.create(ret=ret, order_line=line, quantity=rng.randint(1, line.quantity),
                                          reason=reason, disposition=rng.choice(DISPOSITIONS))

        for line in lines:
            if rng.random() < 0.4:
                Review.objects.create(order=order, product=line.product, rating=rng.randint(1, 5),
                                      created_at=placed_at + dt.timedelta(minutes=rng.randint(600, 20 * 24 * 60)))

        if order.payment_method == "invoice" or rng.random() < 0.1:
            gross = sum((line.quantity * line.unit_price - line.discount for line in lines), order.shipping_fee)
            invoice = Invoice.objects.create(number=f"RND-I{number:03d}", order=order, issued_on=placed_day,
                                             due_on=placed_day + dt.timedelta(days=14), amount=gross)
            roll = rng.random()
            payments = []
            if roll < 0.35:
                payments = [gross]
            elif roll < 0.6:
                part = (gross * Decimal(rng.randint(10, 90)) / 100).quantize(Decimal("0.01"))
                payments = [part] + ([gross - part] if rng.random() < 0.5 else [])
            elif roll < 0.7:
                payments = [gross + cents(rng, 1, 2000)]
            for n, amount in enumerate(payments):
                if amount > 0:
                    Payment.objects.create(invoice=invoice, amount=amount,
                                           paid_on=placed_day + dt.timedelta(days=rng.randint(0, 40) + n))

    for first, last in WINDOWS:
        day = first - dt.timedelta(days=3)
        while day <= last + dt.timedelta(days=3):
            for channel in TRAFFIC_CHANNELS:
                if rng.random() < 0.8:
                    TrafficDay.objects.create(date=day, channel=channel, sessions=rng.randint(0, 600))
                for campaign in ["", "PROMO"]:
                    if rng.random() < 0.35:
                        MarketingSpend.objects.create(date=day, channel=channel, campaign_code=campaign,
                                                      amount=cents(rng, 0, 20000))
            day += dt.timedelta(days=1)

    users = {"rnd_shop": user_with_role(roles.SHOP_MANAGERS, username="rnd_shop")}
    visible = {"rnd_shop": sorted(categories)}
    for username, codes in MANAGERS.items():
        users[username] = user_with_role(roles.CATEGORY_MANAGERS, username=username)
        for code in codes:
            categories[code].managers.add(users[username])
        paths = [categories[code].path for code in codes]
        visible[username] = sorted(code for code, category in categories.items()
                                   if any(category.path.startswith(path) for path in paths))
    return types.SimpleNamespace(users=users, visible=visible)


@pytest.fixture(scope="module")
def random_shop(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker, build_random_shop) as data:
        yield data


def _compare(client, shop, username, date_from, date_to, category=None, channel=None):
    user = shop.users[username]
    client.force_login(user)
    body = get_kpis(client, date_from=date_from.isoformat(), date_to=date_to.isoformat(),
                    category=category, channel=channel)
    expected = reference.api_answer(user, date_from=date_from, date_to=date_to, category=category, channel=channel)
    assert body["from"] == expected["from"] and body["to"] == expected["to"]
    assert set(body["kpis"]) == set(KEYS)
    differing = {key: (body["kpis"][key], expected["kpis"][key])
                 for key in KEYS if body["kpis"][key] != expected["kpis"][key]}
    assert not differing, f"API vs reference (api, reference) for {username} {date_from}..{date_to} " \
                          f"category={category} channel={channel}: {differing}"


def test_random_shop_has_what_the_property_needs(random_shop):
    # given the random shop, then it holds the cases the comparison is meant to meet
    orders = Order.objects.all()
    assert orders.count() == 66
    assert orders.filter(status=Order.Status.CANCELLED).exists()
    assert Return.objects.filter(rejected=True).exists() and Return.objects.filter(received_at=None).exists()
    assert ReturnLine.objects.filter(disposition="restock").exists()
    assert ReturnLine.objects.exclude(disposition="restock").exists()
    assert Shipment.objects.filter(delivered_at=None).exists()
    assert Payment.objects.exists()
    assert Category.objects.filter(depth=2).exists()
    assert orders.filter(lines=None).exclude(status=Order.Status.CANCELLED).exists()
    near_midnight = [o for o in orders if o.placed_at.astimezone(BERLIN).hour in (0, 23)]
    assert len(near_midnight) >= 10


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_api_equals_the_reference_for_any_period_user_category_and_channel(client, random_shop, data):
    # given a user, a category they may see (or none), a channel (or none) and a period
    username = data.draw(st.sampled_from(sorted(random_shop.users)), label="user")
    category = data.draw(st.none() | st.sampled_from(random_shop.visible[username]), label="category")
    channel = data.draw(st.sampled_from([None, None, "webshop", "marketplace", "app", "newsletter"]),
                        label="channel")
    date_from = data.draw(st.sampled_from(DAYS_WITH_DATA) | st.dates(FIRST_DAY, LAST_DAY), label="from")
    length = data.draw(st.integers(0, 3) | st.integers(0, 30) | st.integers(0, 280), label="days")
    date_to = min(date_from + dt.timedelta(days=length), LAST_DAY)
    # when the API answers, then every key equals the reference's value exactly
    _compare(client, random_shop, username, date_from, date_to, category, channel)


@pytest.mark.parametrize("username", ["rnd_shop", *MANAGERS])
def test_every_week_of_the_data_equals_the_reference(client, random_shop, username):
    # given each week of both windows (and the whole of each window), for each user's own scope
    for first, last in WINDOWS:
        _compare(client, random_shop, username, first, last)
        for start in range(0, (last - first).days + 1, 7):
            week_start = first + dt.timedelta(days=start)
            _compare(client, random_shop, username, week_start, week_start + dt.timedelta(days=6))


@pytest.mark.parametrize("username", ["rnd_shop", "rnd_cm_mixed"])
@pytest.mark.parametrize(
    "day", SWITCH_DAYS, ids=str)
def test_days_around_the_daylight_saving_switches_equal_the_reference(client, random_shop, username, day):
    _compare(client, random_shop, username, day, day)
