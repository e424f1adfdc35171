from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shopmgr.core"
    label = "core"
    verbose_name = "Core"
