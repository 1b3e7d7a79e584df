"""The subscribe and manage forms: what a subscriber may choose, validated before anything is stored."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from statuspage.components.models import Component
from statuspage.subscriptions import destinations
from statuspage.subscriptions.chat import hosts

SCOPE_CHOICES = [
    ("all", "All components, including ones added later"),
    ("some", "Only the components I tick"),
]


class ComponentChoiceForm(forms.Form):
    scope = forms.ChoiceField(choices=SCOPE_CHOICES, initial="all", widget=forms.RadioSelect)
    components = forms.ModelMultipleChoiceField(
        queryset=Component.objects.select_related("group").order_by(
            "group__position", "group__name", "position"
        ),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "That component does not exist (any more); reload the page."},
    )

    def clean(self):
        data = super().clean()
        if data.get("scope") == "some" and not data.get("components"):
            self.add_error("components", "Tick at least one component, or choose all components.")
        return data

    def chosen_components(self) -> list[Component] | None:
        """The ticked components, or None for all of them."""
        if self.cleaned_data["scope"] == "all":
            return None
        return list(self.cleaned_data["components"])


class SubscribeForm(ComponentChoiceForm):
    email = forms.EmailField(
        max_length=254,
        error_messages={
            "invalid": "Enter one email address, like you@example.com.",
            "max_length": "That is longer than any email address can be (254 characters).",
        },
    )
    webhook_url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        label="Webhook URL (optional)",
        help_text="We POST each update there as JSON, signed; the email address confirms it.",
        error_messages={"max_length": "Webhook URLs are limited to 500 characters."},
    )

    chat_url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        label="Slack, Discord, Teams or Google Chat webhook (optional)",
        help_text="The channel's incoming-webhook link; each update is posted there as a message.",
        error_messages={"max_length": "Incoming-webhook links are limited to 500 characters."},
    )

    field_order = ["email", "webhook_url", "chat_url", "scope", "components"]

    def clean_email(self) -> str:
        local, _, domain = self.cleaned_data["email"].rpartition("@")
        return f"{local}@{domain.lower()}"

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data["webhook_url"]
        if url:
            try:
                destinations.check(url)
            except destinations.RefusedDestination as exc:
                raise ValidationError(f"We cannot send to that URL: {exc}.") from None
        return url

    def clean_chat_url(self) -> str:
        url = self.cleaned_data["chat_url"]
        if url:
            try:
                hosts.app_for(url)
                destinations.check(url)
            except destinations.RefusedDestination as exc:
                raise ValidationError(f"We cannot post to that link: {exc}.") from None
        return url

    def clean(self):
        data = super().clean()
        if data.get("webhook_url") and data.get("chat_url"):
            self.add_error(
                "chat_url", "Give a webhook URL or a chat link, not both: subscribe twice for both."
            )
        return data

    def destination(self) -> dict[str, str]:
        """Where updates go besides email: request_subscription's webhook_url and chat_app."""
        if self.cleaned_data.get("chat_url"):
            url = self.cleaned_data["chat_url"]
            return {"webhook_url": url, "chat_app": hosts.app_for(url)}
        return {"webhook_url": self.cleaned_data["webhook_url"]}
