"""Markdown of incident updates and postmortems rendered to HTML that is safe on any page or email.

markdown-it-py parses (CommonMark, raw HTML off: it is shown as text, and javascript:, vbscript: and
data: links are refused); nh3, the maintained binding of the Rust sanitiser ammonia, then keeps only
an allowlist of tags, attributes and URL schemes, so a parser bug or option change cannot let script
through.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Images are parsed as plain links: no tracking pixels or mixed content in pages and emails. A single
# newline is a line break, as operators typing in a hurry expect.
_PARSER = (
    MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False, "typographer": False})
    .enable(["table", "strikethrough"])
    .disable("image")
)

# What an update needs: text structure, emphasis, links, code, tables. No images, forms or styling.
_TAGS = {
    "p", "br", "hr", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}},
    filter_style_properties={"text-align"},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
# A heading in an update sits under the page's own h1 and h2: shift "# x" to h3 and so on.
_HEADING_SHIFT = 2


def render(text: str) -> SafeString:
    """The sanitised HTML of `text` (Markdown); safe to insert into any page or HTML email."""
    tokens = _PARSER.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + _HEADING_SHIFT)}"
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    return mark_safe(_CLEANER.clean(html))  # noqa: S308 - sanitised by nh3 on the line itself
