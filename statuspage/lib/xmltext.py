"""Characters XML 1.0 cannot carry (C0 controls but tab and newlines, U+FFFE/FFFF): refused or stripped."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def strip_control(text: str) -> str:
    """`text` without the characters that make an XML document not well-formed (one would break a feed)."""
    return _FORBIDDEN.sub("", text)


def refuse_control(value: str) -> None:
    """A form validator: control characters are never what an operator meant to type."""
    if _FORBIDDEN.search(value or ""):
        raise ValidationError("Remove the control characters (invisible characters pasted with the text).")
