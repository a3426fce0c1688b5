"""The side-by-side table of regimes names and measures its rows from the one indicator table.

Each row of :data:`sim.experiments.compare.HEADLINES` reads an indicator of
:mod:`sim.measure.indicators`; its label is the table's label, then the year or period, then the
table's unit, so the comparison, the CLI and the dashboard cannot drift from the table.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import sim.measure.indicators as table
from sim import simulate
from sim.dashboard import compare as page
from sim.dashboard import share
from sim.experiments.compare import BY_KEY, HEADLINES, INDICATORS, Comparison, differences, headline
from sim.i18n import t
from sim.measure.indicators import INDICATORS as MEASURED
from sim.measure.indicators import UNIT_KEYS, available
from sim.measure.indicators import indicator as measured
from sim.scenario.model import REGIMES_SHOWN, load_scenario, scenarios_dir

LANGS = ("fr", "en")


@pytest.mark.parametrize("lang", LANGS)
def test_every_headline_label_is_the_indicator_tables_label_then_when_then_unit(lang: str) -> None:
    for h in HEADLINES:
        ind = measured(h.indicator)  # an unknown name would raise here
        label = INDICATORS[h.key][0 if lang == "fr" else 1]
        assert label == page.indicator_label(h.key, lang) == h.label(lang)
        assert label.startswith(ind.label(lang) + ", "), (label, ind.label(lang))
        rest = label.removeprefix(ind.label(lang) + ", ")
        when = t(f"compare.when.{h.when}", lang)
        if h.decile is not None:
            when = f"{t('compare.when.decile', lang, n=h.decile)}, {when}"
        unit = ind.unit_label(lang)
        assert rest in (f"{when} ({unit})", when if unit == ind.label(lang) else None), rest


def test_labels_follow_the_indicator_table_when_it_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is copied: a label changed in the table is the label of the row."""
    old = table.BY_NAME["debt_eur"]
    changed = dataclasses.replace(old, label_fr="Endettement", unit="m3")
    monkeypatch.setitem(table.BY_NAME, "debt_eur", changed)
    assert BY_KEY["debt_eur_last"].label("fr") == "Endettement, dernière année (m³)"


def test_french_and_english_labels_differ_and_name_a_unit() -> None:
    for fr, en in INDICATORS.values():
        assert fr != en
    assert INDICATORS["price_120m3_last"] == (
        "Prix du m3 (120 m3) TTC, dernière année (€/m³)",
        "Price per m3 (120 m3) incl. VAT, last year (€/m³)",
    )
    assert INDICATORS["fte_last"] == ("ETP, dernière année", "FTE, last year")  # the unit is the name


def test_every_unit_and_table_of_the_indicator_table_is_known() -> None:
    for ind in MEASURED:
        assert ind.unit in UNIT_KEYS, ind.name
        for lang in LANGS:
            assert ind.unit_label(lang)
    assert {i.table for i in MEASURED} == {"years", "deciles", "decisions"}


def test_the_headline_columns_are_exactly_the_headlines_and_yearly_ones_are_in_years() -> None:
    s = load_scenario(scenarios_dir() / "town.yaml")
    s = s.model_copy(update={"horizon_years": 2})
    res = simulate(s)
    assert list(headline(res)) == [h.key for h in HEADLINES]
    yearly = {i.name for i in available(res.years)}
    for h in HEADLINES:
        ind = measured(h.indicator)
        if ind.table == "years":
            assert h.indicator in yearly
        assert (h.decile is not None) == (ind.table == "deciles")
    # the decile rows read that decile's mean bill in the last year
    d = res.deciles
    last = d[d["year"] == d["year"].max()].set_index("decile")["mean_bill_eur"]
    row = headline(res)
    assert row["bill_d5_last"] == pytest.approx(last[5])


def _comparison() -> Comparison:
    values = {h.key: [1.0, 2.0, 3.0] for h in HEADLINES}
    frame = pd.DataFrame(values, index=["concession", "regie", "commons"])
    return Comparison(table=frame, results={}, differences=pd.DataFrame())


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_compare_bars_take_their_label_and_unit_from_the_indicator_table(lang: str) -> None:
    cmp = _comparison()
    for key, unit_key in page.BARS:
        assert unit_key == UNIT_KEYS[measured(BY_KEY[key].indicator).unit]
        fig = page.bar_figure(cmp, key, unit_key, lang)
        assert fig.layout.yaxis.title.text == BY_KEY[key].unit(lang)
        # the title is the label, wrapped onto lines that fit a half-width chart
        assert fig.layout.title.text.replace("<br>", " ") == BY_KEY[key].label(lang)


def test_labelled_table_uses_the_same_labels() -> None:
    cmp = _comparison()
    assert list(cmp.labelled("en").index) == [h.label("en") for h in HEADLINES]


def test_what_differs_names_each_value_and_unit_in_the_pages_language() -> None:
    files = {r: share.load_preset(r) for r in REGIMES_SHOWN}
    cmp = Comparison(table=pd.DataFrame(), results={}, differences=differences(files))
    fr = page.differences_table(cmp, "fr").set_index("Clé")
    assert list(fr.columns[:2]) == ["Signification", "Unité"]
    assert fr.loc["finance.operator_margin_pct", "Unité"] == "% des recettes"
    power = fr.loc["governance.committee.power"]
    assert list(power.iloc[2:]) == ["consultatif", "consultatif", "décisionnel"]  # no raw code
    en = page.differences_table(cmp, "en").set_index("Key")
    assert list(en.loc["governance.committee.power"].iloc[2:]) == ["consultative", "consultative", "deciding"]
    assert en.loc["finance.corporate_tax_eur_per_m3", "Unit"] == "€/m3"
