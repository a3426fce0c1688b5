"""A self-contained, printable HTML report of one run.

:func:`report_html` returns one HTML document: the scenario's name, seed and date, the headline
figures of the first and last simulated years, every chart of the Explorer page (plotly, with
plotly.js inlined once, so the file opens offline and needs nothing installed), the main
parameters with their sources, and the note on sources. Every text the scenario supplies (the town's
name, a file name) is escaped.

The headline figures (:data:`HEADLINES`, :func:`headline_rows`) are the indicator table's
(:func:`sim.measure.indicators.headlines`: which, in what order, their names, units and digits);
they and the chart list (:func:`figures`) are used by the dashboard's Explorer too, so the page
and the report always show the same numbers. This module does not import streamlit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim._version import __version__
from sim.i18n import UNIT_SPACE_FR, fmt_number, fmt_pct, has_key, normalise_lang, t
from sim.measure.indicators import affordability_threshold_pct
from sim.measure.indicators import headlines as indicator_headlines
from sim.scenario.model import Scenario, TariffBlock
from sim.show import plots

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from sim.core.result import Result
    from sim.experiments.ensemble import Ensemble
    from sim.scenario.model import Scenario


# ------------------------------------------------------------------------------------------
# headline figures
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Headline:
    """One headline figure: a column of ``Result.years`` shown with ``decimals`` digits."""

    column: str
    decimals: int


def _headlines(service: str) -> tuple[Headline, ...]:
    return tuple(Headline(i.name, i.decimals) for i in indicator_headlines(service))


#: the headline figures of a water service, in the order they are shown (page metrics and report
#: table): the indicator table's
HEADLINES: tuple[Headline, ...] = _headlines("water")
#: the headline figures of an electricity service
ELECTRICITY_HEADLINES: tuple[Headline, ...] = _headlines("electricity")
HEADLINES_BY_SERVICE: dict[str, tuple[Headline, ...]] = {
    "water": HEADLINES,
    "electricity": ELECTRICITY_HEADLINES,
}


def service_of(result_or_scenario: Any) -> str:
    """The service of a run or a scenario (``water`` or ``electricity``)."""
    s = getattr(result_or_scenario, "scenario", result_or_scenario)
    return str(getattr(s, "service", "water"))


def headlines_for(service: str) -> tuple[Headline, ...]:
    """The headline figures of ``service`` (water's for an unknown one)."""
    return HEADLINES_BY_SERVICE.get(service, HEADLINES)


def is_percent(column: str) -> bool:
    """Whether ``column`` is a share in percent (its unit is ``%``)."""
    return plots.unit_key(column) == "unit.pct"


def fmt_with_unit(x: float | None, column: str, decimals: int, lang: str) -> str:
    """``x`` in the language's number style followed by the column's unit (``2,19 €/m³``)."""
    if is_percent(column):
        return fmt_pct(x, lang, decimals)
    text = fmt_number(x, lang, decimals)
    if text == "—":
        return text
    space = UNIT_SPACE_FR if normalise_lang(lang) == "fr" else " "
    return f"{text}{space}{plots.indicator_unit(column, lang)}"


def fmt_change(change: float, column: str, decimals: int, lang: str) -> str:
    """A signed change (``+0,73 €/m³``, ``-1,2 pt``); shares change in percentage points."""
    if is_percent(column):
        space = UNIT_SPACE_FR if normalise_lang(lang) == "fr" else " "
        text = f"{fmt_number(change, lang, decimals)}{space}{t('report.unit.points', lang)}"
    else:
        text = fmt_with_unit(change, column, decimals, lang)
    return text if text.startswith("-") else f"+{text}"


def headline_rows(result: Result, lang: str = "fr") -> list[dict[str, Any]]:
    """Each headline figure in the first and last simulated year.

    Returns
    -------
    list of dict
        ``column``, ``label`` (the indicator table's, with the scenario's affordability
        threshold), ``short`` (its short name), ``unit``, ``decimals``, ``first_year``,
        ``last_year``, ``first``, ``last`` (floats, as the engine gives them) and ``first_text``,
        ``last_text``, ``change_text`` (formatted for ``lang``).
    """
    years = result.years
    threshold = f"{affordability_threshold_pct(result.scenario):g}"
    first_year, last_year = int(years["year"].iloc[0]), int(years["year"].iloc[-1])
    rows = []
    for h in headlines_for(service_of(result)):
        first = float(years[h.column].iloc[0])
        last = float(years[h.column].iloc[-1])
        rows.append(
            {
                "column": h.column,
                "label": plots.indicator_label(h.column, lang, threshold),
                "short": plots.indicator_short(h.column, lang, threshold),
                "unit": plots.indicator_unit(h.column, lang),
                "decimals": h.decimals,
                "first_year": first_year,
                "last_year": last_year,
                "first": first,
                "last": last,
                "first_text": fmt_with_unit(first, h.column, h.decimals, lang),
                "last_text": fmt_with_unit(last, h.column, h.decimals, lang),
                "change_text": fmt_change(last - first, h.column, h.decimals, lang),
            }
        )
    return rows


def headline_table(result: Result, lang: str = "fr") -> pd.DataFrame:
    """The headline figures as text: indicator, then one column per year (first, last)."""
    rows = headline_rows(result, lang)
    first, last = str(rows[0]["first_year"]), str(rows[0]["last_year"])
    if first == last:  # a one-year run
        last = f"{last} "
    return pd.DataFrame(
        {
            t("report.col.indicator", lang): [r["label"] for r in rows],
            first: [r["first_text"] for r in rows],
            last: [r["last_text"] for r in rows],
        }
    )


# ------------------------------------------------------------------------------------------
# charts
# ------------------------------------------------------------------------------------------
#: the charts of a run, in order: name -> locale key of its short title (tabs, report headings)
FIGURES: tuple[str, ...] = (
    "prices",
    "deciles",
    "affordability",
    "network",
    "money",
    "debt",
    "accounts",
    "resource",
    "workforce",
)
#: the charts of an electricity run, in order
ELECTRICITY_FIGURES: tuple[str, ...] = (
    "prices",
    "deciles",
    "poverty",
    "reliability",
    "money",
    "debt",
    "accounts",
    "workforce",
)
FIGURES_BY_SERVICE: dict[str, tuple[str, ...]] = {"water": FIGURES, "electricity": ELECTRICITY_FIGURES}


def figures_for(service: str) -> tuple[str, ...]:
    """The chart names of ``service`` (water's for an unknown one)."""
    return FIGURES_BY_SERVICE.get(service, FIGURES)


def figure(result: Result, name: str, lang: str = "fr") -> go.Figure:
    """The chart ``name`` (one of :data:`FIGURES`) of ``result``, from :mod:`sim.show.plots`."""
    y, d = result.years, result.deciles
    if service_of(result) == "electricity":
        if name == "prices":
            return plots.electricity_price_and_bills(y, d, lang)
        if name == "poverty":
            threshold = result.scenario.energy_poverty.threshold_pct
            return plots.energy_poverty(y, d, lang, threshold_pct=threshold)
        if name == "reliability":
            return plots.reliability(y, lang)
    if name not in figures_for(service_of(result)):
        raise KeyError(f"no figure {name!r}; figures are {figures_for(service_of(result))}")
    if name == "prices":
        return plots.price_and_bills(y, d, lang)
    if name == "deciles":
        return plots.bills_by_decile(d, int(d["year"].max()), lang)
    if name == "affordability":
        return plots.affordability(y, d, lang, threshold_pct=result.scenario.affordability.threshold_pct)
    if name == "network":
        return plots.yield_and_breaks(y, lang)
    if name == "money":
        return plots.money_flows(y, lang)
    if name == "debt":
        return plots.debt_and_reserves(y, lang)
    if name == "accounts":
        return plots.accounts(y, lang)
    if name == "resource":
        return plots.resource(y, lang)
    if name == "workforce":
        return plots.workforce(result.workforce, lang)
    raise KeyError(f"no figure {name!r}; figures are {FIGURES}")


def figures(result: Result, lang: str = "fr") -> dict[str, go.Figure]:
    """Every chart of the run's service (:data:`FIGURES`, :data:`ELECTRICITY_FIGURES`)."""
    return {name: figure(result, name, lang) for name in figures_for(service_of(result))}


# ------------------------------------------------------------------------------------------
# main parameters
# ------------------------------------------------------------------------------------------
def _main_fields(model_cls: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """``(path, field)`` of every parameter declared with ``widget=True``, depth first."""
    for name, f in model_cls.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        ann = f.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _main_fields(ann, path)
        elif isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("widget"):
            yield path, f


def _value_at(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _decimals(x: float) -> int:
    text = repr(float(x))
    if "e" in text:
        return 6
    return min(len(text.split(".")[1].rstrip("0")), 6)


def at_end_label(code: str, lang: str) -> str:
    """What happens at the end of a concession (``governance.concession.at_end``), in words."""
    key = f"report.at_end.{code}"
    return t(key, lang) if has_key(key, lang) else code


def fmt_param(value: Any, lang: str, *, path: str = "") -> str:
    """A parameter value as a reader sees it (years without separators, regimes by name)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return t("common.yes" if value else "common.no", lang)
    if path.endswith("regime"):
        return plots.regime_label(str(value), lang)
    if path.endswith("at_end"):
        return at_end_label(str(value), lang)
    if isinstance(value, int):
        return str(value) if path.endswith("year") else fmt_number(value, lang, 0)
    if isinstance(value, float):
        if math.isinf(value):
            return "∞"
        return fmt_number(value, lang, _decimals(value))
    return str(value)


def _meaning(f: FieldInfo, lang: str) -> str:
    extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
    if normalise_lang(lang) == "fr":
        return str(extra.get("desc_fr") or f.description or "")
    return str(f.description or extra.get("desc_fr") or "")


def _extra(f: FieldInfo, key: str) -> str:
    extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
    return str(extra.get(key, ""))


def main_parameters(scenario: Scenario, lang: str = "fr") -> pd.DataFrame:
    """The main parameters of ``scenario`` (those the dashboard shows) and the tariff's blocks.

    Columns: ``path``, ``meaning``, ``value``, ``unit``, ``source`` (all text).
    """

    rows = []
    for path, f in _main_fields(type(scenario)):
        rows.append(
            {
                "path": path,
                "meaning": _meaning(f, lang),
                "value": fmt_param(_value_at(scenario, path), lang, path=path),
                "unit": _extra(f, "unit"),
                "source": _extra(f, "source"),
            }
        )
    price = TariffBlock.model_fields["price_eur_per_m3"]
    blocks = scenario.tariff.blocks if isinstance(scenario, Scenario) else ()  # water's blocks
    for i, block in enumerate(blocks):
        upto = (
            t("report.block.last", lang)
            if block.up_to_m3 is None
            else t("report.block.upto", lang, upto=fmt_number(block.up_to_m3, lang, 0))
        )
        rows.append(
            {
                "path": f"tariff.blocks[{i}].price_eur_per_m3",
                "meaning": f"{_meaning(price, lang)} — {t('report.block.n', lang, n=i + 1)} ({upto})",
                "value": fmt_param(block.price_eur_per_m3, lang),
                "unit": _extra(price, "unit"),
                "source": _extra(price, "source"),
            }
        )
    return pd.DataFrame(rows, columns=["path", "meaning", "value", "unit", "source"])


# ------------------------------------------------------------------------------------------
# the report
# ------------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:62rem;color:#1a1a1a;line-height:1.4;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}
h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #0072B2}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#eef4fa}td.num{text-align:right;white-space:nowrap}
.muted{color:#555}.note{background:#fff7e0;padding:.5rem}
.fig{page-break-inside:avoid;break-inside:avoid;margin:1rem 0}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{page-break-after:avoid}
tr{page-break-inside:avoid}.fig{page-break-inside:avoid}}
"""
FIGURE_WIDTH_PX = 680  # fits an A4 page in portrait with the browser's default margins


def fmt_date(when: dt.date, lang: str) -> str:
    """``22/11/2026`` in French, ``2026-11-22`` in English."""
    return when.strftime("%d/%m/%Y") if normalise_lang(lang) == "fr" else when.isoformat()


def _table(df: pd.DataFrame, numeric: set[str] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{escape(str(c))}</th>" for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = "".join(
            f"<td class='num'>{escape(str(v))}</td>" if c in numeric else f"<td>{escape(str(v))}</td>"
            for c, v in zip(df.columns, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure_html(fig: go.Figure, div_id: str, first: bool) -> str:
    fig = fig.update_layout(width=FIGURE_WIDTH_PX, autosize=False)
    return fig.to_html(
        full_html=False,
        include_plotlyjs=first,  # plotly.js inlined once, before the first chart
        div_id=div_id,
        config={"displayModeBar": False, "responsive": False},
    )


#: indicators drawn as fan charts when many futures are simulated (Explorer page and report)
FANS: tuple[str, ...] = (
    "price_120m3_eur_per_m3",
    "share_households_above_3pct",
    "yield_pct",
    "debt_eur",
)
#: the same for an electricity service
ELECTRICITY_FANS: tuple[str, ...] = (
    "price_ref_eur_per_kwh",
    "energy_poverty_pct",
    "saidi_min",
    "reserves_eur",
)
FANS_BY_SERVICE: dict[str, tuple[str, ...]] = {"water": FANS, "electricity": ELECTRICITY_FANS}


def fans_for(service: str) -> tuple[str, ...]:
    """The fan-chart indicators of ``service`` (water's for an unknown one)."""
    return FANS_BY_SERVICE.get(service, FANS)


def _futures_html(ensemble: Ensemble, lang: str, service: str = "water") -> list[str]:
    """The section of the simulated futures: their odds in plain words and their fan charts."""
    runs = ensemble.runs
    header = (
        t("ensemble.header.one", lang)
        if runs == 1
        else t("ensemble.header", lang, runs=fmt_number(runs, lang))
    )
    parts = [f"<h2>{escape(header)}</h2>", f"<p>{escape(t('ensemble.intro', lang))}</p>"]
    if ensemble.cancelled:
        parts.append(f"<p class='note'>{escape(t('report.futures.partial', lang))}</p>")
    parts.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in ensemble.statements(lang=lang)) + "</ul>")
    for ind in fans_for(service):
        if ind in ensemble.years.columns:
            fig = plots.fan_chart(ensemble.bands(ind), ind, lang, runs=runs)
            parts.append(f"<div class='fig'>{_figure_html(fig, f'fan-{ind}', False)}</div>")
    return parts


def report_html(
    result: Result,
    lang: str = "fr",
    *,
    name: str | None = None,
    when: dt.date | None = None,
    ensemble: Ensemble | None = None,
) -> str:
    """The run as one self-contained HTML page: works offline, prints on A4.

    Parameters
    ----------
    result
        The run to report.
    lang
        ``"fr"`` (default) or ``"en"``.
    name
        The scenario's name as the reader knows it (e.g. its file name); the town's name if None.
    when
        Date printed on the report (today if None).
    ensemble
        Simulated futures of the same scenario (:func:`sim.experiments.ensemble.simulate_many`): when given,
        the report adds their odds and fan charts after the run's charts.
    """

    lang = normalise_lang(lang)
    s = result.scenario
    when = when or dt.date.today()
    town = s.town.name
    title = t("report.title", lang, name=name or town)
    years = result.years
    meta = t(
        "report.meta",
        lang,
        town=town,
        regime=plots.regime_label(s.governance.regime, lang),
        households=fmt_number(s.households.count, lang, 0),
        first=int(years["year"].iloc[0]),
        last=int(years["year"].iloc[-1]),
        seed=result.seed,
        date=fmt_date(when, lang),
        version=__version__,
    )
    parts = [
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<meta name='generator' content='regie-sim {escape(__version__)}'>",
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>\n</head>\n<body>",
        f"<h1>{escape(title)}</h1>",
        f"<p class='muted'>{escape(meta)}</p>",
        f"<p class='note'>{escape(t('report.no_verdict', lang))}</p>",
        f"<h2>{escape(t('report.headline', lang))}</h2>",
    ]
    table = headline_table(result, lang)
    parts.append(_table(table, numeric=set(table.columns[1:])))
    parts.append(f"<h2>{escape(t('report.charts', lang))}</h2>")
    for i, (fig_name, fig) in enumerate(figures(result, lang).items()):
        parts.append(f"<div class='fig'>{_figure_html(fig, f'fig-{fig_name}', i == 0)}</div>")
    if ensemble is not None and ensemble.runs:
        parts += _futures_html(ensemble, lang, service_of(result))
    parts.append(f"<h2>{escape(t('report.parameters', lang))}</h2>")
    params = main_parameters(s, lang).rename(
        columns={c: t(f"report.col.{c}", lang) for c in ("path", "meaning", "value", "unit", "source")}
    )
    parts.append(_table(params, numeric={t("report.col.value", lang)}))
    parts.append(f"<h2>{escape(t('report.sources', lang))}</h2>")
    parts.append(f"<p>{escape(t('report.sources_note', lang))}</p>")
    parts.append(f"<p class='muted'>{escape(t('report.reproduce', lang, seed=result.seed))}</p>")
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)
