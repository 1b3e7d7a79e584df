"""Public status page (reads only)."""

from django.shortcuts import render

from statuspage.api import v2
from statuspage.components.models import Component, ComponentGroup


def index(request):
    summary = v2.summary()
    groups = [
        {"group": group, "components": [c for c in group.components.all() if _visible(c)]}
        for group in ComponentGroup.objects.prefetch_related("components__monitors")
    ]
    ungrouped = [c for c in Component.objects.filter(group=None).prefetch_related("monitors") if _visible(c)]
    return render(
        request,
        "public/index.html",
        {"summary": summary, "groups": [g for g in groups if g["components"]], "ungrouped": ungrouped},
    )


def _visible(component: Component) -> bool:
    return not (component.only_show_if_degraded and component.status == "operational")
