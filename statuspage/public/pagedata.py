"""What the HTML page shows: the current state joined with history, in display order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from monitors.models import Monitor, MonitorStatus
from monitors.state import is_stale
from statuspage.components.models import Component, ComponentGroup, ComponentStatus, worst
from statuspage.public import charts, past, upstream
from statuspage.public import glance as public_glance
from statuspage.public.upstream import Claim
from statuspage.readmodel import glance as readmodel_glance
from statuspage.readmodel import history, v2
from statuspage.readmodel.current import Current
from statuspage.readmodel.glance import Glance
from statuspage.readmodel.history import Day


@dataclass(frozen=True)
class Row:
    component: Component
    days: list[Day]
    uptime: dict[int, float | None]  # window in days -> uptime fraction
    bar: str  # server-rendered uptime cells
    glance: str  # current figure, 24-hour sparkline and error mix, server-rendered
    upstream: list[tuple[Claim, str]]  # each provider's own claim, and its status for this name if listed
    regional: list[str]  # regions failing while the quorum of regions does not, e.g. "failing in eu"
    # When its monitors last reported, if every one has gone silent since: the status shown is held,
    # not confirmed (workers dead, a queue stuck).
    silent_since: datetime | None

    @property
    def watched_since(self) -> date | None:
        """The first day with data, when that is within the bars: the uptime figures cover only that."""
        first = next((d.date for d in self.days if d.uptime is not None), None)
        return first if first is not None and first > self.days[0].date else None

    @property
    def watched_days(self) -> int:
        return sum(1 for d in self.days if d.uptime is not None)


@dataclass(frozen=True)
class Section:
    group: ComponentGroup | None  # None: one ungrouped component
    status: str
    rows: list[Row]
    open: bool


@dataclass(frozen=True)
class PageData:
    current: Current
    status: dict[str, str]
    sections: list[Section]
    past: list[past.Day]  # the last 15 days, today first, quiet days included
    delayed_since: datetime | None = None  # our own monitoring is late (components/watchdog.py)


def collect(current: Current, delayed_since: datetime | None = None) -> PageData:
    now = current.now
    visible = [c for c in current.components if _visible(c)]
    cells = history.day_cells(visible, now)
    glances = readmodel_glance.glances(visible, now)
    providers = _providers(visible)
    found = upstream.claims(set().union(*providers.values()), now)
    rows = {
        c.pk: _row(c, cells[c.pk], glances[c.pk], [found[p] for p in providers[c.pk] if p in found], now)
        for c in visible
    }
    return PageData(
        current=current,
        status=v2.status(current.components, bool(current.active), delayed_since),
        sections=_sections(current, rows),
        delayed_since=delayed_since,
        past=past.days(now),
    )


def _providers(components: list[Component]) -> dict[int, set[int]]:
    links = Component.monitors.through.objects.filter(component__in=components)
    found: dict[int, set[int]] = {c.pk: set() for c in components}
    for component_id, provider_id in links.values_list("component_id", "monitor__provider_id"):
        found[component_id].add(provider_id)
    return found


def _row(component: Component, days: list[Day], glance: Glance, claims: list[Claim], now: datetime) -> Row:
    return Row(
        component=component,
        days=days,
        uptime={n: history.uptime(days[-n:]) for n in (90, 30, 7)},
        bar=charts.uptime_bar(days, component.public_id, component.name),
        glance=public_glance.render(component.public_id, component.status, glance),
        upstream=[(claim, claim.about(component.name)) for claim in claims],
        regional=component.regional_notes(),
        silent_since=silent_since(component.monitors.all(), now),
    )


def silent_since(monitors: Iterable[Monitor], now: datetime) -> datetime | None:
    """When the monitors last reported, if every active one has been silent long enough to be stale.

    Read from the results' times rather than the monitors' status, so the page says so even when
    nothing is left running to mark them unknown. Monitors that never reported (just added) are no
    sign of trouble on their own: with no result at all there is no "since", and no note.
    """
    active = [m for m in monitors if m.enabled and m.status != MonitorStatus.PAUSED]
    if not active or not all(is_stale(m.last_probe_at, m.interval, now, m.thresholds()) for m in active):
        return None
    return max((m.last_probe_at for m in active if m.last_probe_at is not None), default=None)


def _sections(current: Current, rows: dict[int, Row]) -> list[Section]:
    """Groups and ungrouped components in one order by position, as the v2 list has them."""
    by_group: dict[int, list[Row]] = {}
    top: list[tuple[int, str, Section]] = []
    for component in current.components:
        row = rows.get(component.pk)
        if row is None:
            continue
        if component.group_id is None:
            section = Section(None, component.status, [row], True)
            top.append((component.position, component.name, section))
        else:
            by_group.setdefault(component.group_id, []).append(row)
    for group in current.groups:
        kids = by_group.get(group.pk)
        if kids:
            status = worst(r.component.status for r in kids)
            # A collapsed group opens for anything a reader should see, silence included.
            is_open = (
                not group.collapsed
                or status != ComponentStatus.OPERATIONAL
                or any(r.silent_since for r in kids)
            )
            top.append((group.position, group.name, Section(group, status, kids, is_open)))
    return [section for _, _, section in sorted(top, key=lambda t: (t[0], t[1]))]


def _visible(component: Component) -> bool:
    return not (component.only_show_if_degraded and component.status == ComponentStatus.OPERATIONAL)
