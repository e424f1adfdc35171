"""The return reason codes of DOMAIN §2.3 (Bitkom 2024); admins may add more."""

from django.db import migrations

REASONS = [
    ("SIZE_SMALL", "Too small", "Zu klein", False),
    ("SIZE_LARGE", "Too large", "Zu groß", False),
    ("NOT_AS_DESCRIBED", "Not as described", "Entspricht nicht der Beschreibung", True),
    ("DEFECTIVE", "Defective", "Defekt", True),
    ("TRANSIT_DAMAGE", "Damaged in transit", "Transportschaden", True),
    ("WRONG_ITEM", "Wrong item delivered", "Falscher Artikel geliefert", True),
    ("QUALITY", "Poor quality", "Mangelhafte Qualität", False),
    ("CHANGED_MIND", "Changed mind / disliked", "Gefällt nicht", False),
    ("BRACKETING", "Ordered several to choose", "Auswahlbestellung", False),
    ("LATE", "Arrived too late", "Zu spät geliefert", True),
    ("BETTER_PRICE", "Cheaper elsewhere", "Anderswo günstiger", False),
    ("OTHER", "Other", "Sonstiges", False),
]


def seed(apps, schema_editor):
    ReturnReason = apps.get_model("returns", "ReturnReason")
    for code, en, de, merchant_fault in REASONS:
        ReturnReason.objects.update_or_create(
            code=code, defaults={"label_en": en, "label_de": de, "merchant_fault": merchant_fault}
        )


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
