"""Putting user text into Textual markup."""

from __future__ import annotations


def escape(text: str) -> str:
    """``text`` shown as it is: every "[" written as "\\[", so none starts a style tag (Rich's and
    Textual's own escapes leave a lone "[" alone, which can still pair with a later tag)."""
    return text.replace("[", r"\[")
