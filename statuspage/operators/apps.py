"""Operators app: the admin site (login protection, two-factor), the operator role and its audit trail."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class OperatorsConfig(AppConfig):
    default = True
    name = "statuspage.operators"
    label = "operators"

    def ready(self) -> None:
        from statuspage.operators import roles  # it imports models: not before apps are ready

        # Also after a flush (tests), and when an app adds a model the role covers.
        post_migrate.connect(roles.on_post_migrate, dispatch_uid="operators-role-sync")


class OperatorsAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site as `admin.site`, so every app's @admin.register lands on it."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "statuspage.operators.site.OperatorAdminSite"
