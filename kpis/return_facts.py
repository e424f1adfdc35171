"""Day × product × reason facts of returns, for the return analytics (filled by the returns feature)."""

from __future__ import annotations

import datetime as dt


def compute_return_range(first: dt.date, last: dt.date) -> None:
    """Replace the return facts of the Berlin days first..last (orders placed on them)."""
