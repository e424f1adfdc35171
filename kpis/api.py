"""`GET /api/kpis/?from=YYYY-MM-DD&to=YYYY-MM-DD[&category=CODE][&channel=C]` (DESIGN §8).

For logged-in users (session) and BI tools (`Authorization: Token <key>`, issued in the admin).
Scoped like the pages: a category manager gets their categories only; a category outside the
caller's scope, or unknown, is 404. Bad parameters are 400. Every answer is JSON.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from catalog.models import Category
from catalog.selectors import category_visible_q

from . import registry
from .models import ApiToken
from .scopes import scope_for
from .selectors import kpis_for, provisional_until

MAX_DAYS = 3 * 366


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field

    def response(self) -> JsonResponse:
        body = {"error": self.message}
        if self.field:
            body["field"] = self.field
        return JsonResponse(body, status=self.status)


def _token_user(request):
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() not in ("token", "bearer") or not key.strip():
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key=key.strip(), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        raise ApiError(401, "invalid or revoked token")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def api_user(request):
    """The caller: a valid token's user, or the session's user; 401 otherwise."""
    user = _token_user(request)
    if user is not None:
        return user
    if request.user.is_authenticated:
        return request.user
    raise ApiError(401, "authentication required: log in, or send 'Authorization: Token <key>'")


def _date_param(request, name: str) -> dt.date:
    value = request.GET.get(name, "").strip()
    if not value:
        raise ApiError(400, f"'{name}' is required, as YYYY-MM-DD", name)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"'{name}' must be a date as YYYY-MM-DD, got {value!r}", name) from None


def parse_period(request) -> tuple[dt.date, dt.date]:
    first, last = _date_param(request, "from"), _date_param(request, "to")
    if first > last:
        raise ApiError(400, f"'from' ({first}) is after 'to' ({last})", "from")
    if (last - first).days >= MAX_DAYS:
        raise ApiError(400, f"a period may span at most {MAX_DAYS} days", "to")
    return first, last


@login_not_required
@require_GET
def kpis_api(request):
    try:
        user = api_user(request)
        first, last = parse_period(request)
        category = None
        code = request.GET.get("category", "").strip()
        if code:
            category = Category.objects.filter(category_visible_q(user), code=code).first()
            if category is None:
                raise ApiError(404, f"no category {code!r} in your scope", "category")
        channel = request.GET.get("channel", "").strip() or None
        scope = scope_for(user, category)
        if scope is None:
            raise ApiError(403, "your role has no key figures; ask an administrator")
        values = kpis_for(scope=scope, first=first, last=last, channel=channel)
    except ApiError as error:
        return error.response()
    until = provisional_until(last)
    return JsonResponse({
        "from": first.isoformat(),
        "to": last.isoformat(),
        "kpis": {key: registry.BY_KEY[key].as_json(value) for key, value in values.items()},
        "provisional_until": until.isoformat() if until else None,
    })
