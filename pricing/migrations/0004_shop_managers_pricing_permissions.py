"""Shop managers hold every pricing permission (shopmgr/core/migrations/0001_roles.py: "pricing":
"all"); that migration ran before the models of 0002 existed, so their permissions are added here
(price rules in the admin). Only additions, only pricing permissions."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("pricing")
    config.models_module = True
    create_permissions(config, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Shop managers").first()
    if group is not None:
        group.permissions.add(*Permission.objects.filter(content_type__app_label="pricing"))


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0003_suggestion_list_indexes"),
        ("core", "0001_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
