"""The portal's roles as groups with their model permissions (DESIGN §5).

Scope by category is not a permission: it is enforced in the selectors.
"""

from django.db import migrations

# role -> {app_label: "all" | {model: [actions]}}
ROLE_PERMISSIONS = {
    "Shop managers": {
        "catalog": "all", "pricing": "all", "sales": "all", "returns": "all",
    },
    "Category managers": {
        "catalog": {"category": ["view"], "supplier": ["view"], "product": ["view", "change"]},
        "pricing": {"pricechange": ["view", "add"], "competitorprice": ["view"]},
        "sales": {"order": ["view"], "orderline": ["view"], "review": ["view"]},
        "returns": {"return": ["view"], "returnline": ["view"], "returnreason": ["view"]},
    },
    "Customer service": {
        "catalog": {"category": ["view"], "product": ["view"]},
        "sales": {
            "customer": ["view"], "order": ["view"], "orderline": ["view"],
            "shipment": ["view"], "review": ["view"],
        },
        "returns": {
            "return": ["view", "add", "change"], "returnline": ["view", "add", "change"],
            "returnreason": ["view"],
        },
    },
    "Accounting": {
        "catalog": {"category": ["view"], "product": ["view"]},
        "sales": {
            "customer": ["view"], "order": ["view"], "orderline": ["view"],
            "invoice": ["view", "change"], "payment": ["view", "add", "change"],
        },
        "returns": {"return": ["view"], "returnline": ["view"]},
    },
    "Marketing": {
        "catalog": {"category": ["view"], "product": ["view"]},
        "sales": {
            "customer": ["view"], "order": ["view"], "trafficday": ["view"],
            "marketingspend": ["view", "add", "change"], "review": ["view"],
        },
    },
}


def grant_roles(Group, Permission) -> None:
    """Create the groups and give each its permissions (the permissions must exist)."""
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for app_label, models in grants.items():
            qs = Permission.objects.filter(content_type__app_label=app_label)
            if models == "all":
                perms.extend(qs)
                continue
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions]
                perms.extend(qs.filter(content_type__model=model, codename__in=codenames))
        group.permissions.set(perms)


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; this migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    grant_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def drop_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0001_initial"),
        ("pricing", "0001_initial"),
        ("sales", "0001_initial"),
        ("returns", "0001_initial"),
    ]
    operations = [migrations.RunPython(create_roles, drop_roles)]
