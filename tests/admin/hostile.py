"""Hostile Markdown and a checker that finds anything of it a browser would run."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Every payload carries "pwned", so the page's own scripts are told apart from injected ones.
PAYLOADS = [
    "<script>alert('pwned-1')</script>",
    "<img src=x onerror=\"alert('pwned-2')\">",
    "[click](javascript:alert('pwned-3'))",
    "[click](JaVaScRiPt:alert('pwned-4'))",
    "[click](&#106;avascript:alert('pwned-5'))",
    "[click](java&#x09;script:alert('pwned-6'))",
    "<a href=\"javascript:alert('pwned-7')\">x</a>",
    "<svg onload=alert('pwned-8')>",
    "[data](data:text/html,<script>alert('pwned-9')</script>)",
    "<iframe src=\"javascript:alert('pwned-10')\"></iframe>",
    "![img](javascript:alert('pwned-11'))",
    "<https://x.test/\" onmouseover=\"alert('pwned-12')>",
    "[t](https://x.test \"title\" onclick=alert('pwned-13'))",
    "<details open ontoggle=alert('pwned-14')>",
    "[vb](vbscript:msgbox('pwned-15'))",
    "<style>*{background:url(javascript:alert('pwned-16'))}</style>",
    "[ref]\n\n[ref]: javascript:alert('pwned-17')",
    "<form action=\"javascript:alert('pwned-18')\"><button>go</button></form>",
]
HOSTILE = "Markdown test.\n\n" + "\n\n".join(PAYLOADS)

_DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "form", "base", "meta", "link",
                   "style", "img", "frame", "frameset", "details"}  # fmt: skip
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "background", "poster"}
_CONTROL = re.compile(r"[\x00-\x20]")


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag in ("script", "style")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and "pwned" in value:
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in _URL_ATTRS and _CONTROL.sub("", value).lower().startswith(
                ("javascript:", "vbscript:", "data:")
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "srcdoc":  # a document of its own: check it too
                self.found += [f"in srcdoc: {f}" for f in hostile(value)]
        if tag in _DANGEROUS_TAGS and any("pwned" in (v or "") for n, v in attrs if n != "srcdoc"):
            self.found.append(f"<{tag}> carrying a payload")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "pwned" in data:
            self.found.append(f"script or style running {data.strip()!r}")


def hostile(html: str) -> list[str]:
    """What of the payloads a browser would execute in `html`: empty when all of it is harmless."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found
