from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("returns", "0003_changed_at")]

    operations = []
