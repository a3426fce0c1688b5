"""Plotly figure builders over the tables of a :class:`~sim.core.result.Result`.

Each builder takes the tidy tables (``years``, ``deciles``, ``workforce``, or a comparison table)
and a language code, and returns a :class:`plotly.graph_objects.Figure` with a title, axis titles
that state their unit, and the Okabe–Ito colour-blind-safe palette. Builders never aggregate or
recompute indicators: the figure shows the columns it is given, so a figure can always be checked
against the table beside it. Every trace carries the name of its column in ``meta``.

:func:`fan_chart` and :func:`fan_compare` draw the percentile bands of many simulated futures
(:meth:`sim.experiments.ensemble.Ensemble.bands`: P5–P95 and P25–P75 shaded, the median as a line), for one
scenario or for several regimes on the same futures.

This module does not import streamlit: figures are also used in notebooks and printed debriefs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.i18n import THOUSANDS_FR, fmt_number, fmt_pct, has_key, normalise_lang, t
from sim.measure.indicators import BY_NAME as INDICATOR_TABLE

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision
# deficiencies. Yellow (#F0E442) is last: it is hard to read as a thin line on white.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
REGIME_COLOURS: dict[str, str] = {"concession": "#E69F00", "regie": "#0072B2", "commons": "#009E73"}
DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

# unit of each Result column that is not in the indicator table (a key of the locale catalogues,
# "unit.*"); an indicator's unit is the table's (sim.measure.indicators), written there once
UNITS: dict[str, str] = {
    "year": "unit.year",
    # electricity
    "crew_wait_hours": "unit.hours",
    "energy_cost_eur_per_mwh": "unit.eur_per_mwh",
    "incidents": "unit.count_per_year",
    "storms": "unit.count_per_year",
    "kwh_billed": "unit.kwh",
    "kwh_bought": "unit.kwh",
    "kwh_losses": "unit.kwh",
    "kwh_per_household": "unit.kwh_per_year",
    "mean_kwh": "unit.kwh_per_year",
    "share_above_threshold": "unit.pct",
    "temperature_c": "unit.celsius",
    "power_limitations": "unit.count_per_year",
    "supply_cuts": "unit.count_per_year",
    "pv_kwp": "unit.kwp",
    "local_production_kwh": "unit.kwh",
    "kwh_local": "unit.kwh",
    "local_production_eur": "unit.eur",
    "pv_capex_eur": "unit.eur",
    "households": "unit.households",
    "population": "unit.persons",
    "produced_m3": "unit.m3_per_year",
    "billed_m3": "unit.m3_per_year",
    "real_losses_m3": "unit.m3_per_year",
    "interruptions_per_1000_customers": "unit.per_1000_customers_year",
    "renewal_km": "unit.km_per_year",
    "receipts_eur": "unit.eur_per_year",
    "interest_eur": "unit.eur_per_year",
    "margin_eur": "unit.eur_per_year",
    "head_office_eur": "unit.eur_per_year",
    "delegation_overhead_eur": "unit.eur_per_year",
    "corporate_tax_eur": "unit.eur_per_year",
    "provision_kept_eur": "unit.eur_per_year",
    "operator_result_eur": "unit.eur_per_year",
    "resource_stock_m3": "unit.m3",
    "shortfall_m3": "unit.m3_per_year",
    "decile": "unit.decile",
    "mean_income_eur": "unit.eur_per_year",
    "mean_volume_m3": "unit.m3_per_year",
    "mean_sewerage_bill_eur": "unit.eur_per_year",
    "mean_persons": "unit.persons",
    "non_domestic_billed_m3": "unit.m3_per_year",
    "sewerage_billed_eur": "unit.eur_per_year",
    "sewerage_collected_eur": "unit.eur_per_year",
    "sewerage_remitted_eur": "unit.eur_per_year",
    "burden_pct": "unit.pct_income",
    "burden_with_sewerage_pct": "unit.pct_income",
    "share_above_3pct": "unit.pct",
    "fte_in_house": "unit.fte",
    "fte_subcontracted": "unit.fte",
    "wage_bill_eur": "unit.eur_per_year",
    "repairs_per_crew": "unit.repairs_per_crew_year",
    "overtime_hours": "unit.hours_per_year",
    "staff_transferred": "unit.fte",
    "crews": "unit.crews",
    "unbilled_authorised_m3": "unit.m3_per_year",
    "apparent_losses_m3": "unit.m3_per_year",
    "customer_interruption_hours": "unit.hours_per_year",
    "network_length_km": "unit.km",
    "social_rebate_eur": "unit.eur_per_year",
    "bill_receipts_eur": "unit.eur_per_year",
    "loan_proceeds_eur": "unit.eur_per_year",
    "debt_service_eur": "unit.eur_per_year",
    "treasury_interest_eur": "unit.eur_per_year",
    "treasury_drawn_max_eur": "unit.eur",
    "unfinanced_eur": "unit.eur",
    "resource_fill_pct": "unit.pct",
    "drought_year": "unit.yes_no",
    "price_index": "unit.index",
    "tariff_index": "unit.index",
    "usage_inclusion_pct": "unit.pct",
    "governance_inclusion_pct": "unit.pct",
    "resource_preservation_pct": "unit.pct",
    "network_condition_index": "unit.ratio_to_start",
    "renewal_need_km": "unit.km_per_year",
    "depreciation_network_eur": "unit.eur_per_year",
    "depreciation_other_eur": "unit.eur_per_year",
    "assets_written_off_eur": "unit.eur_per_year",
    "operating_receipts_eur": "unit.eur_per_year",
    "operating_expenses_eur": "unit.eur_per_year",
    "accounting_result_eur": "unit.eur_per_year",
}

# units guessed from a name suffix, for indicators without an entry in UNITS (longest first)
_SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_eur_per_m3", "unit.eur_per_m3"),
    ("_m3_per_km_day", "unit.m3_per_km_day"),
    ("_l_per_person_day", "unit.l_per_person_day"),
    ("_pct", "unit.pct"),
    ("_eur", "unit.eur"),
    ("_m3", "unit.m3"),
    ("_km", "unit.km_per_year"),
    ("_hours", "unit.hours"),
    ("_years", "unit.years"),
)


# ------------------------------------------------------------------------------------------
# labels
# ------------------------------------------------------------------------------------------
def indicator_label(column: str, lang: str = "fr", threshold: str | None = None) -> str:
    """The readable name of a Result column: the indicator table's label for an indicator
    (``threshold``: the scenario's affordability threshold), else its ``ind.*`` message, else the
    column name itself."""
    ind = INDICATOR_TABLE.get(column)
    if ind is not None:
        return ind.label(normalise_lang(lang), threshold)
    key = f"ind.{column}"
    return t(key, lang) if has_key(key, lang) else column


def indicator_short(column: str, lang: str = "fr", threshold: str | None = None) -> str:
    """The short name of a headline figure or a panel (the indicator table's), else its label."""
    ind = INDICATOR_TABLE.get(column)
    if ind is not None:
        return ind.short_label(normalise_lang(lang), threshold)
    return indicator_label(column, lang)


def unit_key(column: str) -> str:
    """The locale key of a Result column's unit: the indicator table's (on an axis), else
    :data:`UNITS`, else guessed from its name suffix."""
    ind = INDICATOR_TABLE.get(column)
    if ind is not None:
        return ind.axis_unit_key
    key = UNITS.get(column)
    if key is None:
        key = next((u for suffix, u in _SUFFIX_UNITS if column.endswith(suffix)), "unit.none")
    return key


def indicator_unit(column: str, lang: str = "fr") -> str:
    """The unit of a Result column as a reader sees it (:func:`unit_key`)."""
    return t(unit_key(column), lang)


def axis_title(column: str, lang: str = "fr", label: str | None = None) -> str:
    """``"Label (unit)"`` for an axis showing ``column``."""
    return f"{label or indicator_label(column, lang)} ({indicator_unit(column, lang)})"


def regime_label(regime: str, lang: str = "fr") -> str:
    """The readable name of a governance regime (the code itself if unknown)."""
    key = f"regime.{regime}"
    return t(key, lang) if has_key(key, lang) else str(regime)


# ------------------------------------------------------------------------------------------
# shared layout
# ------------------------------------------------------------------------------------------
def _separators(lang: str) -> str:
    # plotly's `separators`: decimal mark then thousands mark
    return "," + THOUSANDS_FR if normalise_lang(lang) == "fr" else ".,"


def _finish(fig: go.Figure, title: str, lang: str, *, height: int | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        template="plotly_white",
        colorway=list(OKABE_ITO),
        separators=_separators(lang),
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0.0},
        hovermode="x unified",
        margin={"l": 70, "r": 30, "t": 80, "b": 60},
    )
    if height:
        fig.update_layout(height=height)
    return fig


def _line(
    df: pd.DataFrame,
    col: str,
    lang: str,
    *,
    x: str = "year",
    name: str | None = None,
    colour: str | None = None,
    dash: str = "solid",
    **kw: Any,
) -> go.Scatter:
    label = name or indicator_label(col, lang)
    kw.setdefault("hovertemplate", _hover(label, col, lang))
    return go.Scatter(
        x=df[x].to_numpy(),
        y=df[col].to_numpy(),
        mode="lines+markers" if len(df) < 12 else "lines",
        name=label,
        meta=col,
        line={"color": colour, "dash": dash, "width": 2.5},
        **kw,
    )


def _bar(
    df: pd.DataFrame,
    col: str,
    lang: str,
    *,
    x: str = "year",
    name: str | None = None,
    colour: str | None = None,
    **kw: Any,
) -> go.Bar:
    label = name or indicator_label(col, lang)
    kw.setdefault("hovertemplate", _hover(label, col, lang))
    return go.Bar(
        x=df[x].to_numpy(),
        y=df[col].to_numpy(),
        name=label,
        meta=col,
        marker_color=colour,
        **kw,
    )


def _year_axes(fig: go.Figure, lang: str, *, rows: int = 1, cols: int = 1) -> None:
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            fig.update_xaxes(title_text=t("plot.axis.year", lang), tickformat="d", row=r, col=c)


def _check(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{what} lacks column(s) {missing}; it has {list(df.columns)}")


def _deciles_to_show(deciles: pd.DataFrame, wanted: Sequence[int]) -> list[int]:
    present = sorted(int(d) for d in deciles["decile"].unique())
    shown = [d for d in wanted if d in present]
    return shown or present[:3]


# ------------------------------------------------------------------------------------------
# figures
# ------------------------------------------------------------------------------------------
def price_and_bills(
    years: pd.DataFrame,
    deciles: pd.DataFrame,
    lang: str = "fr",
    *,
    shown_deciles: Sequence[int] = (1, 5, 10),
) -> go.Figure:
    """Price per m³ of the 120 m³ bill (SISPEA D102.0) and mean bills of a few income deciles.

    Parameters
    ----------
    years, deciles
        Result tables (``year, price_120m3_eur_per_m3``; ``year, decile, mean_bill_eur``).
    shown_deciles
        Deciles drawn on the right panel (1 = poorest); all ten would be unreadable.
    """
    price = "price_120m3_eur_per_m3"
    return _price_and_bills(
        years, deciles, lang, price, "plot.price_and_bills", shown_deciles, axis_title(price, lang)
    )


def electricity_price_and_bills(
    years: pd.DataFrame,
    deciles: pd.DataFrame,
    lang: str = "fr",
    *,
    shown_deciles: Sequence[int] = (1, 5, 10),
) -> go.Figure:
    """Price per kWh of the reference household (6 kVA, 4,400 kWh a year, taxes included) and
    mean yearly electricity bills of a few income deciles: :func:`price_and_bills`' layout."""
    price = "price_ref_eur_per_kwh"  # the axis says the unit; the title says whose price
    return _price_and_bills(
        years, deciles, lang, price, "plot.electricity_prices", shown_deciles, indicator_unit(price, lang)
    )


def _price_and_bills(
    years: pd.DataFrame,
    deciles: pd.DataFrame,
    lang: str,
    price: str,
    keys: str,
    shown_deciles: Sequence[int],
    price_axis: str,
) -> go.Figure:
    """A price (left) and the mean bills of a few deciles (right); titles from ``keys``.*"""
    _check(years, ["year", price], "years")
    _check(deciles, ["year", "decile", "mean_bill_eur"], "deciles")
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.12,
        subplot_titles=(t(f"{keys}.sub_price", lang), t(f"{keys}.sub_bills", lang)),
    )
    fig.add_trace(_line(years, price, lang, colour=OKABE_ITO[0]), row=1, col=1)
    for i, d in enumerate(_deciles_to_show(deciles, shown_deciles)):
        sub = deciles[deciles["decile"] == d].sort_values("year")
        fig.add_trace(
            _line(
                sub,
                "mean_bill_eur",
                lang,
                name=t("plot.decile_n", lang, n=d),
                colour=OKABE_ITO[(i + 1) % len(OKABE_ITO)],
                dash=DASHES[i % len(DASHES)],
            ),
            row=1,
            col=2,
        )
    _year_axes(fig, lang, cols=2)
    fig.update_yaxes(title_text=price_axis, rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text=axis_title("mean_bill_eur", lang), rangemode="tozero", row=1, col=2)
    return _finish(fig, t(f"{keys}.title", lang), lang)


def _burden_by_decile(
    fig: go.Figure, deciles: pd.DataFrame, burden: str, threshold_pct: float, lang: str
) -> None:
    """The bill's weight in income by decile, first and last simulated years, as bars in the
    figure's lower panel, with the threshold drawn as a line (water's and electricity's panels)."""
    first, last = int(deciles["year"].min()), int(deciles["year"].max())
    for i, year in enumerate(dict.fromkeys((first, last))):
        sub = deciles[deciles["year"] == year].sort_values("decile")
        colour = OKABE_ITO[5] if i == 0 else OKABE_ITO[0]
        fig.add_trace(_bar(sub, burden, lang, x="decile", name=str(year), colour=colour), row=2, col=1)
    fig.add_hline(
        y=threshold_pct,
        line_dash="dash",
        line_color=OKABE_ITO[6],
        row=2,
        col=1,
        annotation_text=t("plot.threshold", lang, threshold=fmt_pct(threshold_pct, lang, 0)),
    )


def affordability(
    years: pd.DataFrame, deciles: pd.DataFrame, lang: str = "fr", *, threshold_pct: float = 3.0
) -> go.Figure:
    """Share of households above the affordability threshold, unpaid rate, burden by decile.

    The bottom panel compares the burden of each decile in the first and last simulated years,
    with the threshold drawn as a line. The threshold applies to water *and sewerage* (water.md
    §3.5), so the panel uses ``burden_with_sewerage_pct`` when the table has it, else
    ``burden_pct`` (water only).
    """
    _check(years, ["year", "share_households_above_3pct", "unpaid_rate_pct"], "years")
    burden = "burden_with_sewerage_pct" if "burden_with_sewerage_pct" in deciles else "burden_pct"
    _check(deciles, ["year", "decile", burden], "deciles")
    fig = make_subplots(
        rows=2,
        cols=2,
        specs=[[{}, {}], [{"colspan": 2}, None]],
        vertical_spacing=0.18,
        horizontal_spacing=0.12,
        subplot_titles=(
            t("plot.affordability.sub_share", lang),
            t("plot.affordability.sub_unpaid", lang),
            t("plot.affordability.sub_burden", lang),
        ),
    )
    fig.add_trace(_line(years, "share_households_above_3pct", lang, colour=OKABE_ITO[3]), row=1, col=1)
    fig.add_trace(_line(years, "unpaid_rate_pct", lang, colour=OKABE_ITO[4], dash="dash"), row=1, col=2)
    _burden_by_decile(fig, deciles, burden, threshold_pct, lang)
    _year_axes(fig, lang, cols=2)
    fig.update_yaxes(
        title_text=axis_title("share_households_above_3pct", lang), rangemode="tozero", row=1, col=1
    )
    fig.update_yaxes(title_text=axis_title("unpaid_rate_pct", lang), rangemode="tozero", row=1, col=2)
    fig.update_xaxes(title_text=axis_title("decile", lang), dtick=1, row=2, col=1)
    fig.update_yaxes(title_text=axis_title(burden, lang), rangemode="tozero", row=2, col=1)
    fig.update_layout(barmode="group", hovermode="closest")
    return _finish(fig, t("plot.affordability.title", lang), lang, height=650)


def energy_poverty(
    years: pd.DataFrame, deciles: pd.DataFrame, lang: str = "fr", *, threshold_pct: float = 8.0
) -> go.Figure:
    """Energy poverty (the ONPE indicator on housing energy, the electricity bill and the heating
    energy of households heated otherwise: effort above the threshold in the three lowest deciles,
    the 10 % variant, after the chèque énergie, and on the electricity bill alone when the run
    has it), power limitations and supply cuts for unpaid bills, and the electricity bill's weight
    in income by decile in the first and last simulated years with the threshold drawn as a line."""
    shares: tuple[str, ...] = (
        "energy_poverty_pct",
        "energy_poverty_10pct",
        "energy_poverty_after_cheque_pct",
    )
    if "energy_poverty_elec_only_pct" in years:
        shares += ("energy_poverty_elec_only_pct",)
    actions = ("power_limitations", "supply_cuts")
    _check(years, ["year", *shares, *actions], "years")
    _check(deciles, ["year", "decile", "burden_pct"], "deciles")
    fig = make_subplots(
        rows=2,
        cols=2,
        specs=[[{}, {}], [{"colspan": 2}, None]],
        vertical_spacing=0.18,
        horizontal_spacing=0.12,
        subplot_titles=(
            t("plot.energy_poverty.sub_share", lang),
            t("plot.energy_poverty.sub_actions", lang),
            t("plot.affordability.sub_burden", lang),
        ),
    )
    for i, col in enumerate(shares):
        line = _line(years, col, lang, colour=OKABE_ITO[(3, 4, 2, 0)[i]], dash=DASHES[i])
        fig.add_trace(line, row=1, col=1)
    for i, col in enumerate(actions):
        fig.add_trace(_bar(years, col, lang, colour=OKABE_ITO[(1, 3)[i]]), row=1, col=2)
    _burden_by_decile(fig, deciles, "burden_pct", threshold_pct, lang)
    _year_axes(fig, lang, cols=2)
    # the units only: the names are in the panels' titles and the legend
    fig.update_yaxes(title_text=t("unit.pct", lang), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text=t("unit.count_per_year", lang), rangemode="tozero", row=1, col=2)
    fig.update_xaxes(title_text=axis_title("decile", lang), dtick=1, row=2, col=1)
    fig.update_yaxes(title_text=axis_title("burden_pct", lang), rangemode="tozero", row=2, col=1)
    fig.update_layout(barmode="group", hovermode="closest")
    return _finish(fig, t("plot.energy_poverty.title", lang), lang, height=650)


def reliability(years: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Continuity of supply: minutes cut per customer (SAIDI) and long cuts per customer (SAIFI),
    each with and without major event days (IEEE 1366, 2.5β), so a storm year stands out as the
    gap between the two lines; the share of the network underground; and the compensation paid
    for cuts over 5 hours (TURPE rule)."""
    cols = ("saidi_min", "saidi_excl_med_min", "saifi", "saifi_excl_med", "underground_share_pct")
    _check(years, ["year", *cols, "compensation_eur"], "years")
    fig = make_subplots(
        rows=2,
        cols=2,
        vertical_spacing=0.18,
        horizontal_spacing=0.12,
        subplot_titles=(
            t("plot.reliability.sub_saidi", lang),
            t("plot.reliability.sub_saifi", lang),
            indicator_label("underground_share_pct", lang),
            indicator_label("compensation_eur", lang),
        ),
    )
    for c, (every, ordinary) in enumerate(
        (("saidi_min", "saidi_excl_med_min"), ("saifi", "saifi_excl_med")), 1
    ):
        fig.add_trace(_line(years, every, lang, colour=OKABE_ITO[3]), row=1, col=c)
        fig.add_trace(_line(years, ordinary, lang, colour=OKABE_ITO[0], dash="dash"), row=1, col=c)
    fig.add_trace(_line(years, "underground_share_pct", lang, colour=OKABE_ITO[2]), row=2, col=1)
    fig.add_trace(_bar(years, "compensation_eur", lang, colour=OKABE_ITO[1]), row=2, col=2)
    _year_axes(fig, lang, rows=2, cols=2)
    fig.update_yaxes(title_text=t("unit.minutes", lang), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text=t("unit.cuts_per_customer", lang), rangemode="tozero", row=1, col=2)
    fig.update_yaxes(title_text=t("unit.pct", lang), range=[0, 100], row=2, col=1)
    fig.update_yaxes(title_text=t("unit.eur", lang), tickformat=",.0f", rangemode="tozero", row=2, col=2)
    fig.update_layout(hovermode="closest")
    return _finish(fig, t("plot.reliability.title", lang), lang, height=650)


def yield_and_breaks(years: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Network yield (SISPEA P104.3) above, breaks per 100 km of mains below."""
    _check(years, ["year", "yield_pct", "breaks_per_100km"], "years")
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    fig.add_trace(_line(years, "yield_pct", lang, colour=OKABE_ITO[0]), row=1, col=1)
    fig.add_trace(_bar(years, "breaks_per_100km", lang, colour=OKABE_ITO[3]), row=2, col=1)
    fig.update_xaxes(title_text=t("plot.axis.year", lang), tickformat="d", row=2, col=1)
    fig.update_xaxes(tickformat="d", row=1, col=1)
    fig.update_yaxes(title_text=axis_title("yield_pct", lang), row=1, col=1)
    fig.update_yaxes(title_text=axis_title("breaks_per_100km", lang), rangemode="tozero", row=2, col=1)
    return _finish(fig, t("plot.yield_and_breaks.title", lang), lang, height=550)


MONEY_COLUMNS: tuple[str, ...] = (
    "receipts_eur",
    "opex_eur",
    "capex_eur",
    "interest_eur",
    "outflow_eur",
)


def money_flows(years: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Yearly cash received against operating costs, investment, interest and money leaving."""
    _check(years, ["year", *MONEY_COLUMNS], "years")
    fig = go.Figure()
    for i, col in enumerate(MONEY_COLUMNS):
        fig.add_trace(_line(years, col, lang, colour=OKABE_ITO[i], dash=DASHES[i % len(DASHES)]))
    fig.update_xaxes(title_text=t("plot.axis.year", lang), tickformat="d")
    fig.update_yaxes(
        title_text=f"{t('ind.receipts_eur', lang)}, … ({t('unit.eur_per_year', lang)})",
        tickformat=",.0f",
        rangemode="tozero",
    )
    return _finish(fig, t("plot.money_flows.title", lang), lang)


def debt_and_reserves(years: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Outstanding debt and cash reserves at the end of each year."""
    _check(years, ["year", "debt_eur", "reserves_eur"], "years")
    fig = go.Figure()
    fig.add_trace(_line(years, "debt_eur", lang, colour=OKABE_ITO[3]))
    fig.add_trace(_line(years, "reserves_eur", lang, colour=OKABE_ITO[2], dash="dash"))
    fig.update_xaxes(title_text=t("plot.axis.year", lang), tickformat="d")
    fig.update_yaxes(
        title_text=(
            f"{indicator_label('debt_eur', lang)} / {indicator_label('reserves_eur', lang)} "
            f"({indicator_unit('debt_eur', lang)})"
        ),
        tickformat=",.0f",
    )
    return _finish(fig, t("plot.debt_and_reserves.title", lang), lang)


def accounts(years: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """The M49 accounts: mains renewed against the renewal need (km), depreciation against the
    gross and net self-financing capacity (€), and the debt extinction years (SISPEA P153.2)."""
    money = ("depreciation_eur", "caf_gross_eur", "caf_net_eur")
    _check(years, ["year", "renewal_km", "renewal_need_km", *money, "debt_extinction_years"], "years")
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07)
    fig.add_trace(_bar(years, "renewal_km", lang, colour=OKABE_ITO[0]), row=1, col=1)
    fig.add_trace(_line(years, "renewal_need_km", lang, colour=OKABE_ITO[3], dash="dash"), row=1, col=1)
    for i, col in enumerate(money):
        line = _line(years, col, lang, colour=OKABE_ITO[4 + i], dash=DASHES[i % len(DASHES)])
        fig.add_trace(line, row=2, col=1)
    fig.add_trace(_line(years, "debt_extinction_years", lang, colour=OKABE_ITO[2]), row=3, col=1)
    fig.update_yaxes(title_text=axis_title("renewal_need_km", lang), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(
        title_text=axis_title("depreciation_eur", lang, f"{indicator_label('depreciation_eur', lang)}, …"),
        tickformat=",.0f",
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text=axis_title("debt_extinction_years", lang), rangemode="tozero", row=3, col=1)
    for r in (1, 2, 3):
        fig.update_xaxes(tickformat="d", row=r, col=1)
    fig.update_xaxes(title_text=t("plot.axis.year", lang), row=3, col=1)
    return _finish(fig, t("plot.accounts.title", lang), lang, height=750)


def resource(years: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Resource stock, days under restriction and unmet demand, year by year."""
    cols = ("resource_stock_m3", "restriction_days", "shortfall_m3")
    _check(years, ["year", *cols], "years")
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07)
    fig.add_trace(_line(years, "resource_stock_m3", lang, colour=OKABE_ITO[0]), row=1, col=1)
    fig.add_trace(_bar(years, "restriction_days", lang, colour=OKABE_ITO[1]), row=2, col=1)
    fig.add_trace(_bar(years, "shortfall_m3", lang, colour=OKABE_ITO[3]), row=3, col=1)
    for r, col in enumerate(cols, start=1):
        fig.update_yaxes(title_text=axis_title(col, lang), rangemode="tozero", row=r, col=1)
        fig.update_xaxes(tickformat="d", row=r, col=1)
    fig.update_xaxes(title_text=t("plot.axis.year", lang), row=3, col=1)
    return _finish(fig, t("plot.resource.title", lang), lang, height=700)


def workforce(workforce_df: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Staff (in-house and subcontracted, stacked), wage bill, repairs per crew, overtime."""
    cols = (
        "fte_in_house",
        "fte_subcontracted",
        "wage_bill_eur",
        "repairs_per_crew",
        "overtime_hours",
    )
    _check(workforce_df, ["year", *cols], "workforce")
    fig = make_subplots(
        rows=2,
        cols=2,
        vertical_spacing=0.16,
        horizontal_spacing=0.12,
        subplot_titles=(
            indicator_short("fte", lang),
            t("ind.wage_bill_eur", lang),
            t("ind.repairs_per_crew", lang),
            t("ind.overtime_hours", lang),
        ),
    )
    fig.add_trace(_bar(workforce_df, "fte_in_house", lang, colour=OKABE_ITO[0]), row=1, col=1)
    fig.add_trace(_bar(workforce_df, "fte_subcontracted", lang, colour=OKABE_ITO[1]), row=1, col=1)
    fig.add_trace(_line(workforce_df, "wage_bill_eur", lang, colour=OKABE_ITO[2]), row=1, col=2)
    fig.add_trace(_line(workforce_df, "repairs_per_crew", lang, colour=OKABE_ITO[3]), row=2, col=1)
    fig.add_trace(_bar(workforce_df, "overtime_hours", lang, colour=OKABE_ITO[4]), row=2, col=2)
    _year_axes(fig, lang, rows=2, cols=2)
    fig.update_yaxes(title_text=axis_title("fte", lang, label=indicator_short("fte", lang)), row=1, col=1)
    fig.update_yaxes(title_text=axis_title("wage_bill_eur", lang), tickformat=",.0f", row=1, col=2)
    fig.update_yaxes(title_text=axis_title("repairs_per_crew", lang), rangemode="tozero", row=2, col=1)
    fig.update_yaxes(title_text=axis_title("overtime_hours", lang), rangemode="tozero", row=2, col=2)
    fig.update_layout(barmode="stack", hovermode="closest")
    return _finish(fig, t("plot.workforce.title", lang), lang, height=650)


def bills_by_decile(deciles: pd.DataFrame, year: int, lang: str = "fr") -> go.Figure:
    """Mean bill (bars) and its weight in income (markers, right axis) by decile in ``year``."""
    _check(deciles, ["year", "decile", "mean_bill_eur", "burden_pct"], "deciles")
    sub = deciles[deciles["year"] == year].sort_values("decile")
    if sub.empty:
        raise ValueError(
            f"no decile rows for year {year}; years are {sorted(int(y) for y in deciles['year'].unique())}"
        )
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(_bar(sub, "mean_bill_eur", lang, x="decile", colour=OKABE_ITO[0]), secondary_y=False)
    fig.add_trace(
        go.Scatter(
            x=sub["decile"].to_numpy(),
            y=sub["burden_pct"].to_numpy(),
            mode="lines+markers",
            name=indicator_label("burden_pct", lang),
            meta="burden_pct",
            marker={"symbol": "diamond", "size": 10},
            line={"color": OKABE_ITO[3], "dash": "dot"},
        ),
        secondary_y=True,
    )
    fig.update_xaxes(title_text=axis_title("decile", lang), dtick=1)
    fig.update_yaxes(title_text=axis_title("mean_bill_eur", lang), rangemode="tozero", secondary_y=False)
    fig.update_yaxes(
        title_text=axis_title("burden_pct", lang),
        rangemode="tozero",
        showgrid=False,
        secondary_y=True,
    )
    fig.update_layout(hovermode="x unified")
    return _finish(fig, t("plot.bills_by_decile.title", lang, year=year), lang)


def compare_bars(table: pd.DataFrame, indicator: str, lang: str = "fr") -> go.Figure:
    """One bar per regime for ``indicator``.

    Parameters
    ----------
    table
        One row per regime, the regime code in a ``regime`` column (or the index), and a column
        ``indicator``. Optional ``{indicator}_low`` / ``{indicator}_high`` columns (e.g. an
        ensemble's 5th and 95th percentiles) are drawn as error bars.
    indicator
        The column to compare, e.g. ``"price_120m3_eur_per_m3"``.
    """
    df = table.reset_index() if "regime" not in table.columns else table
    if "regime" not in df.columns:
        df = df.rename(columns={df.columns[0]: "regime"})
    _check(df, [indicator], "table")
    regimes = [str(r) for r in df["regime"]]
    colours = [REGIME_COLOURS.get(r, OKABE_ITO[i % len(OKABE_ITO)]) for i, r in enumerate(regimes)]
    y = df[indicator].to_numpy()
    error_y = None
    low, high = f"{indicator}_low", f"{indicator}_high"
    if low in df.columns and high in df.columns:
        error_y = {
            "type": "data",
            "symmetric": False,
            "array": df[high].to_numpy() - y,
            "arrayminus": y - df[low].to_numpy(),
            "color": OKABE_ITO[6],
        }
    label = indicator_label(indicator, lang)
    fig = go.Figure(
        go.Bar(
            x=[regime_label(r, lang) for r in regimes],
            y=y,
            name=label,
            meta=indicator,
            marker_color=colours,
            error_y=error_y,
            customdata=regimes,
        )
    )
    fig.update_xaxes(title_text=t("plot.axis.regime", lang))
    fig.update_yaxes(title_text=axis_title(indicator, lang), rangemode="tozero")
    fig.update_layout(showlegend=False, hovermode="closest")
    return _finish(fig, t("plot.compare.title", lang, indicator=label), lang)


def explain_digits(indicator: str) -> int:
    """Digits a gap of ``indicator`` is written with: 3 for €/m³, 4 for €/kWh, 0 for euros
    (reserves of millions), 1 otherwise."""
    if indicator.endswith("_per_m3"):
        return 3
    if indicator.endswith("_per_kwh"):
        return 4
    if indicator.endswith("_eur"):
        return 0
    return 1


def explain_waterfall(ex: Any, lang: str = "fr") -> go.Figure:
    """The gap between two scenarios, difference by difference: a waterfall from scenario ``a``'s
    value to ``b``'s (an :class:`sim.experiments.explain.Explanation`)."""
    digits = explain_digits(ex.indicator)
    names = [ex.a_name, *(p.short_label(lang) for p in ex.parts), ex.b_name]
    values = [ex.a_value, *(p.delta for p in ex.parts), ex.b_value]
    measures = ["absolute", *(["relative"] * len(ex.parts)), "total"]
    text = [fmt_number(ex.a_value, lang, digits)]
    text += [("+" if p.delta >= 0 else "") + fmt_number(p.delta, lang, digits) for p in ex.parts]
    text.append(fmt_number(ex.b_value, lang, digits))
    # a step the people served would welcome is green, the other vermillion: a lower price, but
    # higher reserves or a larger share underground (the indicator table's direction)
    better_up = getattr(INDICATOR_TABLE.get(ex.indicator), "direction", "lower") == "higher"
    up, down = (OKABE_ITO[2], OKABE_ITO[3]) if better_up else (OKABE_ITO[3], OKABE_ITO[2])
    fig = go.Figure(
        go.Waterfall(
            x=["<br>".join(_wrap(n, 22)) for n in names],
            y=values,
            measure=measures,
            text=text,
            textposition="outside",
            meta=ex.indicator,
            increasing={"marker": {"color": up}},
            decreasing={"marker": {"color": down}},
            totals={"marker": {"color": OKABE_ITO[0]}},
            connector={"line": {"color": "#999999"}},
        )
    )
    fig.update_yaxes(title_text=axis_title(ex.indicator, lang))
    fig.update_layout(showlegend=False)
    title = t("plot.explain.title", lang, indicator=indicator_label(ex.indicator, lang), year=ex.year)
    return _finish(fig, title, lang)


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return [*lines, line] if line else lines


# ------------------------------------------------------------------------------------------
# ensembles: fan charts
# ------------------------------------------------------------------------------------------
#: the percentile columns of :meth:`sim.experiments.ensemble.Ensemble.bands`, lowest first
BAND_COLUMNS: tuple[str, ...] = ("p5", "p25", "p50", "p75", "p95")


def _rgba(colour: str, alpha: float) -> str:
    """``"#0072B2"`` -> ``"rgba(0,114,178,alpha)"``, for a band drawn under its median line."""
    h = colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _bands_table(bands: pd.DataFrame, what: str) -> pd.DataFrame:
    """``bands`` with ``year`` as a column (it may be the index, as ``Ensemble.bands`` gives)."""
    df = bands.reset_index() if "year" not in bands.columns else bands
    _check(df, ["year", *BAND_COLUMNS], what)
    return df.sort_values("year")


#: units counted in whole things or large volumes: shown without decimals on hover
_WHOLE_UNITS = frozenset(
    {"unit.breaks_per_year", "unit.households", "unit.persons", "unit.m3", "unit.m3_per_year", "unit.crews"}
)


def _hover_format(indicator: str) -> str:
    """The d3 format of ``indicator``'s value on hover: cents for a price per m3, one decimal for
    shares and staff, whole euros and counts (plotly applies the figure's ``separators``)."""
    unit = unit_key(indicator)
    if unit == "unit.eur_per_m3":
        return ",.2f"
    if unit in ("unit.pct", "unit.fte"):
        return ",.1f"
    return ",.0f" if "eur" in unit or unit in _WHOLE_UNITS else ",.1f"


def _hover(name: str, indicator: str, lang: str, axis: str = "y") -> str:
    """A hover label « name : value » with the value in ``indicator``'s format."""
    colon = " : " if normalise_lang(lang) == "fr" else ": "
    return f"{name}{colon}%{{{axis}:{_hover_format(indicator)}}}<extra></extra>"


def _band_trace(
    df: pd.DataFrame,
    band: str,
    indicator: str,
    lang: str,
    *,
    name: str,
    group: str,
    hover: str,
    line: dict[str, Any],
    fill: str | None = None,
    legend: bool = False,
    scenario: str | None = None,
) -> go.Scatter:
    meta: dict[str, str] = {"indicator": indicator, "band": band}
    if scenario is not None:
        meta["scenario"] = scenario
    return go.Scatter(
        x=df["year"].to_numpy(),
        y=df[band].to_numpy(dtype=float),
        mode="lines",
        name=name,
        meta=meta,
        line=line,
        fill="tonexty" if fill else None,
        fillcolor=fill,
        legendgroup=group,
        showlegend=legend,
        hovertemplate=f"{hover} : %{{y:{_hover_format(indicator)}}}<extra></extra>"
        if normalise_lang(lang) == "fr"
        else f"{hover}: %{{y:{_hover_format(indicator)}}}<extra></extra>",
    )


def _fan_layout(
    fig: go.Figure, indicator: str, lang: str, runs: int | None, note: str | None = None
) -> go.Figure:
    """Title (the indicator), subtitle (how many futures, ``note``), axes with units, legend."""
    parts = []
    if runs is not None:
        key = "ensemble.plot.runs" + (".one" if runs == 1 else "")
        parts.append(t(key, lang, runs=fmt_number(runs, lang)))
    if note:
        parts.append(note)
    fig.update_xaxes(title_text=t("plot.axis.year", lang), tickformat="d")
    fig.update_yaxes(title_text=axis_title(indicator, lang))
    if unit_key(indicator) in ("unit.eur", "unit.eur_per_year"):
        fig.update_yaxes(tickformat=",.0f")  # 12 000 000, not 12M
    _finish(fig, indicator_label(indicator, lang), lang)
    fig.update_layout(
        title_subtitle_text=" · ".join(parts),
        legend={"y": -0.2},
        margin={"t": 80 if parts else 60, "b": 90},
    )
    return fig


def fan_chart(
    bands: pd.DataFrame,
    indicator: str,
    lang: str = "fr",
    *,
    runs: int | None = None,
    colour: str = OKABE_ITO[0],
) -> go.Figure:
    """A fan chart of an ensemble: the P5–P95 and P25–P75 bands, shaded, and the median line.

    Parameters
    ----------
    bands
        Year × ``p5, p25, p50, p75, p95`` (:meth:`sim.experiments.ensemble.Ensemble.bands`; ``year`` as the
        index or a column). Drawn as given, never recomputed.
    indicator
        The column the bands are of (``"bill_120m3_eur"``…): it titles the chart and gives the
        y axis its unit.
    runs
        The number of simulated futures, said under the title when given.
    colour
        The fan's colour (Okabe–Ito blue by default).

    Traces, in order: P5, P95 (filled down to P5), P25, P75 (filled down to P25), median; each
    carries ``meta = {"indicator": …, "band": "p5"…}``. The legend names the two bands and the
    median in words (« 9 futurs sur 10 »).
    """
    df = _bands_table(bands, "bands")
    fig = go.Figure()
    edge = {"width": 0, "color": colour}
    for low, high, alpha, key in (
        ("p5", "p95", 0.18, "ensemble.plot.band90"),
        ("p25", "p75", 0.38, "ensemble.plot.band50"),
    ):
        for band, fill in ((low, None), (high, _rgba(colour, alpha))):
            fig.add_trace(
                _band_trace(
                    df,
                    band,
                    indicator,
                    lang,
                    name=t(key, lang) if fill else band.upper(),
                    group=f"{low}_{high}",
                    hover=band.upper(),
                    line=edge,
                    fill=fill,
                    legend=fill is not None,
                )
            )
    median = t("ensemble.plot.median", lang)
    fig.add_trace(
        _band_trace(
            df,
            "p50",
            indicator,
            lang,
            name=median,
            group="p50",
            hover=median,
            line={"color": colour, "width": 2.5},
            legend=True,
        )
    )
    return _fan_layout(fig, indicator, lang, runs)


def _legend_key(name: str, **style: Any) -> go.Scatter:
    """A legend entry with no data, explaining a line or band style shared by every scenario."""
    return go.Scatter(x=[None], y=[None], mode="lines", name=name, showlegend=True, hoverinfo="skip", **style)


def fan_compare(
    bands: Mapping[str, pd.DataFrame],
    indicator: str,
    lang: str = "fr",
    *,
    runs: int | None = None,
) -> go.Figure:
    """Fan charts of several ensembles on one chart (one per regime, on common random numbers).

    Each scenario gets its colour (:data:`REGIME_COLOURS` for a regime code, else Okabe–Ito) and
    a dash pattern for its median, its P25–P75 band shaded, and P5 and P95 as thin dotted lines;
    one legend entry per scenario shows or hides all of its traces, and two grey entries say what
    the band and the dotted lines are.

    Parameters
    ----------
    bands
        Scenario name (a regime code such as ``"regie"``, or any label) -> year × ``p5 … p95``.
    indicator
        The column the bands are of.
    runs
        The number of simulated futures per scenario, said under the title when given.

    Traces, per scenario in order: P5, P95, P25, P75 (filled down to P25), median, each with
    ``meta = {"indicator": …, "band": …, "scenario": name}``; then the two legend keys (no data,
    ``meta = {"key": "p25_p75"}`` and ``{"key": "p5_p95"}``).
    """
    if not bands:
        raise ValueError("fan_compare needs the bands of at least one scenario")
    fig = go.Figure()
    for i, (name, table) in enumerate(bands.items()):
        df = _bands_table(table, f"bands[{name!r}]")
        colour = REGIME_COLOURS.get(str(name), OKABE_ITO[i % len(OKABE_ITO)])
        label = regime_label(str(name), lang)
        kw: dict[str, Any] = {"group": str(name), "scenario": str(name)}
        edge = {"width": 0, "color": colour}
        thin = {"color": colour, "width": 1, "dash": "dot"}
        for band, line, fill in (
            ("p5", thin, None),
            ("p95", thin, None),
            ("p25", edge, None),
            ("p75", edge, _rgba(colour, 0.25)),
        ):
            fig.add_trace(
                _band_trace(
                    df,
                    band,
                    indicator,
                    lang,
                    name=f"{label} — {band.upper()}",
                    hover=f"{label}, {band.upper()}",
                    line=line,
                    fill=fill,
                    **kw,
                )
            )
        fig.add_trace(
            _band_trace(
                df,
                "p50",
                indicator,
                lang,
                name=label,
                hover=f"{label}, {t('ensemble.plot.median', lang).lower()}",
                line={"color": colour, "width": 2.5, "dash": DASHES[i % len(DASHES)]},
                legend=True,
                **kw,
            )
        )
    grey = OKABE_ITO[6]
    fig.add_trace(
        _legend_key(
            t("ensemble.plot.compare.band50", lang),
            meta={"key": "p25_p75"},
            fill="toself",
            fillcolor=_rgba(grey, 0.25),
            line={"width": 0, "color": grey},
        )
    )
    fig.add_trace(
        _legend_key(
            t("ensemble.plot.compare.band90", lang),
            meta={"key": "p5_p95"},
            line={"width": 1, "dash": "dot", "color": grey},
        )
    )
    return _fan_layout(fig, indicator, lang, runs, t("ensemble.plot.compare.lines", lang))


def tornado_figure(
    df: pd.DataFrame, indicator: str, lang: str = "fr", labels: Mapping[str, str] | None = None
) -> go.Figure:
    """One bar per parameter from its value at the low bound to its value at the high bound,
    widest swing on top, with a line at the scenario's own value (``one_at_a_time``'s table).
    ``labels`` names the parameters in words (by dotted path); a path without one shows as itself."""
    d = df.dropna(subset=["swing"]).iloc[::-1]
    names = [labels.get(p, p) for p in d["param"]] if labels else d["param"]
    base = float(df["base"].iloc[0]) if len(df) else 0.0
    fig = go.Figure()
    for name, col, color in (("low", "at_low", "#0072B2"), ("high", "at_high", "#D55E00")):
        fig.add_bar(
            y=names,
            x=d[col] - base,
            base=base,
            orientation="h",
            name=t(f"tornado.{name}", lang),
            marker_color=color,
        )
    fig.add_vline(x=base, line_color="#333")
    fig.update_layout(
        barmode="overlay",
        legend={"orientation": "h", "y": -0.15},
        xaxis_title=axis_title(indicator, lang),
    )
    return _finish(
        fig,
        t("tornado.title", lang, indicator=indicator_label(indicator, lang)),
        lang,
        height=max(300, 40 * len(d) + 150),
    )


def gap_waterfall(
    start: tuple[str, float],
    parts: Sequence[tuple[str, float]],
    end: tuple[str, float],
    *,
    title: str,
    axis: str,
    lang: str = "fr",
    digits: int = 2,
) -> go.Figure:
    """A gap made of parts: a waterfall from ``start`` (label, value) through each part (label,
    change) to ``end``; a lower step is green, a higher one vermillion (costs: lower is better).
    The multi-service régie against separate services uses it (:mod:`sim.dashboard.compare_multi`)."""
    names = [start[0], *(p[0] for p in parts), end[0]]
    values = [start[1], *(p[1] for p in parts), end[1]]
    text = [fmt_number(start[1], lang, digits)]
    text += [("+" if d >= 0 else "") + fmt_number(d, lang, digits) for _, d in parts]
    text.append(fmt_number(end[1], lang, digits))
    fig = go.Figure(
        go.Waterfall(
            x=["<br>".join(_wrap(n, 22)) for n in names],
            y=values,
            measure=["absolute", *(["relative"] * len(parts)), "total"],
            text=text,
            textposition="outside",
            increasing={"marker": {"color": OKABE_ITO[3]}},
            decreasing={"marker": {"color": OKABE_ITO[2]}},
            totals={"marker": {"color": OKABE_ITO[0]}},
            connector={"line": {"color": "#999999"}},
        )
    )
    level, levels = start[1], [start[1], end[1]]
    for _, d in parts:  # where each step ends
        level += d
        levels.append(level)
    low, high = min(levels), max(levels)
    pad = max(high - low, abs(high) * 0.01, 1e-9)
    # the bars differ by a few per cent of their height: the axis starts near them, not at 0
    fig.update_yaxes(title_text=axis, range=[low - 1.5 * pad, high + 1.0 * pad])
    fig.update_layout(showlegend=False, hovermode="closest")
    return _finish(fig, title, lang)
