from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopmgr.core import roles


def navigation(request):
    """The main navigation, by role: each user sees the desks their role works at."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    if roles.role_names(user) or user.is_superuser:
        items.append({
            "url": reverse("catalog:index"), "label": _("Assortment"),
            "hint": _("Categories and their products"),
        })
        items.append({
            "url": reverse("catalog:product-list"), "label": _("Products"),
            "hint": _("Search, filter and export products"),
        })
    if roles.sees_everything(user) or roles.is_category_scoped(user):
        # The assortment workbench (issue 6): analyses and listing decisions.
        items.append({
            "url": reverse("catalog:matrix"), "label": _("ABC/XYZ"),
            "hint": _("The ABC/XYZ matrix, GMROI, slow movers, content and delist candidates"),
        })
        items.append({
            "url": reverse("catalog:decisions"), "label": _("Listing decisions"),
            "hint": _("Proposals to list, phase out or delist products and their approval"),
        })
    if roles.role_names(user) or user.is_superuser:
        # Everyone with a role gets key figures (category managers for their categories only).
        items.append({
            "url": reverse("kpis:dashboard"), "label": _("Key figures"),
            "hint": _("Revenue, returns, margins and service figures with targets"),
        })
    if roles.sees_everything(user) or roles.has_role(user, roles.CUSTOMER_SERVICE, roles.CATEGORY_MANAGERS):
        items.append({
            "url": reverse("returns:index"), "label": _("Returns"),
            "hint": _("The returns desk: find the order, receive, inspect, refund"),
        })
    if roles.sees_everything(user) or roles.is_category_scoped(user):
        items.append({
            "url": reverse("returns:analytics"), "label": _("Return analytics"),
            "hint": _("Return rates, reasons, costs and the products that need a look"),
        })
    if roles.sees_everything(user) or roles.is_category_scoped(user):
        items.append({
            "url": reverse("pricing:index"), "label": _("Prices"),
            "hint": _("Price suggestions, proposals and approval, market position, price export"),
        })
    if roles.sees_everything(user):
        items.append({
            "url": reverse("kpis:runs"), "label": _("Runs"),
            "hint": _("The nightly computation of the key figures"),
        })
    if user.is_superuser or roles.has_role(user, roles.ACCOUNTING, roles.SHOP_MANAGERS):
        items.append({
            "url": reverse("receivables:index"), "label": _("Receivables"),
            "hint": _("Open items, payments, dunning runs and the collection hand-over"),
        })
    if user.is_staff:
        items.append({"url": reverse("admin:index"), "label": _("Administration"), "hint": _("Users, roles and raw data")})
    # The most specific matching entry is the active one (/catalog/products/ is not /catalog/).
    path = request.path
    matches = [item["url"] for item in items if path.startswith(item["url"])]
    current = max(matches, key=len) if matches else None
    for item in items:
        item["active"] = item["url"] == current
    return {"nav_items": items}
