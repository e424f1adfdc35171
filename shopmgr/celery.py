"""The Celery app: beside the settings, autodiscovering each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopmgr.settings.local")

app = Celery("shopmgr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
