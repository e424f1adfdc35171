from django.shortcuts import render

from catalog.selectors import managed_categories
from shopmgr.core import roles


def home(request):
    user = request.user
    role_labels = [roles.ROLE_LABELS[name] for name in roles.ALL_ROLES if name in roles.role_names(user)]
    scoped = roles.is_category_scoped(user)
    # A category manager's scope: the categories they were given (each with its sub-categories).
    categories = list(managed_categories(user=user)) if scoped else []
    return render(request, "home.html", {
        "role_labels": role_labels,
        "scoped": scoped,
        "sees_everything": roles.sees_everything(user),
        "scope_categories": categories,
    })
