"""Dunning in a real browser: accounting opens the proposal, excludes one line, approves, opens a
letter and sees the interest figure."""

import datetime as dt
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps

from returns.models import DunningNotice, DunningRun
from returns.receivables import services
from sales.models import Customer
from shopmgr.core import roles
from tests.browser.conftest import login
from tests.conftest import user_with_role
from tests.receivables.factories import invoice_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def accountant(transactional_db):
    # The flush between transactional tests removes migration rows: put the levels and rates back.
    import_module("returns.migrations.0005_dunning").seed(apps, None)
    return user_with_role(roles.ACCOUNTING, username="accounting")


def test_accounting_excludes_a_line_approves_and_reads_the_interest_on_the_letter(browser_page, accountant):
    page = browser_page
    # given a business invoice in default (30-day rule) and a consumer invoice, and last night's proposal
    business = invoice_for(kind=Customer.Kind.B2B, amount=Decimal("10000.00"), issued_on=dt.date(2026, 1, 1),
                           due_on=dt.date(2026, 1, 31), default_notice=False)
    consumer = invoice_for(amount=Decimal("80.00"), issued_on=dt.date(2026, 2, 11), due_on=dt.date(2026, 2, 25))
    run = services.dunning_run_propose(as_of=dt.date(2026, 3, 5), trigger=DunningRun.Trigger.NIGHTLY)
    accountant.set_password("secret-pass-123")
    accountant.save()
    login(page, accountant.username, "secret-pass-123")

    # when accounting opens the receivables and the proposal from the navigation
    page.click("nav.mainnav a[href='/receivables/']")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("ageing").is_visible()
    page.get_by_test_id("tab-runs").click()
    page.click(f"a[href='/receivables/runs/{run.pk}/']")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id(f"line-{business.number}").is_visible()
    # and excludes the consumer's line
    page.get_by_test_id(f"exclude-{consumer.number}").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id(f"include-{consumer.number}").is_visible()
    # and approves
    page.get_by_test_id("approve").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("run-status").inner_text().strip() != ""
    assert list(DunningNotice.objects.values_list("invoice", flat=True)) == [business.pk]

    # then the letter of the business invoice shows the default interest:
    # 2 days × 10,000 € × (1.27 + 9) % / 365 = 5.63 €
    page.get_by_test_id(f"letter-{business.number}").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("interest").inner_text().strip() == "5,63 €"
    assert page.get_by_test_id("total").inner_text().strip() == "10.045,63 €"
    assert "Zahlungserinnerung" in page.get_by_test_id("letter").inner_text()
    assert not page.console_errors
