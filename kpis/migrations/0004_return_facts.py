from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("kpis", "0003_product_facts")]

    operations = []
