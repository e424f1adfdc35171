"""Receivables pages: scope (Accounting and Shop managers only), fixed query counts, forms, letters."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.urls import reverse

from returns.models import DunningBlock, DunningNotice, DunningRun, PaymentEntry, Return
from returns.receivables import services
from sales.models import Customer
from shopmgr.core import roles
from tests.conftest import user_with_role
from tests.receivables.factories import PaymentFactory, invoice_for
from tests.sales.factories import CustomerFactory

pytestmark = pytest.mark.django_db
d = dt.date


def _invoices(n, customer=None):
    """n overdue invoices, every third with a part payment, one disputed, one with an open return."""
    made = []
    for i in range(n):
        invoice = invoice_for(customer=customer, kind=Customer.Kind.B2B if i % 2 else Customer.Kind.B2C,
                              amount=D("100.00") + i, issued_on=d(2026, 3, 1), due_on=d(2026, 3, 15))
        if i % 3 == 0:
            PaymentFactory(invoice=invoice, amount=D("10.00"))
        made.append(invoice)
    DunningBlock.objects.create(invoice=made[0], reason="strittig")
    Return.objects.create(external_id=f"R-{made[-1].pk}", order=made[-1].order, status=Return.Status.REQUESTED)
    return made


def _approved_run(by):
    run = services.dunning_run_propose(as_of=d(2026, 3, 22), by=by)
    services.dunning_run_approve(run=run, by=by)
    return run


# --- Scope -----------------------------------------------------------------------------------------

PAGES = ["receivables:index", "receivables:runs", "receivables:payment-new", "receivables:handover"]


@pytest.mark.parametrize("role", [roles.CUSTOMER_SERVICE, roles.MARKETING, roles.CATEGORY_MANAGERS, None])
def test_other_roles_get_403_everywhere(client, role):
    invoice = invoice_for(due_on=d(2026, 3, 15))
    run = _approved_run(by=None)
    notice = DunningNotice.objects.get()
    client.force_login(user_with_role(role, username=f"u-{role}"))
    urls = [reverse(name) for name in PAGES] + [
        reverse("receivables:run", args=[run.pk]), reverse("receivables:run-csv", args=[run.pk]),
        reverse("receivables:letter", args=[notice.pk]),
        reverse("receivables:customer", args=[invoice.order.customer.external_id]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("receivables:run-approve", args=[run.pk])).status_code == 403
    assert client.post(reverse("receivables:dispute-set", args=[invoice.pk]), {"reason": "x"}).status_code == 403
    assert not DunningBlock.objects.exists()
    assert b'href="/receivables/"' not in client.get(reverse("home")).content


@pytest.mark.parametrize("role", [roles.ACCOUNTING, roles.SHOP_MANAGERS])
def test_accounting_and_shop_managers_reach_every_page(client, role):
    invoice = invoice_for(due_on=d(2026, 3, 15))
    run = _approved_run(by=None)
    client.force_login(user_with_role(role, username=f"u-{role}"))
    for url in [reverse(name) for name in PAGES] + [
        reverse("receivables:run", args=[run.pk]),
        reverse("receivables:letter", args=[DunningNotice.objects.get().pk]),
        reverse("receivables:customer", args=[invoice.order.customer.external_id]),
    ]:
        assert client.get(url).status_code == 200, url
    assert b'href="/receivables/"' in client.get(reverse("home")).content  # the navigation entry


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(reverse("receivables:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Query counts ------------------------------------------------------------------------------------

QUERIES = {
    # session, user, roles, levels (filter choices), ageing version (last invoice and payment change),
    # ageing (one aggregate, cache cleared), page (+1 row, no COUNT)
    "index": 8,
    # session, user, roles, count, page
    "runs": 5,
    # session, user, roles, run, summary, count, lines, the letters of the approved run
    "run": 8,
    # session, user, roles, customer, invoices, notices, blocks, open returns, payment entries
    "customer": 9,
}


@pytest.mark.parametrize("n", [3, 30])
def test_list_pages_have_a_fixed_query_count(client, accountant, django_assert_num_queries, n):
    customer = CustomerFactory(kind=Customer.Kind.B2B)
    made = _invoices(n, customer=customer)
    for i in range(n):  # more runs too
        services.dunning_run_propose(as_of=d(2026, 3, 16) + dt.timedelta(days=i % 5), by=accountant)
    run = services.dunning_run_propose(as_of=d(2026, 3, 22), by=accountant)
    services.dunning_run_approve(run=run, by=accountant)
    services.payment_enter(invoice_number=made[1].number, paid_on=d(2026, 3, 25), amount=D("5.00"), by=accountant)
    client.force_login(accountant)
    pages = {
        "index": reverse("receivables:index"),
        "runs": reverse("receivables:runs"),
        "run": reverse("receivables:run", args=[run.pk]) + "?show=all",
        "customer": reverse("receivables:customer", args=[customer.external_id]),
    }
    for name, url in pages.items():
        cache.clear()
        with django_assert_num_queries(QUERIES[name]):
            response = client.get(url)
        assert response.status_code == 200, name


def test_filters_narrow_the_open_items(client, accountant):
    made = _invoices(6)
    client.force_login(accountant)
    url = reverse("receivables:index")
    body = client.get(url, {"blocked": "yes"}).content.decode()
    assert made[0].number in body and made[-1].number in body and made[2].number not in body
    body = client.get(url, {"kind": "b2b", "blocked": "no"}).content.decode()
    assert made[1].number in body and made[3].number in body and made[2].number not in body
    body = client.get(url, {"customer": made[2].order.customer.external_id}).content.decode()
    assert made[2].number in body and made[3].number not in body
    body = client.get(url, {"age": "not_due"}).content.decode()
    assert made[2].number not in body


def test_ageing_is_cached_until_a_payment_changes_it(client, accountant, django_assert_num_queries):
    from returns.receivables import selectors

    cache.clear()
    invoice = invoice_for(amount=D("100.00"), issued_on=d(2026, 3, 1), due_on=d(2026, 3, 15))
    today = d(2026, 6, 30)
    assert selectors.ageing(user=accountant, today=today)["total"] == D("100.00")
    with django_assert_num_queries(2):  # the version only: the figures come from the cache
        assert selectors.ageing(user=accountant, today=today)["total"] == D("100.00")
    services.payment_enter(invoice_number=invoice.number, paid_on=d(2026, 6, 1), amount=D("40.00"), by=accountant)
    assert selectors.ageing(user=accountant, today=today)["total"] == D("60.00")


def test_ageing_buckets_and_dso(accountant):
    from returns.receivables import selectors

    today = d(2026, 6, 30)
    invoice_for(amount=D("100.00"), issued_on=d(2026, 6, 20), due_on=d(2026, 7, 4))  # not due
    invoice_for(amount=D("200.00"), issued_on=d(2026, 5, 20), due_on=d(2026, 6, 3))  # 27 days
    invoice_for(amount=D("300.00"), issued_on=d(2026, 4, 2), due_on=d(2026, 4, 16))  # 75 days
    paid = invoice_for(amount=D("400.00"), issued_on=d(2026, 4, 2), due_on=d(2026, 4, 16))
    PaymentFactory(invoice=paid, paid_on=d(2026, 4, 10), amount=D("400.00"))
    invoice_for(amount=D("50.00"), issued_on=d(2025, 1, 1), due_on=d(2025, 1, 15))  # over 90
    ageing = selectors.ageing(user=accountant, today=today)
    assert [(b["key"], b["count"], b["amount"]) for b in ageing["buckets"]] == [
        ("not_due", 1, D("100.00")), ("d1_30", 1, D("200.00")), ("d31_60", 0, D("0.00")),
        ("d61_90", 1, D("300.00")), ("over_90", 1, D("50.00")),
    ]
    assert ageing["total"] == D("650.00") and ageing["overdue"] == D("550.00")
    # invoiced in the 90 days 02.04.–30.06.: 100 + 200 + 300 + 400 = 1,000 → DSO = 650 / 1,000 × 90 = 58.5
    assert ageing["dso"] == D("58.5")


# --- Forms -------------------------------------------------------------------------------------------

def test_payment_form_shows_clear_messages_and_stores_nothing(client, accountant):
    invoice = invoice_for(amount=D("100.00"))
    client.force_login(accountant)
    url = reverse("receivables:payment-new")
    data = {"invoice": invoice.number, "paid_on": "2026-03-20", "amount": "150.00", "method": "transfer"}
    body = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "more than the open amount" in body and "Mark the payment as an overpayment" in body
    body = client.post(url, {**data, "invoice": "RE-NONE", "amount": "5"}).content.decode()
    assert "RE-NONE" in body
    assert not PaymentEntry.objects.exists()
    response = client.post(url, {**data, "overpayment": "on"})
    assert response.status_code == 302
    assert PaymentEntry.objects.get().entered_by == accountant


def test_run_button_refuses_a_future_date(client, accountant):
    client.force_login(accountant)
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    body = client.post(reverse("receivables:runs"), {"as_of": future}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "future" in body and not DunningRun.objects.exists()


def test_exclude_and_approve_through_the_pages(client, accountant):
    kept, dropped = invoice_for(due_on=d(2026, 3, 15)), invoice_for(due_on=d(2026, 3, 15))
    client.force_login(accountant)
    client.post(reverse("receivables:runs"), {"as_of": "2026-03-22"})
    run = DunningRun.objects.get()
    line = run.lines.get(invoice=dropped)
    client.post(reverse("receivables:line-exclude", args=[line.pk]), {"excluded": "1"})
    client.post(reverse("receivables:run-approve", args=[run.pk]))
    second = client.post(reverse("receivables:run-approve", args=[run.pk]), follow=True).content.decode()
    assert "already approved" in second or "bereits" in second
    assert list(DunningNotice.objects.values_list("invoice", flat=True)) == [kept.pk]


# --- Letters -----------------------------------------------------------------------------------------

def test_letter_in_german_by_default_with_the_claim_broken_down(client, accountant):
    invoice = invoice_for(kind=Customer.Kind.B2B, amount=D("10000.00"), issued_on=d(2026, 1, 1),
                          due_on=d(2026, 1, 31), default_notice=False)
    PaymentFactory(invoice=invoice, paid_on=d(2026, 2, 1), amount=D("4000.00"))
    run = services.dunning_run_propose(as_of=d(2026, 3, 5), by=accountant)
    services.dunning_run_approve(run=run, by=accountant)
    notice = DunningNotice.objects.get()
    # 2 days × 6,000 × 10.27 % / 365 = 3.3764 → 3.38; 40 € flat fee; 6,043.38
    assert (notice.interest, notice.fee, notice.total) == (D("3.38"), D("40.00"), D("6043.38"))
    client.force_login(accountant)
    body = client.get(reverse("receivables:letter", args=[notice.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert notice.language == "de"
    assert "Zahlungserinnerung" in body and "sicher haben Sie es nur übersehen" in body
    assert "3,38 €" in body and "6.043,38 €" in body and "40,00 €" in body and "4.000,00 €" in body


def test_letter_in_english_for_a_customer_abroad(client, accountant):
    invoice = invoice_for(country="NL", amount=D("100.00"), due_on=d(2026, 3, 15))
    run = services.dunning_run_propose(as_of=d(2026, 3, 22), by=accountant)
    services.dunning_run_approve(run=run, by=accountant)
    notice = invoice.dunning_notices.get()
    client.force_login(accountant)
    body = client.get(reverse("receivables:letter", args=[notice.pk])).content.decode()
    assert notice.language == "en" and "Payment reminder" in body and "€100.00" in body


def test_customer_page_shows_invoices_open_amount_history_and_blocks(client, accountant):
    customer = CustomerFactory()
    made = _invoices(3, customer=customer)
    _approved_run(by=accountant)
    client.force_login(accountant)
    body = client.get(reverse("receivables:customer", args=[customer.external_id]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for invoice in made:
        assert invoice.number in body
    # 100 − 10 + 101 + 102 = 293.00 open
    assert "€293.00" in body
    assert "strittig" in body and made[-1].order.external_id in body


def test_hand_over_page_exports_the_csv_and_marks_the_invoice(client, accountant):
    invoice = invoice_for(amount=D("500.00"), due_on=d(2026, 3, 15), default_notice=False)
    for as_of in (d(2026, 3, 22), d(2026, 4, 5), d(2026, 4, 19), d(2026, 5, 3)):
        services.dunning_run_approve(run=services.dunning_run_propose(as_of=as_of, by=accountant), by=accountant)
    client.force_login(accountant)
    assert invoice.number in client.get(reverse("receivables:handover")).content.decode()
    response = client.post(reverse("receivables:handover"), {"invoice": [invoice.pk]})
    assert response.status_code == 302
    download = client.get(response["Location"] + "?download=1")
    assert download["Content-Type"].startswith("text/csv")
    header, row = download.content.decode().splitlines()
    assert header.split(",") == services.HANDOVER_COLUMNS and invoice.number in row
    assert invoice.number not in client.get(reverse("receivables:handover")).content.decode()


def test_admin_refuses_levels_whose_days_do_not_increase(admin_client):
    from returns.models import DunningLevel

    level = DunningLevel.objects.get(number=2)
    url = reverse("admin:returns_dunninglevel_change", args=[level.pk])
    data = {
        "number": 2, "name_en": level.name_en, "name_de": level.name_de, "days_overdue": 5,
        "min_open_amount": "5.00", "min_interval_days": 14, "fee": "1.05",
        "letter_text_en": level.letter_text_en, "letter_text_de": level.letter_text_de,
    }
    body = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "level 2 (5 days) must start later than level 1 (7 days)" in body
    level.refresh_from_db()
    assert level.days_overdue == 21


def test_payment_form_shows_the_open_amount_of_the_invoice(client, accountant):
    invoice = invoice_for(amount=D("100.00"))
    PaymentFactory(invoice=invoice, amount=D("30.00"))
    client.force_login(accountant)
    body = client.get(reverse("receivables:payment-new"), {"invoice": invoice.number}).content.decode()
    assert "70,00 €" in body


def test_a_missing_base_rate_is_named_on_the_run_in_the_readers_language(client, accountant):
    invoice_for(kind=Customer.Kind.B2B, amount=D("1000.00"), issued_on=d(2026, 4, 1), due_on=d(2026, 5, 1))
    run = services.dunning_run_propose(as_of=d(2026, 8, 1), by=accountant)
    assert run.warnings == ["2026-07-01"]
    client.force_login(accountant)
    body = client.get(reverse("receivables:run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No base rate entered for 2026-07-01" in body


def test_run_csv_has_the_proposal_columns(client, accountant):
    invoice = invoice_for(kind=Customer.Kind.B2B, amount=D("10000.00"), issued_on=d(2026, 1, 1),
                          due_on=d(2026, 1, 31), default_notice=False)
    run = services.dunning_run_propose(as_of=d(2026, 3, 5), by=accountant)
    client.force_login(accountant)
    response = client.get(reverse("receivables:run-csv", args=[run.pk]))
    header, line = response.content.decode().splitlines()
    assert header == ",".join(services.PROPOSAL_COLUMNS)
    assert line == f"{invoice.number},{invoice.order.customer.external_id},1,33,10000.00,40.00,5.63,10045.63,"
