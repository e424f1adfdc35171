"""Returns for the analytics and queue tests (orders and products come from the sales and catalog factories)."""

import datetime as dt
from decimal import Decimal

from returns.models import Return, ReturnLine, ReturnReason

# The hand-made day of conftest.day_of_returns.
DAY = dt.date(2026, 3, 3)
MORNING = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)  # 10:00 in Berlin
LATE_EVENING = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)  # 00:30 on 3 March in Berlin
RECEIVED = dt.datetime(2026, 3, 12, 10, 0, tzinfo=dt.UTC)


def reason(code: str) -> ReturnReason:
    return ReturnReason.objects.get(code=code)


def make_return(external_id, order, *, lines, received_at=None, requested_at=None, rejected=False,
                status=None, legal_basis=Return.LegalBasis.WITHDRAWAL):
    """`lines`: (order line, quantity, reason code, disposition[, refund]).

    The status follows the timestamps unless given: requested, received, or rejected.
    """
    if status is None:
        status = Return.Status.REJECTED if rejected else Return.Status.RECEIVED if received_at else Return.Status.REQUESTED
    ret = Return.objects.create(
        external_id=external_id, order=order, status=status, rejected=rejected, legal_basis=legal_basis,
        requested_at=requested_at or (received_at - dt.timedelta(days=2) if received_at else order.placed_at),
        received_at=received_at,
    )
    for line, quantity, code, disposition, *refund in lines:
        ReturnLine.objects.create(
            ret=ret, order_line=line, quantity=quantity, reason=reason(code), disposition=disposition,
            refund_amount=Decimal(refund[0]) if refund else None,
        )
    return ret
