"""views/common.py: how text from the records is written into the pages' Markdown."""

from __future__ import annotations

import unicodedata

from views.common import BIDI_CONTROLS, md


def test_md_shows_bidi_overrides_and_control_characters_as_their_codes():
    """A RIGHT-TO-LEFT OVERRIDE in a firm's name showed the rest of the line reversed; an ESC reached
    the page raw."""
    assert md("Alpha \u202eBuild\x1b[31m Ltd") == "Alpha \\[U+202E\\]Build\\[U+001B\\]\\[31m Ltd"
    assert md("\u2066x\u2069\x00\x7f\x9b") == "\\[U+2066\\]x\\[U+2069\\]\\[U+0000\\]\\[U+007F\\]\\[U+009B\\]"
    every = "".join(map(chr, range(0x10000)))
    shown = md(every)
    assert not [c for c in shown if unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS]
    # near-misses: letters of every script, right-to-left ones among them, and whitespace as before
    for name in ("شركة البناء المتحدة", "חברת הבנייה", "兰州建筑有限公司", "Müller GmbH", "राजेश कंस्ट्रक्शन"):
        assert md(name) == name
    assert md("Alpha\tBuild\nLtd\r\n\x1c") == "Alpha Build Ltd"
