"""The operator's pages in the incident admin; every change goes through incidents.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from statuspage.incidents import admin_forms, maintenance, preview, services
from statuspage.incidents.models import Incident, IncidentStatus, IncidentUpdate, UpdateTemplate
from statuspage.subscriptions.models import Delivery

ALREADY_POSTED = "This form was already submitted; it was posted once."


class OperatorViews:
    """Mixed into IncidentAdmin (a ModelAdmin): permission checks, logging and messages are its own."""

    # --- opening, updating -------------------------------------------------------------------------
    def open_incident_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = admin_forms.OpenIncidentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if "_preview" in request.POST:
                draft = Incident(name=data["name"], impact=data["impact"])
                return self._compose(request, form, "Open an incident", preview=self._preview(draft, form))
            if done := self._posted_before(request, data["request_key"]):
                return self._to_incident(done.incident)
            try:
                incident = services.open_incident(
                    name=data["name"], impact=data["impact"], status=data["status"], body=data["body"],
                    component_statuses=form.component_statuses(), notify=data["notify"], author=request.user,
                    request_key=data["request_key"],
                )  # fmt: skip
            except IntegrityError:  # the same form, submitted twice at the same moment: key taken
                if not (done := self._posted_before(request, data["request_key"])):
                    raise
                return self._to_incident(done.incident)
            self.log_addition(request, incident, f"Opened: {_said(data)}")
            messages.success(request, f"Incident opened. {_told(incident, data['notify'])}")
            return self._to_incident(incident)
        return self._compose(request, form, "Open an incident")

    def post_update_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        incident = self._incident_to_change(request, object_id)
        form = admin_forms.PostUpdateForm(request.POST or None, incident=incident)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if "_preview" in request.POST:
                return self._compose(
                    request, form, f"Update: {incident.name}", incident, preview=self._preview(incident, form)
                )
            if self._posted_before(request, data["request_key"]):
                return self._to_incident(incident)
            try:
                services.post_update(
                    incident, status=data["status"], body=data["body"], notify=data["notify"],
                    component_statuses=form.component_statuses(), author=request.user,
                    request_key=data["request_key"],
                )  # fmt: skip
            except IntegrityError:
                if not (done := self._posted_before(request, data["request_key"])):
                    raise
                return self._to_incident(done.incident)
            self.log_change(request, incident, f"Posted an update: {_said(data)}")
            messages.success(request, f"Update posted. {_told(incident, data['notify'])}")
            return self._to_incident(incident)
        return self._compose(request, form, f"Update: {incident.name}", incident)

    def edit_update_view(self, request: HttpRequest, object_id: int, update_id: int) -> HttpResponse:
        incident = self._incident_to_change(request, object_id)
        update = get_object_or_404(IncidentUpdate, pk=update_id, incident=incident)
        form = admin_forms.EditUpdateForm(request.POST or None, initial={"body": update.body})
        if request.method == "POST" and form.is_valid():
            notify = form.cleaned_data["notify"]
            correction = services.edit_update(
                update, body=form.cleaned_data["body"], author=request.user, notify=notify
            )
            if form.has_changed():
                sent = " and sent the correction to subscribers" if correction else ", nothing sent"
                self.log_change(request, incident, f"Edited the update of {_when(update)}{sent}.")
                messages.success(request, f"Update edited{sent}. The earlier text is kept in its history.")
            return self._to_incident(incident)
        title = f"Edit the update of {_when(update)}"
        revisions = update.revisions.select_related("edited_by")
        return self._render(
            request, "edit_update.html", title, incident, form, update=update, revisions=revisions
        )

    # --- postmortem, maintenance -------------------------------------------------------------------
    def postmortem_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        incident = self._incident_to_change(request, object_id)
        initial = {"body": incident.postmortem_draft or incident.postmortem_body}
        form = admin_forms.PostmortemForm(request.POST or None, initial=initial)
        shown = None
        if request.method == "POST" and form.is_valid():
            body, notify = form.cleaned_data["body"], form.cleaned_data["notify"]
            if "_publish" in request.POST:
                try:
                    services.publish_postmortem(incident, body=body, notify=notify, author=request.user)
                except ValueError as exc:
                    form.add_error(None, str(exc))
                else:
                    told = "Subscribers are notified." if notify else "Subscribers were not notified."
                    self.log_change(request, incident, f"Published the postmortem. {told}")
                    messages.success(request, f"Postmortem published. {told}")
                    return self._to_incident(incident)
            elif "_preview" in request.POST:
                shown = preview.build(incident, status=IncidentStatus.POSTMORTEM, body=body, notify=notify,
                                      component_statuses={}, concerned=incident.components.all())  # fmt: skip
            else:
                services.save_postmortem_draft(incident, body=body)
                self.log_change(request, incident, "Saved the postmortem draft.")
                messages.success(request, "Draft saved. Readers see nothing until it is published.")
                return HttpResponseRedirect(request.path)
        return self._render(request, "postmortem.html", f"Postmortem: {incident.name}", incident, form,
                            preview=shown)  # fmt: skip

    def maintenance_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = admin_forms.MaintenanceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if done := self._posted_before(request, data["request_key"]):
                return self._to_incident(done.incident)
            try:
                window = maintenance.schedule(
                    name=data["name"], body=data["body"], components=data["components"],
                    starts_at=data["starts_at"], ends_at=data["ends_at"], notify=data["notify"],
                    remind_at=form.remind_at, author=request.user, request_key=data["request_key"],
                )  # fmt: skip
            except IntegrityError:
                if not (done := self._posted_before(request, data["request_key"])):
                    raise
                return self._to_incident(done.incident)
            self.log_addition(request, window, f"Scheduled maintenance {_window(window)}.")
            messages.success(request, f"Maintenance scheduled. {_told(window, data['notify'])}")
            return self._to_incident(window)
        return self._render(request, "maintenance.html", "Schedule maintenance", None, form)

    # --- review of automatic incidents, deliveries -------------------------------------------------
    def approve_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        incident = self._incident_to_change(request, object_id)
        self.approve(request, Incident.objects.filter(pk=incident.pk))
        return HttpResponseRedirect(reverse("admin:incidents_incident_changelist"))

    def discard_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        incident = self._incident_to_change(request, object_id)
        self.discard(request, Incident.objects.filter(pk=incident.pk))
        return HttpResponseRedirect(reverse("admin:incidents_incident_changelist"))

    def retry_view(self, request: HttpRequest, object_id: int, update_id: int) -> HttpResponse:
        """Send an update's dead deliveries again, through the deliveries admin's own retry action."""
        incident = self._incident_to_change(request, object_id)
        deliveries = self.admin_site.get_model_admin(Delivery)
        if not deliveries.has_change_permission(request):
            raise PermissionDenied
        dead = Delivery.objects.filter(
            update__incident=incident, update_id=update_id, state=Delivery.State.DEAD
        )
        count = dead.count()
        deliveries.retry(request, dead)
        self.log_change(request, incident, f"Retried {count} dead deliveries of update {update_id}.")
        return self._to_incident(incident)

    # --- helpers -----------------------------------------------------------------------------------
    def _incident_to_change(self, request: HttpRequest, object_id: int) -> Incident:
        if not self.has_change_permission(request):
            raise PermissionDenied  # before the lookup: no telling which ids exist
        incident = get_object_or_404(Incident, pk=object_id)
        if not self.has_change_permission(request, incident):
            raise PermissionDenied
        return incident

    def _posted_before(self, request: HttpRequest, key: str) -> IncidentUpdate | None:
        """The update this form's one-time key already posted, if any (said so to the operator)."""
        done = IncidentUpdate.objects.filter(request_key=key).select_related("incident").first()
        if done is not None:
            messages.warning(request, ALREADY_POSTED)
        return done

    def _preview(self, incident: Incident, form: admin_forms.UpdateFields) -> dict[str, Any]:
        data = form.cleaned_data
        concerned = incident.components.all() if incident.pk else []
        return preview.build(incident, status=data["status"], body=data["body"], notify=data["notify"],
                             component_statuses=form.component_statuses(), concerned=concerned)  # fmt: skip

    def _compose(self, request, form, title, incident=None, preview=None) -> HttpResponse:
        templates = {t.pk: {"body": t.body, "status": t.status} for t in UpdateTemplate.objects.all()}
        return self._render(
            request, "compose.html", title, incident, form, preview=preview, templates=templates
        )

    def _render(self, request, template: str, title: str, incident, form, **extra) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "incident": incident,
            "form": form,
            "media": self.media + form.media,
            **extra,
        }
        return TemplateResponse(request, f"admin/incidents/{template}", context)

    def _to_incident(self, incident: Incident) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[incident.pk]))


def _said(data: dict) -> str:
    notified = "subscribers notified" if data.get("notify") else "no notification"
    return f"{IncidentStatus(data['status']).label}, {notified}."


def _told(incident: Incident, notify: bool) -> str:
    if not incident.published:
        return "Held for approval: nothing is shown or sent until it is approved."
    return "Subscribers will be notified." if notify else "Subscribers were not notified."


def _when(update: IncidentUpdate) -> str:
    return f"{update.display_at:%d %b %Y, %H:%M} UTC"


def _window(window: Incident) -> str:
    return f"{window.scheduled_for:%d %b %Y %H:%M} to {window.scheduled_until:%d %b %Y %H:%M} UTC"
