"""A status page's RSS or Atom feed read as a claim: its newest incident, open or resolved."""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

MAX_ITEMS = 100
_ATOM = "{http://www.w3.org/2005/Atom}"
# Statuspage-style updates put the newest status first ("<strong>Resolved</strong> - ..."); these
# words end an incident. Feeds without status words (OnlineOrNot's, per the reference) say nothing.
_STATUS_WORD = re.compile(
    r"\b(Investigating|Identified|Monitoring|Update|Resolved|Completed|Postmortem)\b", re.I
)
_CLOSED = {"resolved", "completed", "postmortem"}


def read_feed_claim(body: bytes) -> dict[str, Any]:
    """{"indicator", "description", "components": {}, "incidents": [...], "maintenances": []}: "minor"
    while the newest item's newest status word is an open one, "none" otherwise. ValueError when the
    body is not RSS or Atom, or declares entities (never expanded: defusedxml)."""
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise ValueError(f"not a plain XML document: {exc!r}") from None
    items = [_rss(i) for i in root.iter("item")] or [_atom(e) for e in root.iter(f"{_ATOM}entry")]
    if root.tag not in ("rss", f"{_ATOM}feed") and not items:
        raise ValueError(f"not an RSS or Atom feed (root {root.tag!r})")
    incidents = items[:MAX_ITEMS]
    newest = incidents[0] if incidents else None
    open_now = newest is not None and newest["status"] not in _CLOSED and newest["status"] != ""
    return {
        "indicator": "minor" if open_now else "none",
        "description": newest["name"] if open_now else "No open incident in the feed",
        "components": {},
        "incidents": incidents,
        "maintenances": [],
    }


def _status(text: str) -> str:
    found = _STATUS_WORD.search(re.sub(r"<[^>]+>", " ", text or ""))
    return found.group(1).lower() if found else ""


def _rss(item: Element) -> dict[str, Any]:
    return {
        "id": item.findtext("guid") or item.findtext("link"),
        "name": (item.findtext("title") or "").strip(),
        "status": _status(item.findtext("description") or ""),
        "impact": None,
        "created_at": item.findtext("pubDate"),
    }


def _atom(entry: Element) -> dict[str, Any]:
    return {
        "id": entry.findtext(f"{_ATOM}id"),
        "name": (entry.findtext(f"{_ATOM}title") or "").strip(),
        "status": _status(entry.findtext(f"{_ATOM}content") or entry.findtext(f"{_ATOM}summary") or ""),
        "impact": None,
        "created_at": entry.findtext(f"{_ATOM}updated"),
    }
