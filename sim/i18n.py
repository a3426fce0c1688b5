"""Translations and number formatting for everything users read (dashboard, figures).

Messages live in ``sim/locales/{fr,en}.json`` as flat ``key -> text`` catalogues with
``str.format`` fields (``"{n} ménages"``). French is the default language: the tool is written
for French citizen committees, unions and educators.

A key missing from a catalogue is a bug. Under pytest (or with ``REGIE_SIM_STRICT_I18N=1``) it
raises :class:`MissingTranslation`; in a live session it falls back to French, then to the key
itself, and logs a warning, so a workshop never stops on a missing label.

Numbers follow the language's conventions: ``1 234,5 €`` in French (narrow no-break space
U+202F between thousands, decimal comma, no-break space U+00A0 before a unit), ``€1,234.5`` in
English.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_LANG = "fr"
LANGS: tuple[str, ...] = ("fr", "en")
LANG_NAMES: dict[str, str] = {"fr": "Français", "en": "English"}

THOUSANDS_FR = "\u202f"  # narrow no-break space, French thousands separator
UNIT_SPACE_FR = "\u00a0"  # no-break space before € and % in French
MISSING = "—"  # shown for a missing or undefined number

_LOCALE_DIR = Path(__file__).resolve().parent / "locales"
_log = logging.getLogger(__name__)


class MissingTranslation(KeyError):
    """A message key (or one of its format fields) is absent from a catalogue."""


def _strict() -> bool:
    # PYTEST_CURRENT_TEST is set by pytest while a test (or its fixtures) runs, and inherited by
    # the Streamlit server the browser tests start, so tests fail on a missing key.
    return bool(os.environ.get("REGIE_SIM_STRICT_I18N") or os.environ.get("PYTEST_CURRENT_TEST"))


def normalise_lang(lang: str | None) -> str:
    """``lang`` if it is a supported language code (case-insensitive), else the default."""
    code = (lang or "").strip().lower()[:2]
    return code if code in LANGS else DEFAULT_LANG


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The message catalogue of ``lang`` (``"fr"`` or ``"en"``), read once."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; one of {LANGS}")
    with (_LOCALE_DIR / f"{lang}.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{lang}.json must map keys to strings")
    return data


def has_key(key: str, lang: str = DEFAULT_LANG) -> bool:
    """Whether ``key`` exists in the catalogue of ``lang``."""
    return key in catalogue(normalise_lang(lang))


def t(key: str, lang: str = DEFAULT_LANG, /, **kw: Any) -> str:
    """The message ``key`` in ``lang``, with ``{fields}`` filled from ``kw``.

    Raises
    ------
    MissingTranslation
        Under tests, when ``key`` or a format field is missing. In a live session a missing key
        falls back to French, then to the key itself.
    """
    lang = normalise_lang(lang)
    text = catalogue(lang).get(key)
    if text is None:
        if _strict():
            raise MissingTranslation(f"no message {key!r} in {lang}.json")
        _log.warning("missing message %r in %s.json", key, lang)
        text = catalogue(DEFAULT_LANG).get(key, key)
    if not kw:
        return text
    try:
        return text.format(**kw)
    except (KeyError, IndexError, ValueError) as exc:
        if _strict():
            raise MissingTranslation(f"message {key!r} in {lang}.json: bad field {exc}") from None
        _log.warning("message %r in %s.json: bad field %s", key, lang, exc)
        return text


# ------------------------------------------------------------------------------------------
# numbers
# ------------------------------------------------------------------------------------------
def _is_missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def fmt_number(x: float | int | None, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """``x`` with thousands grouped and ``decimals`` digits, in the language's style.

    >>> fmt_number(1234.5, "fr", 1)
    '1\\u202f234,5'
    >>> fmt_number(1234.5, "en", 1)
    '1,234.5'
    """
    if _is_missing(x):
        return MISSING
    value = float(x)  # type: ignore[arg-type]
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    value = round(value, decimals)
    if value == 0:
        value = 0.0  # no "-0"
    text = f"{value:,.{decimals}f}"
    if normalise_lang(lang) == "fr":
        # swap through a placeholder: "," (thousands) -> narrow space, "." (decimal) -> ","
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", THOUSANDS_FR)
    return text


def fmt_eur(x: float | int | None, lang: str = DEFAULT_LANG, decimals: int = 2) -> str:
    """An amount in euros: ``1 234,50 €`` in French, ``€1,234.50`` in English."""
    if _is_missing(x):
        return MISSING
    if normalise_lang(lang) == "fr":
        return f"{fmt_number(x, 'fr', decimals)}{UNIT_SPACE_FR}€"
    text = fmt_number(x, "en", decimals)
    return f"-€{text[1:]}" if text.startswith("-") else f"€{text}"


def fmt_pct(x: float | int | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A percentage given in percent units (``12.5`` -> ``12,5 %`` in French, ``12.5%``)."""
    if _is_missing(x):
        return MISSING
    sep = UNIT_SPACE_FR if normalise_lang(lang) == "fr" else ""
    return f"{fmt_number(x, lang, decimals)}{sep}%"


def localise_numbers(text: str, lang: str = DEFAULT_LANG) -> str:
    """``text`` with its numbers written the language's way.

    The model writes some values as text in the English style (an option ``"+2.0 %"``, a
    coefficient ``"K=1.0291"``) and its reasons with a plain space before a unit. In French, a
    point between two digits becomes a decimal comma and the space between a number and ``%``
    or ``€`` a no-break space, so a unit never starts a line. Words, dates and keys are left as
    they are; English text is returned unchanged.

    >>> localise_numbers("+2.0 %", "fr")
    '+2,0\xa0%'
    >>> localise_numbers("+2.0 %", "en")
    '+2.0 %'
    """
    if normalise_lang(lang) != "fr":
        return text
    return _UNIT_AFTER.sub("\\1" + UNIT_SPACE_FR, _DECIMAL_POINT.sub(r"\1,\2", text))


_DECIMAL_POINT = re.compile(r"(\d)\.(\d)")
_UNIT_AFTER = re.compile(r"(\d) (?=[%€])")
