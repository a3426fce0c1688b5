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

Decisions say why in the same catalogues: a rule records a :data:`Reason`, a stable code with its
parameters (``reason("cost_recovery_bounded", needed_pct=-6.5, bound_pct=5)``), composed by
``+``; :func:`reason_text` words it in either language from the ``reason.<code>`` messages.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import string
from collections.abc import Mapping
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
    text = _message(key, lang)
    if not kw:
        return text
    return _fill(key, text, lang, kw, str.format)


def _message(key: str, lang: str) -> str:
    text = catalogue(lang).get(key)
    if text is None:
        if _strict():
            raise MissingTranslation(f"no message {key!r} in {lang}.json")
        _log.warning("missing message %r in %s.json", key, lang)
        text = catalogue(DEFAULT_LANG).get(key, key)
    return text


def _fill(key: str, text: str, lang: str, kw: Mapping[str, Any], fmt: Any) -> str:
    try:
        return str(fmt(text, **kw))
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
    return _local_digits(f"{value:,.{decimals}f}", lang)


def _local_digits(text: str, lang: str) -> str:
    """A number written by Python (``1,234.5``), with the language's separators."""
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


# ------------------------------------------------------------------------------------------
# reasons: why a decision was taken, recorded as codes with parameters, worded at the edges
# ------------------------------------------------------------------------------------------
#: a decision's reason: one or more ``(code, parameters)`` parts, in reading order. Its text in
#: each language is the message ``reason.<code>`` of every part, filled with the parameters and
#: joined by ``reason.sep``; a message holding ``{rest}`` takes the parts after it inside itself
#: (``reason.not_admissible``: "not admissible: {rest}").
Reason = tuple[tuple[str, dict[str, Any]], ...]

#: a reason that says nothing (a row with no reason)
NO_REASON: Reason = ()


def reason(code: str, /, **params: Any) -> Reason:
    """A reason of one part: ``code`` (its message is ``reason.<code>``) and its parameters.

    Parameters are numbers (in the unit the message shows: ``_pct`` in percent, ``_eur`` in
    euros), booleans, short codes, or named amounts (a list of ``[name, amount]``, each name worded
    by ``reason.part.<name>``). Compose reasons with ``+``; the parts' parameter names must differ.

    >>> reason_code(reason("supported", colleges=2) + reason("outvoted"))
    'supported+outvoted'
    """
    return ((code, {k: _plain(v) for k, v in params.items()}),)


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (bool, int, float, str)):
        return value.item()  # a numpy scalar
    return value


def reason_code(r: Reason) -> str:
    """The codes of ``r``'s parts joined by ``+`` (``""`` for no reason)."""
    return "+".join(code for code, _ in r)


def reason_params(r: Reason) -> dict[str, Any]:
    """The parameters of all of ``r``'s parts, in one mapping.

    Raises
    ------
    ValueError
        When two parts give one name different values.
    """
    out: dict[str, Any] = {}
    for code, params in r:
        for k, v in params.items():
            if k in out and out[k] != v:
                raise ValueError(f"reason {reason_code(r)!r}: parameter {k!r} given twice ({code})")
            out[k] = v
    return out


def reason_params_json(r: Reason) -> str:
    """``r``'s parameters as compact JSON with sorted keys (the ``reason_params`` column)."""
    return json.dumps(reason_params(r), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def reason_text(code: str, params: Mapping[str, Any] | str | None, lang: str = DEFAULT_LANG) -> str:
    """A reason worded in ``lang``: ``code`` (codes joined by ``+``) filled with ``params`` (a
    mapping, or its JSON as in the ``reason_params`` column). Numbers follow each message's
    format spec (``{needed_pct:+.1f}``) with the language's separators; ``""`` gives ``""``.

    >>> reason_text("cost_recovery_bounded", {"needed_pct": -6.5, "bound_pct": 5}, "fr")
    "vers l'équilibre : -6,5 % nécessaires, borné à ±5 %"

    Raises
    ------
    MissingTranslation
        Under tests, when a code has no message or a message a parameter it is not given.
    """
    if isinstance(params, str):
        params = json.loads(params) if params else {}
    return _word([c for c in code.split("+") if c], dict(params or {}), normalise_lang(lang))


def word_reason(r: Reason, lang: str = DEFAULT_LANG) -> str:
    """:func:`reason_text` of a recorded :data:`Reason`."""
    return reason_text(reason_code(r), reason_params(r), lang)


def _word(codes: list[str], params: dict[str, Any], lang: str) -> str:
    out = []
    fmt = _LocalFormatter(lang)
    for i, code in enumerate(codes):
        key = f"reason.{code}"
        text = _message(key, lang)
        kw = {**params, "rest": _word(codes[i + 1 :], params, lang)} if "{rest}" in text else params
        out.append(_fill(key, text, lang, kw, fmt.format))
        if "{rest}" in text:
            break
    return _message("reason.sep", lang).join(out) if out else ""


class _LocalFormatter(string.Formatter):
    """``str.format`` with numbers in the language's style, yes/no and named amounts worded."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, bool):
            return _message(f"reason.{str(value).lower()}", self.lang)
        if isinstance(value, (int, float)):
            return _local_digits(format(value, format_spec), self.lang)
        if isinstance(value, list):  # named amounts: "staff 202,046, overheads 45,000"
            return ", ".join(
                f"{_message(f'reason.part.{name}', self.lang)} {self.format_field(amount, format_spec)}"
                for name, amount in value
            )
        return str(format(value, format_spec))
