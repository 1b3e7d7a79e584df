"""Markdown renders formatting, and anything executable comes out harmless."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statuspage.incidents.markdown import render
from tests.admin.hostile import PAYLOADS, hostile

ALLOWED = {"p", "br", "hr", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre", "blockquote",
           "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td"}  # fmt: skip


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_payload_renders_harmless(payload):
    html = render(payload)
    assert hostile(html) == [], html


def test_the_checker_itself_catches_script(  # a checker that finds nothing proves nothing
):
    assert hostile("<script>alert('pwned')</script>")
    assert hostile("<a href=' javascript:x'>pwned</a>")
    assert hostile("<img src=x onerror=\"alert('pwned')\">")
    assert hostile("<iframe srcdoc=\"&lt;script&gt;alert('pwned')&lt;/script&gt;\"></iframe>")


def test_formatting_operators_use_comes_through():
    html = render(
        "# Cause\n**Bold**, _it_, `code`, ~~old~~\n- one\n- two\n\n[docs](https://docs.example.com)"
    )
    assert "<h3>Cause</h3>" in html  # under the page's own h1 and h2
    assert "<strong>Bold</strong>" in html and "<em>it</em>" in html and "<code>code</code>" in html
    assert "<del>old</del>" in html or "<s>old</s>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://docs.example.com" rel="noopener noreferrer nofollow">docs</a>' in html


def test_a_single_newline_is_a_line_break():
    assert "first<br" in render("first\nsecond")


def test_a_table_keeps_its_alignment_and_nothing_else():
    html = render("| a | b |\n|:-|-:|\n| 1 | 2 |")
    assert '<th style="text-align:left">a</th>' in html and "<td" in html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[tuple[str, str]] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs |= {(name, value or "") for name, value in attrs}


FRAGMENTS = st.sampled_from(
    ["<", ">", "/", "script", "img", "a", " href=", " onerror=", " on", "javascript:", "data:", "&#106;", '"',
     "'", "[", "](", ")", "![", "\n", "\n\n", "`", "*", "<!--", "-->", "&", "x", " ", "=", "|", "-"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=4)), max_size=40).map("".join))
def test_any_input_yields_only_allowed_tags_attributes_and_schemes(text):
    parser = _Tags()
    parser.feed(render(text))
    assert parser.tags <= ALLOWED
    for name, value in parser.attrs:
        assert name in {"href", "title", "rel", "start", "style"}
        if name == "href":
            assert (
                value.lower().startswith(("http://", "https://", "mailto:")) or ":" not in value.split("/")[0]
            )
        if name == "style":
            assert value.startswith("text-align:")
