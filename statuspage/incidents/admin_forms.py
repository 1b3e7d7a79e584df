"""The operator's forms: open an incident or post an update in one form, edit, postmortem, maintenance."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from statuspage.components.models import Component, ComponentStatus
from statuspage.incidents.models import Impact, Incident, IncidentStatus, UpdateTemplate
from statuspage.lib.xmltext import refuse_control

S = IncidentStatus
INCIDENT_STATUSES = [(s.value, s.label) for s in (S.INVESTIGATING, S.IDENTIFIED, S.MONITORING, S.RESOLVED)]
MAINTENANCE_STATUSES = [(s.value, s.label) for s in (S.SCHEDULED, S.IN_PROGRESS, S.VERIFYING, S.COMPLETED)]
IMPACTS = [(i.value, i.label) for i in Impact if i != Impact.MAINTENANCE]
BODY_MAX = 20_000
PAGE_ORDER = ("group__position", "group__name", "position", "name")


class ComponentsField(forms.ModelMultipleChoiceField):
    """Components in page order, each named with its group: every provider has a "Chat"."""

    def __init__(self, queryset: QuerySet[Component] | None = None, **kwargs) -> None:
        components = Component.objects.all() if queryset is None else queryset
        super().__init__(components.select_related("group").order_by(*PAGE_ORDER), **kwargs)

    def label_from_instance(self, component: Component) -> str:
        return component.display_name


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def _body_field(label: str = "Message") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=BODY_MAX,
        required=False,  # checked in clean(), after a chosen template may have filled it
        strip=True,
        validators=[refuse_control],
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text="Markdown: **bold**, _italic_, [links](https://example.com), lists. HTML is shown as text.",
    )


class OnceForm(forms.Form):
    """Carries a one-time key, so a form submitted twice (double click, reload) acts once."""

    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class UpdateFields(OnceForm):
    """Status, message (or a template for it), the status each component should show, notify."""

    status = forms.ChoiceField(choices=INCIDENT_STATUSES)
    template = forms.ModelChoiceField(
        UpdateTemplate.objects.all(), required=False, empty_label="(none)",
        help_text="Fills the message (and status) from a prepared text.",
    )  # fmt: skip
    body = _body_field()
    notify = forms.BooleanField(
        label="Notify subscribers", required=False, initial=True,
        help_text="Email and webhook subscribers of the affected components (everyone if none).",
    )  # fmt: skip

    component_prefix = "component_"
    blank_label = "Not affected"

    def __init__(self, *args, incident: Incident | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.incident = incident
        if incident is not None and incident.kind == Incident.Kind.MAINTENANCE:
            self.fields["status"].choices = MAINTENANCE_STATUSES
        self.components = list(Component.objects.select_related("group").order_by(*PAGE_ORDER))
        affected = set(incident.components.values_list("pk", flat=True)) if incident else set()
        for component in self.components:
            in_incident = component.pk in affected
            self.fields[self.component_prefix + str(component.pk)] = forms.ChoiceField(
                label=component.name,
                required=False,
                choices=[("", "Unchanged" if in_incident else self.blank_label), *ComponentStatus.choices],
                initial=component.status if in_incident else "",
            )

    def component_rows(self) -> Iterator[tuple[str, list[tuple[Component, forms.BoundField]]]]:
        """(group name, [(component, its field)]) in page order, for the template."""
        rows: dict[str, list[tuple[Component, forms.BoundField]]] = {}
        for component in self.components:
            group = component.group.name if component.group_id else "Other components"
            rows.setdefault(group, []).append((component, self[self.component_prefix + str(component.pk)]))
        return iter(rows.items())

    def clean(self) -> dict:
        data = super().clean()
        template: UpdateTemplate | None = data.get("template")
        if template is not None and not data.get("body"):  # no script needed to use a template
            data["body"] = template.body
            if template.status in dict(self.fields["status"].choices):
                data["status"] = template.status
        if not data.get("body"):
            self.add_error("body", "Write a message, or choose a template.")
        return data

    def component_statuses(self) -> dict[Component, str]:
        """The components this update sets: each one chosen that is new to the incident or changes."""
        affected = set(self.incident.components.values_list("pk", flat=True)) if self.incident else set()
        chosen = {}
        for component in self.components:
            status = self.cleaned_data.get(self.component_prefix + str(component.pk))
            if status and (component.pk not in affected or status != component.status):
                chosen[component] = status
        return chosen


class OpenIncidentForm(UpdateFields):
    name = forms.CharField(
        max_length=300, label="Title", validators=[refuse_control],
        help_text="What readers see, e.g. “Elevated errors on chat”.",
    )  # fmt: skip
    impact = forms.ChoiceField(choices=IMPACTS, initial=Impact.MINOR)

    field_order = ["name", "impact", "status", "template", "body", "notify"]


class PostUpdateForm(UpdateFields):
    field_order = ["status", "template", "body", "notify"]

    def __init__(self, *args, incident: Incident, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("status", incident.status)
        super().__init__(*args, incident=incident, **kwargs)


class EditUpdateForm(forms.Form):
    body = forms.CharField(
        max_length=BODY_MAX, strip=True, validators=[refuse_control],
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
    )  # fmt: skip
    notify = forms.BooleanField(
        label="Send the correction to subscribers", required=False, initial=False,
        help_text="Off: the text changes on the page, API and feeds only; what was sent is kept below.",
    )  # fmt: skip


class PostmortemForm(forms.Form):
    body = forms.CharField(
        label="Postmortem", max_length=100_000, strip=True, validators=[refuse_control],
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text="Markdown. Saved drafts are never shown to readers.",
    )  # fmt: skip
    notify = forms.BooleanField(label="Notify subscribers when publishing", required=False, initial=True)


class MaintenanceForm(OnceForm):
    name = forms.CharField(max_length=300, label="Title", validators=[refuse_control])
    starts_at = forms.DateTimeField(label="Starts (UTC)", widget=DateTimeInput())
    ends_at = forms.DateTimeField(label="Ends (UTC)", widget=DateTimeInput())
    components = ComponentsField(widget=forms.CheckboxSelectMultiple)
    body = forms.CharField(
        label="Message", max_length=BODY_MAX, strip=True, validators=[refuse_control],
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip
    remind_hours = forms.IntegerField(
        label="Remind subscribers (hours before)", required=False, min_value=1, max_value=24 * 14,
        help_text="Empty: no reminder.",
    )  # fmt: skip
    notify = forms.BooleanField(label="Notify subscribers now", required=False, initial=True)

    def clean(self) -> dict:
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends:
            if ends <= starts:
                self.add_error("ends_at", "The window must end after it starts.")
            if starts <= timezone.now():
                self.add_error("starts_at", "The window must start in the future.")
            hours = data.get("remind_hours")
            if hours and starts - timedelta(hours=hours) <= timezone.now():
                self.add_error("remind_hours", "That reminder would fall in the past.")
        return data

    @property
    def remind_at(self):
        hours = self.cleaned_data.get("remind_hours")
        return self.cleaned_data["starts_at"] - timedelta(hours=hours) if hours else None
