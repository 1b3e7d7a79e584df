"""The "operator" group: runs incidents, maintenance, overrides and monitors; no users, no settings."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.apps.registry import Apps

GROUP = "operator"

# app label -> model -> actions. Custom actions (not view/add/change/delete) are created here, on the
# model they concern: overriding a component and pausing or probing a monitor change no configuration.
PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "incidents": {
        "incident": ("view", "add", "change"),
        "incidentupdate": ("view", "add", "change"),
        "updaterevision": ("view",),
        "updatetemplate": ("view", "add", "change", "delete"),
    },
    "components": {"component": ("view", "override"), "componentgroup": ("view",)},
    "monitors": {"monitor": ("view", "operate"), "provider": ("view",), "proberesult": ("view",)},
    "subscriptions": {"subscriber": ("view",), "delivery": ("view", "change"), "operatoralert": ("view",)},
    "admin": {"logentry": ("view",)},
}
CUSTOM = {
    "override": "Can override the status of",
    "operate": "Can pause, resume and probe",
}
STANDARD = ("view", "add", "change", "delete")


def codename(action: str, model: str) -> str:
    return f"{action}_{model}"


def sync(apps: Apps) -> None:
    """Create the group and give it every permission above that it lacks; grants made by hand stay.

    Takes an app registry so the data migration (historical models) and post_migrate share it.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP)
    granted = []
    for app_label, models in PERMISSIONS.items():
        for model_name, actions in models.items():
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:  # an app not migrated yet: the next post_migrate grants it
                continue
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model_name)
            for action in actions:
                verbose = model._meta.verbose_name
                name = f"Can {action} {verbose}" if action in STANDARD else f"{CUSTOM[action]} {verbose}"
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type, codename=codename(action, model_name), defaults={"name": name}
                )
                granted.append(permission)
    group.permissions.add(*granted)


def on_post_migrate(sender, apps: Apps | None = None, **kwargs) -> None:
    """After a migrate or a flush (tests): post_migrate is sent once per app that has models, so act on
    the last one, when every other app's permissions exist. A flush sends no registry: use the live one."""
    last = [config for config in global_apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label == last.label:
        sync(apps or global_apps)
