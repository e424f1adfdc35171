"""Roles are Django groups, created by a data migration (core/migrations/0001_roles.py).

Who sees what (DESIGN §5): shop managers everything; category managers their categories and
sub-categories only; customer service, accounting and marketing the whole catalogue read-only
plus their own desks.
"""

from django.utils.translation import gettext_lazy as _

SHOP_MANAGERS = "Shop managers"
CATEGORY_MANAGERS = "Category managers"
CUSTOMER_SERVICE = "Customer service"
ACCOUNTING = "Accounting"
MARKETING = "Marketing"

ALL_ROLES = [SHOP_MANAGERS, CATEGORY_MANAGERS, CUSTOMER_SERVICE, ACCOUNTING, MARKETING]

ROLE_LABELS = {
    SHOP_MANAGERS: _("Shop manager"),
    CATEGORY_MANAGERS: _("Category manager"),
    CUSTOMER_SERVICE: _("Customer service"),
    ACCOUNTING: _("Accounting"),
    MARKETING: _("Marketing"),
}


def role_names(user) -> set[str]:
    """The role (group) names of a user, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(role_names(user) & set(roles))


def sees_everything(user) -> bool:
    """Superusers and shop managers are never limited to categories."""
    return user.is_superuser or has_role(user, SHOP_MANAGERS)


def is_category_scoped(user) -> bool:
    """A category manager (who is not also a shop manager) sees only their categories."""
    return not sees_everything(user) and has_role(user, CATEGORY_MANAGERS)
