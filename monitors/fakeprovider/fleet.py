"""Many named providers in one process, each on its own port, plus the control port."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiohttp import web

from monitors.fakeprovider import control
from monitors.fakeprovider.provider import DEFAULT_API_KEY, Provider, ProviderSpec

DEMO_CONTROL_PORT = 9100


def demo_fleet() -> list[ProviderSpec]:
    """The fleet `make run` starts: one provider of each kind, each with its own status page."""
    return [
        ProviderSpec("openai-sim", "openai", 9101),
        ProviderSpec("deepseek-sim", "deepseek", 9102),
        ProviderSpec("anthropic-sim", "anthropic", 9103),
        ProviderSpec("gemini-sim", "gemini", 9104),
    ]


def parse_specs(text: str, api_key: str = DEFAULT_API_KEY) -> list[ProviderSpec]:
    """`name:kind:port[:api_key]`, comma-separated."""
    specs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        fields = item.split(":", 3)
        if len(fields) < 3 or not fields[2].isdigit():
            raise ValueError(f"expected name:kind:port[:api_key], got {item!r}")
        specs.append(
            ProviderSpec(fields[0], fields[1], int(fields[2]), fields[3] if len(fields) > 3 else api_key)
        )
    return _unique(specs)


def load_fleet_file(path: Path, api_key: str = DEFAULT_API_KEY) -> list[ProviderSpec]:
    """A JSON or TOML file: `providers = [{name, kind, port, api_key?}, ...]`."""
    raw = path.read_bytes()
    data: Any = tomllib.loads(raw.decode()) if path.suffix == ".toml" else json.loads(raw)
    entries = data.get("providers") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected a non-empty `providers` list")
    try:
        return _unique(
            ProviderSpec(e["name"], e["kind"], int(e["port"]), e.get("api_key", api_key)) for e in entries
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{path}: each provider needs name, kind and port ({exc})") from None


def _unique(specs: Iterable[ProviderSpec]) -> list[ProviderSpec]:
    specs = list(specs)
    names = [spec.name for spec in specs]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"duplicate provider name(s): {', '.join(sorted(duplicates))}")
    return specs


class Fleet:
    def __init__(
        self,
        specs: list[ProviderSpec],
        host: str,
        control_port: int,
        seed: int | None = None,
        beat_s: float = 1.0,
    ) -> None:
        self.host = host
        self.control_port = control_port
        self.providers = {spec.name: Provider(spec, host, seed, beat_s) for spec in specs}
        self._control: web.AppRunner | None = None

    @property
    def control_url(self) -> str:
        return f"http://{self.host}:{self.control_port}"

    async def start(self) -> None:
        """Providers first, control last: once the control port answers, every provider is listening."""
        for provider in self.providers.values():
            await provider.start()
        self._control = web.AppRunner(control.app(self.providers), access_log=None, shutdown_timeout=0.1)
        await self._control.setup()
        await web.TCPSite(self._control, self.host, self.control_port, reuse_address=True).start()
        self.control_port = self._control.addresses[0][1]

    async def close(self) -> None:
        if self._control is not None:
            await self._control.cleanup()
        for provider in self.providers.values():
            await provider.close()
