from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("returns", "0004_desk")]

    operations = []
