"""One demo login per role, for the local demo (make run). Refuses to run with DEBUG off."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog.models import Category
from shopmgr.core import roles

DEMO_PASSWORD = "demo"

# username, full name, role, categories (codes) for category managers, staff, superuser
DEMO_USERS = [
    ("admin", "Anna Admin", None, [], True, True),
    ("shop", "Sabine Shopleitung", roles.SHOP_MANAGERS, [], True, False),
    ("cm_fashion", "Felix Fashion", roles.CATEGORY_MANAGERS, ["FASHION", "SHOES"], False, False),
    ("cm_electronics", "Elena Elektronik", roles.CATEGORY_MANAGERS, ["ELECTRONICS"], False, False),
    ("service", "Sven Service", roles.CUSTOMER_SERVICE, [], False, False),
    ("accounting", "Berta Buchhaltung", roles.ACCOUNTING, [], False, False),
    ("marketing", "Mia Marketing", roles.MARKETING, [], False, False),
]


class Command(BaseCommand):
    help = "Create (or reset) one demo user per role with the password 'demo' and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="also run with DEBUG off")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("create_demo_users is for local demos (DEBUG on); use --force to run it anyway.")
        User = get_user_model()
        rows = []
        with transaction.atomic():
            for username, full_name, role, category_codes, is_staff, is_superuser in DEMO_USERS:
                first, _, last = full_name.partition(" ")
                user, _ = User.objects.get_or_create(username=username)
                user.first_name, user.last_name = first, last
                user.email = f"{username}@shop.example"
                user.is_staff, user.is_superuser = is_staff, is_superuser
                user.set_password(DEMO_PASSWORD)
                user.save()
                if role:
                    user.groups.set([Group.objects.get(name=role)])
                found = list(Category.objects.filter(code__in=category_codes))
                for category in found:
                    category.managers.add(user)
                scope = ", ".join(c.code for c in found) if category_codes else "all"
                rows.append((username, str(roles.ROLE_LABELS.get(role, "Administrator")), scope))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, label, scope in rows:
            self.stdout.write(f"  {username:<16} {label:<20} scope: {scope}")
