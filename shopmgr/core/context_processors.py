from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopmgr.core import roles


def _any_role(user) -> bool:
    return bool(roles.role_names(user)) or user.is_superuser


def _managers(user) -> bool:
    """Shop managers (and superusers) and category managers (for their categories)."""
    return roles.sees_everything(user) or roles.is_category_scoped(user)


def _returns_desk(user) -> bool:
    return roles.sees_everything(user) or roles.has_role(user, roles.CUSTOMER_SERVICE, roles.CATEGORY_MANAGERS)


def _accounting(user) -> bool:
    return user.is_superuser or roles.has_role(user, roles.ACCOUNTING, roles.SHOP_MANAGERS)


# The desks in the order of a manager's day: the numbers first, then assortment and prices, then
# returns and money; who sees each one.
NAVIGATION = [
    ("kpis:dashboard", _("Key figures"), _("Revenue, returns, margins and service figures with targets"), _any_role),
    ("catalog:index", _("Assortment"), _("Categories and their products"), _any_role),
    ("catalog:product-list", _("Products"), _("Search, filter and export products"), _any_role),
    ("catalog:matrix", _("ABC/XYZ"), _("The ABC/XYZ matrix, GMROI, slow movers, content and delist candidates"),
     _managers),
    ("catalog:decisions", _("Listing decisions"),
     _("Proposals to list, phase out or delist products and their approval"), _managers),
    ("pricing:index", _("Prices"), _("Price suggestions, proposals and approval, market position, price export"),
     _managers),
    ("returns:index", _("Returns"), _("The returns desk: find the order, receive, inspect, refund"), _returns_desk),
    ("returns:analytics", _("Return analytics"), _("Return rates, reasons, costs and the products that need a look"),
     _managers),
    ("receivables:index", _("Receivables"), _("Open items, payments, dunning runs and the collection hand-over"),
     _accounting),
    ("kpis:runs", _("Metric runs"), _("The nightly computation of the key figures"), roles.sees_everything),
]


def navigation(request):
    """The main navigation, by role: each user sees the desks their role works at."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"url": reverse(name), "label": label, "hint": hint}
        for name, label, hint, sees in NAVIGATION if sees(user)
    ]
    if user.is_staff:
        items.append({"url": reverse("admin:index"), "label": _("Administration"), "hint": _("Users, roles and raw data")})
    # The most specific matching entry is the active one (/catalog/products/ is not /catalog/).
    path = request.path
    matches = [item["url"] for item in items if path.startswith(item["url"])]
    current = max(matches, key=len) if matches else None
    for item in items:
        item["active"] = item["url"] == current
    return {"nav_items": items}
