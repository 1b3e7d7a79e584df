"""Run a fake provider fleet as a real subprocess for tests and benchmarks, and steer its faults."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from monitors.fakeprovider.fleet import demo_fleet
from monitors.fakeprovider.provider import DEFAULT_API_KEY, ProviderSpec

_ROOT = Path(__file__).resolve().parents[1]
_CONTROL_LINE = re.compile(r"^fakeprovider control listening on (\S+)$")


class Control:
    """A synchronous client for the control API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=5.0)

    def set(self, provider: str, **behaviour: Any) -> dict[str, Any]:
        """Replace the provider's behaviour: fault, error_rate, latency_ms, ttft_ms, itl_ms, tokens,
        upstream_status, seed. Fields not given return to their defaults."""
        return self._call("PUT", f"/providers/{provider}", json=behaviour)

    def update(self, provider: str, **behaviour: Any) -> dict[str, Any]:
        """Change only the fields given."""
        return self._call("PATCH", f"/providers/{provider}", json=behaviour)

    def heal(self, provider: str) -> dict[str, Any]:
        return self._call("DELETE", f"/providers/{provider}/fault")

    def reset(self) -> dict[str, Any]:
        return self._call("POST", "/reset")

    def get(self, provider: str) -> dict[str, Any]:
        return self._call("GET", f"/providers/{provider}")

    def providers(self) -> dict[str, Any]:
        return self._call("GET", "/providers")

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self._http.request(method, path, **kwargs)
        if response.is_error:
            raise ValueError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()


class FakeFleet:
    """The fleet in a subprocess on free ports; stops it on exit, and it dies with us if we crash.

    with FakeFleet() as fleet:  # the demo fleet
        client = openai.OpenAI(base_url=fleet.api_base("openai-sim"), api_key=fleet.api_key)
        fleet.control.set("openai-sim", fault="overloaded", error_rate=0.3, seed=1)
        fleet.control.heal("openai-sim")
    """

    def __init__(
        self,
        providers: Iterable[ProviderSpec] | None = None,
        *,
        api_key: str = DEFAULT_API_KEY,
        seed: int | None = None,
        beat_s: float = 1.0,
        host: str = "127.0.0.1",
        extra_args: Iterable[str] = (),
        startup_timeout_s: float = 15.0,
    ) -> None:
        specs = list(providers) if providers is not None else demo_fleet()
        self.api_key = api_key
        self.beat_s = beat_s
        self._specs = ",".join(
            f"{s.name}:{s.kind}:0{'' if s.api_key == DEFAULT_API_KEY else ':' + s.api_key}" for s in specs
        )
        self._args = [
            "--beat-s",
            str(beat_s),
            "--host",
            host,
            "--api-key",
            api_key,
            *(["--seed", str(seed)] if seed is not None else []),
            *extra_args,
        ]
        self._startup_timeout_s = startup_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._providers: dict[str, dict[str, Any]] = {}
        self.control: Control
        self.returncode: int | None = None  # set by stop()

    def start(self) -> FakeFleet:
        command = [
            sys.executable,
            "-m",
            "monitors.fakeprovider",
            "--providers",
            self._specs,
            "--control-port",
            "0",
        ]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")])),
        }
        self._process = subprocess.Popen(
            [*command, *self._args, "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,  # unbuffered, so select() on the pipe sees every line not yet read
            env=env,
            cwd=_ROOT,
        )
        try:
            control_url = self._read_startup()
        except BaseException:
            self.stop()
            raise
        self.control = Control(control_url)
        self._providers = self.control.providers()
        return self

    def stop(self) -> int | None:
        """Terminate the fleet (SIGTERM, then SIGKILL after 5 s); returns its exit code."""
        process, self._process = self._process, None
        if process is None:
            return self.returncode
        if hasattr(self, "control"):
            self.control.close()
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        self.returncode = process.returncode
        return self.returncode

    def url(self, provider: str) -> str:
        """The provider's origin, e.g. http://127.0.0.1:41234 (health and status pages live here)."""
        return self._providers[provider]["url"]

    def api_base(self, provider: str) -> str:
        """The base URL its official SDK expects: .../v1 for OpenAI-compatible, .../v1beta for Gemini."""
        return self._providers[provider]["api_base"]

    def kind(self, provider: str) -> str:
        return self._providers[provider]["kind"]

    def __enter__(self) -> FakeFleet:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _read_startup(self) -> str:
        """Wait for the control line: it comes last, once every provider listens."""
        assert self._process is not None and self._process.stdout is not None
        deadline = time.monotonic() + self._startup_timeout_s
        while True:
            ready, _, _ = select.select([self._process.stdout], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                raise TimeoutError(f"fake provider fleet not listening after {self._startup_timeout_s} s")
            line = self._process.stdout.readline().decode()
            if not line:
                raise RuntimeError(f"fake provider fleet exited with {self._process.wait()} (see its stderr)")
            match = _CONTROL_LINE.match(line.strip())
            if match is not None:
                return match.group(1)
