"""The self-contained HTML report (sim/report.py): a complete page with the headline figures."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from sim import Result, Scenario, simulate
from sim.dashboard import share
from sim.show.report import (
    FIGURES,
    HEADLINES,
    fmt_change,
    fmt_with_unit,
    headline_rows,
    main_parameters,
    report_html,
)

NNBSP, NBSP = "\u202f", "\u00a0"
WHEN = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def result() -> Result:
    s = share.apply_changes(
        share.load_preset("concession"), {"households.count": 2000, "horizon_years": 5}, "test"
    )
    return simulate(s, seed=3)


class Tags(HTMLParser):
    """Counts opening and closing tags, to check the document is well nested."""

    VOID = {"meta", "br", "img", "link", "input", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_report_is_a_complete_self_contained_document(result: Result) -> None:
    html = report_html(result, "fr", name="concession.yaml", when=WHEN)
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    parser = Tags()
    parser.feed(html)
    assert parser.errors == [] and parser.stack == []
    assert parser.seen[:2] == ["html", "head"] and "body" in parser.seen
    assert '<html lang="fr">' in html and '<meta charset="utf-8">' in html
    assert "<title>regie-sim — concession.yaml</title>" in html
    # plotly.js inlined once, every chart drawn, nothing fetched from the network
    assert html.count("Plotly.newPlot") == len(FIGURES)
    assert len(re.findall(r"plotly\.js v\d", html)) == 1
    outside_scripts = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
    assert not re.search(r"""(src|href)=["']?https?://""", outside_scripts)
    assert not re.search(r"<script[^>]+src=", html)
    assert "@media print" in html


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_report_holds_the_headline_figures_in_french(result: Result) -> None:
    html = report_html(result, "fr", name="concession.yaml", when=WHEN)
    first, last = int(result.years["year"].iloc[0]), int(result.years["year"].iloc[-1])
    assert f"<th>{first}</th><th>{last}</th>" in html
    price = result.years["price_120m3_eur_per_m3"]
    assert f"{price.iloc[0]:.2f}".replace(".", ",") + f"{NBSP}€/m³" in html
    assert f"{price.iloc[-1]:.2f}".replace(".", ",") + f"{NBSP}€/m³" in html
    assert "Prix du m3 (120 m3) TTC" in html  # the indicator table's label
    for row in headline_rows(result, "fr"):
        assert f"<td>{row['label']}</td>" in html.replace("&#x27;", "'")
        assert row["last_text"] in html
    # scenario, seed, date, regime, sources
    assert "graine 3" in html and "22/11/2026" in html and "Ville-sur-Eau" in html
    assert "Délégation de service public (concession)" in html
    assert "Hypothèses et sources" in html and "water.md" in html
    assert "regie-sim run scenario.yaml --seed 3" in html


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_report_in_english(result: Result) -> None:
    html = report_html(result, "en", when=WHEN)
    price = result.years["price_120m3_eur_per_m3"].iloc[-1]
    assert f"{price:.2f} €/m³" in html
    assert '<html lang="en">' in html and "seed 3" in html and "2026-11-22" in html
    assert "Headline figures, first and last year" in html
    assert "<title>regie-sim — Ville-sur-Eau</title>" in html


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_text_from_the_scenario_is_escaped(result: Result) -> None:
    town = result.scenario.town.model_copy(update={"name": "<script>alert(1)</script>"})
    evil = Result(**{**result.__dict__, "scenario": result.scenario.model_copy(update={"town": town})})
    html = report_html(evil, "fr", name="<b>x</b>.yaml", when=WHEN)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<b>x</b>" not in html


def test_headline_rows_are_the_first_and_last_years(result: Result) -> None:
    rows = headline_rows(result, "fr")
    assert [r["column"] for r in rows] == [h.column for h in HEADLINES]
    for r in rows:
        assert r["first"] == pytest.approx(float(result.years[r["column"]].iloc[0]))
        assert r["last"] == pytest.approx(float(result.years[r["column"]].iloc[-1]))


def test_number_formats() -> None:
    assert fmt_with_unit(1234567.4, "debt_eur", 0, "fr") == f"1{NNBSP}234{NNBSP}567{NBSP}€"
    assert fmt_with_unit(1234567.4, "debt_eur", 0, "en") == "1,234,567 €"
    assert fmt_with_unit(12.34, "yield_pct", 1, "fr") == f"12,3{NBSP}%"
    assert fmt_change(0.731, "price_120m3_eur_per_m3", 2, "fr") == f"+0,73{NBSP}€/m³"
    assert fmt_change(-1.25, "share_households_above_3pct", 1, "fr") == f"-1,2{NBSP}pt"
    assert fmt_change(1.25, "share_households_above_3pct", 1, "en") == "+1.2 pp"


def test_main_parameters_carry_their_sources(result: Result) -> None:
    table = main_parameters(result.scenario, "fr")
    row = table[table["path"] == "households.consumption_l_per_person_day"].iloc[0]
    assert "water.md §1.7" in row["source"] and row["value"] == "146"
    assert "tariff.blocks[0].price_eur_per_m3" in set(table["path"])
    regime = table[table["path"] == "governance.regime"].iloc[0]
    assert regime["value"] == "Délégation de service public (concession)"
    assert isinstance(result.scenario, Scenario)


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_report_adds_the_simulated_futures_when_given(result: Result) -> None:
    from sim.experiments.ensemble import simulate_many
    from sim.show.report import FANS

    ens = simulate_many(result.scenario, 4, seed=result.seed, executor="sequential")
    without = report_html(result, "fr", when=WHEN)
    html = report_html(result, "fr", when=WHEN, ensemble=ens)
    assert "futurs simulés" not in without
    assert "<h2>Incertitude : 4 futurs simulés</h2>" in html
    for sentence in ens.statements(lang="fr"):
        assert f"<li>{sentence}</li>" in html.replace("&#x27;", "'")
    assert html.count("Plotly.newPlot") == len(FIGURES) + len(FANS)
    assert len(re.findall(r"plotly\.js v\d", html)) == 1  # still inlined once
    parser = Tags()
    parser.feed(html)
    assert parser.errors == [] and parser.stack == []
    english = report_html(result, "en", when=WHEN, ensemble=ens)
    assert "<h2>Uncertainty: 4 simulated futures</h2>" in english
