"""A Celery worker standing in one region: bench host names resolve to that region's edge (geo-DNS).

Real providers are reached through regional edges, so "30% errors in one region" is a fault on the
path from that region. Here every region shares one machine, so each worker gets its own resolver:
BENCH_HOSTS maps a host name to {"*": port, "<region>": port}, BENCH_REGION names this worker's region.
Only the bench's own host names (under .bench.test) are mapped; nothing else in the product changes.

    python bench/region_worker.py -A statuspage worker -Q probes.eu ...   (arguments go to celery)
"""

from __future__ import annotations

import json
import os
import socket
import sys

import aiohttp.connector
from aiohttp.abc import AbstractResolver, ResolveResult

HOSTS: dict[str, dict[str, int]] = json.loads(os.environ.get("BENCH_HOSTS", "{}"))
REGION = os.environ.get("BENCH_REGION", "default")


class RegionalResolver(AbstractResolver):
    def __init__(self, *args, **kwargs) -> None:
        pass

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        routes = HOSTS.get(host)
        if routes is None:
            raise OSError(f"bench resolver: unknown host {host!r}")
        return [
            ResolveResult(
                hostname=host, host="127.0.0.1", port=routes.get(REGION, routes["*"]),
                family=socket.AF_INET, proto=0, flags=socket.AI_NUMERICHOST,
            )
        ]  # fmt: skip

    async def close(self) -> None:
        pass


def main() -> None:
    aiohttp.connector.DefaultResolver = RegionalResolver  # what TCPConnector() uses when given none
    from celery.__main__ import main as celery

    sys.argv = ["celery", *sys.argv[1:]]
    celery()


if __name__ == "__main__":
    main()
