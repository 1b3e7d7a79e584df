"""The admin's "Add providers from the catalog" form: pick providers and models, get a configuration."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django import forms

from monitors import catalog
from monitors.catalog.drafts import Choice
from statuspage.config.schema import CatalogUse, Config


@dataclass(frozen=True)
class Row:
    """One catalog entry as the form shows it: its fields, and its key variable's state here."""

    entry: catalog.Entry
    pick: forms.BoundField
    model: forms.BoundField
    values: list[forms.BoundField]

    @property
    def key_set(self) -> bool:
        return bool(os.environ.get(self.entry.key_env))


class CatalogForm(forms.Form):
    interval = forms.IntegerField(
        label="Probe every (seconds)", initial=60, min_value=5, max_value=86_400,
        help_text="Each chat probe spends a few tokens: the preview shows what that costs a month.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for entry in catalog.entries().values():
            self.fields[f"pick_{entry.id}"] = forms.BooleanField(label=entry.name, required=False)
            if entry.template and any("{" in m for m in entry.models):
                self.fields[f"model_{entry.id}"] = forms.CharField(label="Model", required=False)
            else:
                choices = [(m, m) for m in entry.models]
                self.fields[f"model_{entry.id}"] = forms.ChoiceField(
                    label="Model", choices=choices, required=False
                )
            for name in entry.template:
                if name != "model":
                    self.fields[f"value_{entry.id}_{name}"] = forms.CharField(
                        label=name.capitalize(), required=False
                    )
            if entry.self_hosted:
                placeholder = forms.URLInput(attrs={"placeholder": entry.base_url})
                self.fields[f"base_url_{entry.id}"] = forms.URLField(
                    label="Server", required=False, assume_scheme="http", widget=placeholder
                )

    def rows(self) -> list[Row]:
        return [
            Row(
                entry,
                self[f"pick_{entry.id}"],
                self[f"model_{entry.id}"],
                [self[f"value_{entry.id}_{n}"] for n in entry.template if n != "model"]
                + ([self[f"base_url_{entry.id}"]] if entry.self_hosted else []),
            )
            for entry in catalog.entries().values()
        ]

    def clean(self) -> dict:
        data = super().clean()
        picked = []
        for entry in catalog.entries().values():
            if not data.get(f"pick_{entry.id}"):
                continue
            values = {n: data.get(f"value_{entry.id}_{n}", "") for n in entry.template if n != "model"}
            model = data.get(f"model_{entry.id}") or ""
            if "model" in entry.template:
                values["model"] = model
            choice = Choice(
                entry, models=(model,) if model and "model" not in entry.template else (),
                interval_s=data.get("interval") or 60, values=values,
                base_url=data.get(f"base_url_{entry.id}") or "",
            )  # fmt: skip
            try:
                choice.api_root, choice.chosen_models  # noqa: B018 (templates filled, or the error named)
            except catalog.CatalogError as exc:
                self.add_error(f"pick_{entry.id}", str(exc))
                continue
            picked.append(CatalogUse(choice, entry.key_env, entry.name))
        if not picked and not self.errors:
            raise forms.ValidationError("Pick at least one provider.")
        data["config"] = Config(source="", catalog=picked)
        return data
