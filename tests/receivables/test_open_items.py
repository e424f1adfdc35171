"""The open-items list: its rows drawn in Python are the ones django-tables2's template draws, and
the filters rewritten for speed at 1M orders keep their rows."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from returns.models import DunningBlock, DunningNotice, Return
from returns.receivables import selectors, services
from returns.receivables.filters import OpenItemFilter
from returns.receivables.tables import OpenItemTable
from sales.models import Customer
from tests.receivables.factories import PaymentFactory, invoice_for
from tests.sales.factories import CustomerFactory

pytestmark = pytest.mark.django_db
d = dt.date
TODAY = d(2026, 6, 1)


def _mixed_items(accountant):
    """Open invoices of every kind of row: B2B and B2C, part paid, disputed, with an open return,
    with a notice, a customer name that needs escaping, and a big amount (thousands separators)."""
    odd = CustomerFactory(kind=Customer.Kind.B2B, name='Müller & <Söhne> "GmbH"')
    made = [
        invoice_for(customer=odd, amount=D("12345.67"), issued_on=d(2026, 1, 1), due_on=d(2026, 1, 15)),
        invoice_for(kind=Customer.Kind.B2C, amount=D("100.00"), issued_on=d(2026, 3, 1), due_on=d(2026, 3, 15)),
        invoice_for(kind=Customer.Kind.B2B, amount=D("50.00"), issued_on=d(2026, 5, 1), due_on=d(2026, 6, 15)),
        invoice_for(kind=Customer.Kind.B2C, amount=D("80.00"), issued_on=d(2023, 1, 1), due_on=d(2023, 1, 15)),
    ]
    PaymentFactory(invoice=made[1], amount=D("10.00"), paid_on=d(2026, 3, 20))
    DunningBlock.objects.create(invoice=made[1], reason="strittig")
    Return.objects.create(external_id="R-1", order=made[0].order, status=Return.Status.RECEIVED)
    run = services.dunning_run_propose(as_of=d(2026, 3, 22), by=accountant)
    services.dunning_run_approve(run=run, by=accountant)
    assert DunningNotice.objects.exists()
    return made


def _table(user, query=""):
    request = RequestFactory().get("/receivables/" + query)
    request.user = user
    item_filter = OpenItemFilter(request.GET, queryset=selectors.open_items(user=user, today=TODAY), today=TODAY,
                                 levels=list(selectors.levels()))
    table = OpenItemTable(item_filter.qs, today=TODAY)
    RequestConfig(request, paginate={"per_page": 25, "paginator_class": LazyPaginator}).configure(table)
    return table, request


def _squeezed(html):
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _tbody(html):
    return _squeezed(re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S).group(1))


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("query", ["", "?sort=-amount", "?kind=b2b", "?customer=nobody-is-called-so"])
def test_rows_are_the_ones_the_table_template_draws(accountant, lang, query):
    _mixed_items(accountant)
    with translation.override(lang):
        table, request = _table(accountant, query)
        ours = get_template(table.template_name).render({"table": table}, request)
        table, request = _table(accountant, query)
        theirs = get_template("core/table.html").render({"table": table}, request)  # a template per cell
    assert _tbody(ours) == _tbody(theirs)
    assert _squeezed(ours) == _squeezed(theirs)  # header, pagination and all
    if not query:
        assert "Müller &amp; &lt;Söhne&gt; &quot;GmbH&quot;" in ours
        assert ("12.345,67 €" if lang == "de" else "€12,345.67") in ours


def test_blocked_filter_keeps_disputes_and_open_returns_only(client, accountant):
    disputed, returned, lifted, refunded, plain = (
        invoice_for(amount=D("100.00") + i, due_on=d(2026, 3, 15)) for i in range(5)
    )
    DunningBlock.objects.create(invoice=disputed, reason="strittig")
    block = DunningBlock.objects.create(invoice=lifted, reason="geklärt")
    services.dispute_flag_lift(block=block, by=accountant)
    Return.objects.create(external_id="R-open", order=returned.order, status=Return.Status.REQUESTED)
    Return.objects.create(external_id="R-done", order=refunded.order, status=Return.Status.REFUNDED)
    second = invoice_for(customer=returned.order.customer, due_on=d(2026, 3, 16))
    second.order = returned.order  # a second invoice of the order with the open return
    second.save()
    client.force_login(accountant)
    url = reverse("receivables:index")

    def numbers(**params):
        return set(re.findall(r'data-testid="item-([^"]+)"', client.get(url, params).content.decode()))

    assert numbers(blocked="yes") == {disputed.number, returned.number, second.number}
    assert numbers(blocked="no") == {lifted.number, refunded.number, plain.number}
    assert numbers() == numbers(blocked="yes") | numbers(blocked="no")
    body = client.get(url, {"blocked": "yes"}, headers={"accept-language": "en"}).content.decode()
    assert body.count("open return on the order") == 2 and body.count(">disputed<") == 1


def test_the_lazy_pages_say_which_page_not_a_total_they_do_not_know(accountant):
    # given 30 open invoices: two pages of 25, which the list does not count (no COUNT at 1M)
    for day in range(1, 31):
        invoice_for(kind=Customer.Kind.B2C, amount=D("10.00"), issued_on=d(2026, 4, day), due_on=d(2026, 5, 1))

    # when the first page is drawn
    with translation.override("de"):
        table, request = _table(accountant)
        html = get_template(table.template_name).render({"table": table}, request)

    # then it says page 1 and offers the next one, without claiming "of 2" (the lazy paginator
    # only knows that one more page exists, not how many)
    assert "Seite 1<" in _squeezed(html) and "von" not in _squeezed(html).split('class="pagination"')[1]
    assert "weiter" in html
