"""Streamlit's English messages for a number typed outside its field's bounds are rewritten in the
page's language (sim.dashboard.common.RANGE_MESSAGES, applied in the browser by the page script;
tests/e2e/test_french_widgets_e2e.py shows it on a real page). These tests hold the patterns to the
messages the installed Streamlit writes, so that an upgrade that rewords them fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit

from sim.dashboard.common import RANGE_MESSAGES, a11y_script
from sim.i18n import t

#: the installed Streamlit's number field, where its messages are written
BUNDLE = "".join(
    p.read_text(encoding="utf-8", errors="replace")
    for p in (Path(streamlit.__file__).parent / "static" / "static" / "js").glob("NumberInput*.js")
)


def test_streamlit_still_writes_the_messages_the_patterns_read() -> None:
    assert BUNDLE, "Streamlit's NumberInput bundle was not found"
    for pattern in RANGE_MESSAGES:
        # the fixed text of each pattern, up to its first bound
        fixed = pattern.removeprefix("^").split("(")[0].removesuffix("$").replace("\\", "")
        assert fixed in BUNDLE, fixed


@pytest.mark.parametrize(("pattern", "key"), list(RANGE_MESSAGES.items()))
def test_each_english_message_is_read_with_its_bounds(pattern: str, key: str) -> None:
    english = t(key, "en").format(lo="0.01", hi="20")
    match = re.match(pattern, english)
    assert match, (pattern, english)
    assert all(g in ("0.01", "20") for g in match.groups())
    french = t(key, "fr")
    assert "allowed range" not in french and french != t(key, "en")


def test_the_page_script_carries_the_french_messages_and_the_decimal_comma() -> None:
    fr, en = a11y_script("fr"), a11y_script("en")
    assert "Entrez une valeur entre {lo} et {hi}." in fr and '"decimal": ","' in fr
    assert '"decimal": "."' in en
