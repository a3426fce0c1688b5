"""Translations: both catalogues complete and in step; French number formatting."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from sim import i18n
from sim.i18n import MissingTranslation, fmt_eur, fmt_number, fmt_pct, t

ROOT = Path(__file__).resolve().parent.parent
NNBSP = "\u202f"  # narrow no-break space (thousands, French)
NBSP = "\u00a0"  # no-break space (before a unit, French)

# t("key" ...) or t('key' ...) with a literal key; f-strings and variables are not matched
T_CALL = re.compile(r"""(?<![\w.])t\(\s*(["'])([A-Za-z0-9_.\-]+)\1""")


# `from sim.i18n import …, t, …` (one line or parenthesised); files with another `t` (e.g. the
# workshop's own string table) are not about these catalogues
IMPORTS_T = re.compile(r"from\s+sim\.i18n\s+import\s+(\([^)]*\)|[^\n]*)")


def _uses_catalogues(text: str) -> bool:
    return any(re.search(r"\bt\b", m.group(1)) for m in IMPORTS_T.finditer(text))


def _ui_sources() -> list[Path]:
    files = [ROOT / "app.py", *sorted((ROOT / "sim" / "show").rglob("*.py"))]
    files += sorted((ROOT / "sim" / "dashboard").rglob("*.py"))
    return [f for f in files if f.is_file() and _uses_catalogues(f.read_text(encoding="utf-8"))]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogues_have_the_same_keys() -> None:
    fr, en = i18n.catalogue("fr"), i18n.catalogue("en")
    assert sorted(set(fr) - set(en)) == []
    assert sorted(set(en) - set(fr)) == []


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_no_empty_message(lang: str) -> None:
    empty = [k for k, v in i18n.catalogue(lang).items() if not v.strip()]
    assert empty == []


def test_format_fields_match_between_languages() -> None:
    fr, en = i18n.catalogue("fr"), i18n.catalogue("en")
    differ = {k: (_fields(fr[k]), _fields(en[k])) for k in fr if _fields(fr[k]) != _fields(en[k])}
    assert differ == {}


def test_every_key_used_in_the_ui_exists_in_both_catalogues() -> None:
    used: dict[str, str] = {}
    for path in _ui_sources():
        for match in T_CALL.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(match.group(2), str(path.relative_to(ROOT)))
    assert used, "the scan found no t('…') call: is the regex still right?"
    for lang in i18n.LANGS:
        missing = {k: where for k, where in used.items() if not i18n.has_key(k, lang)}
        assert missing == {}, f"keys missing from {lang}.json"


def test_the_scan_reads_the_files_that_use_the_catalogues() -> None:
    assert _uses_catalogues("from sim.i18n import fmt_pct, t\n")
    assert _uses_catalogues("from sim.i18n import (\n    LANGS,\n    t,\n)\n")
    assert not _uses_catalogues("from sim.i18n import fmt_pct\nfrom sim.workshop.strings import t\n")
    names = {p.name for p in _ui_sources()}
    assert {"app.py", "plots.py", "sources.py", "common.py"} <= names


def test_the_scan_finds_calls_it_should() -> None:
    code = 't("a.b")\nx = t( \'c_d.e\', lang, n=1)\nfmt(t2("no"))\nself.t("no.method")'
    assert [m.group(2) for m in T_CALL.finditer(code)] == ["a.b", "c_d.e"]


def test_french_is_the_default_and_fields_are_filled() -> None:
    assert t("nav.sources") == "Hypothèses et sources"
    assert t("nav.sources", "en") == "Assumptions and sources"
    assert t("plot.decile_n", "fr", n=3) == "Décile 3"
    assert t("plot.decile_n", "EN", n=3) == "Decile 3"  # codes are case-insensitive


def test_unknown_language_falls_back_to_french() -> None:
    assert t("nav.sources", "de") == "Hypothèses et sources"


def test_missing_key_raises_under_tests() -> None:
    with pytest.raises(MissingTranslation):
        t("no.such.key", "fr")


def test_missing_format_field_raises_under_tests() -> None:
    with pytest.raises(MissingTranslation):
        t("plot.decile_n", "fr", wrong=1)


def test_missing_key_falls_back_in_a_live_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.delenv("REGIE_SIM_STRICT_I18N", raising=False)
    assert t("no.such.key", "en") == "no.such.key"


def test_french_utility_vocabulary_is_there() -> None:
    fr = " ".join(i18n.catalogue("fr").values())
    for word in (
        "régie",
        "délégation de service public",
        "part fixe",
        "tranches",
        "tarification sociale",
        "rendement",
        "impayés",
    ):
        assert word in fr, word


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (1234.5, 1, f"1{NNBSP}234,5"),
        (1234567.891, 2, f"1{NNBSP}234{NNBSP}567,89"),
        (999, 0, "999"),
        (0.5, 2, "0,50"),
        (-1234.5, 0, f"-1{NNBSP}234"),  # round half to even: 1234.5 -> 1234
        (-0.001, 2, "0,00"),  # no "-0,00"
        (12, 0, "12"),
    ],
)
def test_fmt_number_french(x: float, decimals: int, expected: str) -> None:
    assert fmt_number(x, "fr", decimals) == expected


def test_fmt_number_english() -> None:
    assert fmt_number(1234567.891, "en", 2) == "1,234,567.89"


def test_fmt_eur() -> None:
    assert fmt_eur(1234.5, "fr", 1) == f"1{NNBSP}234,5{NBSP}€"
    assert fmt_eur(1234.5, "en", 1) == "€1,234.5"
    assert fmt_eur(-1234.5, "en", 1) == "-€1,234.5"
    assert fmt_eur(412.374, "fr") == f"412,37{NBSP}€"


def test_fmt_pct() -> None:
    assert fmt_pct(12.25, "fr", 1) == f"12,2{NBSP}%"
    assert fmt_pct(12.5, "en", 1) == "12.5%"


@pytest.mark.parametrize("bad", [None, float("nan"), "abc"])
def test_missing_numbers_show_a_dash(bad: object) -> None:
    assert fmt_number(bad, "fr") == "—"  # type: ignore[arg-type]
    assert fmt_eur(bad, "en") == "—"  # type: ignore[arg-type]
