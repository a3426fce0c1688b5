"""Page « Remunicipalisation »: end a water (or electricity) concession and see where the money,
the price and the staff go.

A service selector (the app's « Eau / Électricité ») chooses the scenario: water's
``scenarios/remunicipalisation.yaml``, or electricity's ``scenarios/electricity/remunicipalisation.yaml``
(a local distribution company's return from a private concession to a municipal régie). Both go
through the same functions; for electricity the price shown is the reference bill (6 kVA,
4,400 kWh, TTC), the statute is the IEG's (electricity.md §1.2), and the page says what the law
fixes nationally (TURPE, TRVE, the concession regime of distribution).

The page runs ``scenarios/remunicipalisation.yaml`` (a concession that can end with a return to a
public régie) with the user's choices — contract end year, what happens then (re-tender, régie,
commons), transition cost, share of staff transferred, return of assets and of unspent renewal
provisions — and, on the same seed, the baseline where the concession continues (``at_end =
retender``, same end year). Both runs go through :func:`sim.dashboard.common.run` (cached).

It shows, for both runs: the money that leaves the service each year, stacked by line (operator
margin, head-office fees, delegation overhead, corporate taxes, renewal provision kept, operator
result — the ``periods`` columns summed by year; a negative operator result is a loss the
operator covered); the price per m3 of the 120 m3 bill; the workforce (in-house and subcontracted
FTE, staff transferred, wage bill, from ``result.workforce``); and the contract's decisions
(avenants, end of contract) as a table.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from sim.dashboard import common, firstview, share
from sim.i18n import THOUSANDS_FR, fmt_eur, fmt_number, fmt_pct, has_key, localise_numbers, normalise_lang, t
from sim.scenario.errors import ScenarioError
from sim.scenario.model import Scenario, load_scenario, scenarios_dir, with_changes
from sim.show import plots
from sim.show.plots import OKABE_ITO, indicator_label

K = "remun."  # prefix of this page's session-state keys
PAGE = "remunicipalisation"
PREFIX = K
SCENARIO_FILE = "remunicipalisation.yaml"
#: the scenario of each service (under scenarios/)
SCENARIO_FILES: dict[str, str] = {
    "water": SCENARIO_FILE,
    "electricity": "electricity/remunicipalisation.yaml",
}
#: the price each service shows (a ``years`` column): water's 120 m3 bill per m3, electricity's
#: reference bill (6 kVA, 4,400 kWh, TTC)
PRICE_COLUMNS: dict[str, str] = {"water": "price_120m3_eur_per_m3", "electricity": "bill_ref_eur"}
OPTIONS: tuple[str, ...] = ("retender", "regie", "commons")
#: the ``periods`` columns of money leaving the service, in stacking order
OUTFLOW_COLUMNS: tuple[str, ...] = (
    "margin_eur",
    "head_office_eur",
    "delegation_overhead_eur",
    "corporate_tax_eur",
    "provision_kept_eur",
    "operator_result_eur",
)
CONCESSION = "governance.concession."
#: contract parameters drawn from the schema (label, help, bounds, source)
SCHEMA_WIDGETS: tuple[str, ...] = (
    CONCESSION + "transition_cost_eur",
    CONCESSION + "staff_transferred_share",
    CONCESSION + "assets_returned",
    CONCESSION + "unspent_provision_returned",
)
#: the workers' terms of the return (:mod:`sim.governance.return_terms`)
TERMS_WIDGETS: tuple[str, ...] = (
    CONCESSION + "subcontracted_pct_after_return",
    CONCESSION + "wage_change_at_return_pct",
)
CONTRACT_ITEMS = ("avenant", "contract_end", "return_terms")
#: the years of the financing table: from the year before the switch to this many after it
FINANCING_YEARS_AFTER = 4
PERSIST: Literal["session"] = "session"  # widget values survive page changes


# ------------------------------------------------------------------------------------------
# scenarios (pure)
# ------------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def base_scenario(service: str = "water") -> Scenario:
    """The service's remunicipalisation scenario (:data:`SCENARIO_FILES`), loaded once per server."""
    return load_scenario(scenarios_dir() / SCENARIO_FILES[service])


def tr(key: str, lang: str, service: str = "water", **kw: Any) -> str:
    """The page's text ``remun.<key>``, in the service's own words when it has them
    (``remun.electricity.<key>``)."""
    own = f"remun.{service}.{key}"
    if service != "water" and has_key(own, lang):
        return t(own, lang, **kw)
    return t(f"remun.{key}", lang, **kw)


def contract_end_year(s: Scenario) -> int:
    """First year without the current contract: start year + duration."""
    c = s.governance.concession
    return c.contract_start_year + c.duration_years


def end_year_bounds(s: Scenario) -> tuple[int, int]:
    """End years whose before and after both fall inside the simulated horizon."""
    first = s.town.start_year
    c = s.governance.concession
    lo = max(first + 1, c.contract_start_year + 1)
    return lo, max(lo, first + s.horizon_years - 1)


def scenario_pair(
    base: Scenario, end_year: int, at_end: str, changes: dict[str, Any] | None = None
) -> tuple[Scenario, Scenario]:
    """(chosen, baseline): ``base`` with the user's choices, and the same with the concession
    continuing (re-tendered at the same end year). Raises :class:`ScenarioError` on bad input."""
    c = base.governance.concession
    all_changes = {
        **(changes or {}),
        CONCESSION + "duration_years": int(end_year) - c.contract_start_year,
        CONCESSION + "at_end": at_end,
    }
    chosen = with_changes(base, all_changes)
    baseline = with_changes(chosen, {CONCESSION + "at_end": "retender"})
    return chosen, baseline


# ------------------------------------------------------------------------------------------
# tables (pure)
# ------------------------------------------------------------------------------------------
def outflow_by_year(periods: pd.DataFrame) -> pd.DataFrame:
    """Money leaving the service per year and line (€), with a ``total_eur`` column; index year."""
    missing = [c for c in ("year", *OUTFLOW_COLUMNS) if c not in periods.columns]
    if missing:
        raise KeyError(f"periods lacks column(s) {missing}")
    out = periods.groupby("year")[list(OUTFLOW_COLUMNS)].sum()
    out["total_eur"] = out[list(OUTFLOW_COLUMNS)].sum(axis=1)
    return out


def before_after(by_year: pd.DataFrame, switch_year: int) -> tuple[float, float]:
    """Mean yearly total outflow before ``switch_year`` and from it on (NaN if no such year)."""
    years = by_year.index.to_numpy()
    before = by_year.loc[years < switch_year, "total_eur"]
    after = by_year.loc[years >= switch_year, "total_eur"]
    return (
        float(before.mean()) if len(before) else float("nan"),
        float(after.mean()) if len(after) else float("nan"),
    )


def transition_cost(periods: pd.DataFrame) -> float:
    """Transition costs paid over the run (€)."""
    return float(periods["transition_eur"].sum()) if "transition_eur" in periods else 0.0


def contract_decisions(decisions: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Avenants and the end of the contract, as people read them (reasons in the page's language)."""
    cols = ["date", "item", "option", "adopted", "reason"]
    if decisions.empty or "item" not in decisions:
        return pd.DataFrame(columns=[t(f"remun.dec.{c}", lang) for c in cols])
    rows = decisions[decisions["item"].isin(CONTRACT_ITEMS)]
    out = pd.DataFrame(
        {
            t("remun.dec.date", lang): rows["date"].astype(str),
            t("remun.dec.item", lang): [t(f"remun.item.{i}", lang) for i in rows["item"]],
            t("remun.dec.option", lang): [_option_label(str(o), lang) for o in rows["option"]],
            t("remun.dec.adopted", lang): [
                t("common.yes" if a else "common.no", lang) for a in rows["adopted"]
            ],
            t("remun.dec.reason", lang): common.decision_reasons(rows, lang),
        }
    )
    return out.reset_index(drop=True)


def _option_label(option: str, lang: str) -> str:
    key = f"remun.option.{option}"
    return t(key, lang) if has_key(key, lang) else localise_numbers(option, lang)


def workforce_table(chosen: pd.DataFrame, baseline: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per year: in-house and subcontracted FTE, staff transferred and wage bill of the chosen
    run, with the wage bill of the baseline beside it (text in the page's language)."""
    merged = chosen.merge(
        baseline[["year", "wage_bill_eur"]], on="year", how="left", suffixes=("", "_baseline")
    )
    return pd.DataFrame(
        {
            t("ind.year", lang): merged["year"].astype(int).astype(str),
            indicator_label("fte_in_house", lang): [fmt_number(x, lang, 1) for x in merged["fte_in_house"]],
            indicator_label("fte_subcontracted", lang): [
                fmt_number(x, lang, 1) for x in merged["fte_subcontracted"]
            ],
            indicator_label("staff_transferred", lang): [
                fmt_number(x, lang, 1) for x in merged["staff_transferred"]
            ],
            indicator_label("repairs_per_crew", lang): [
                fmt_number(x, lang, 1) for x in merged["repairs_per_crew"]
            ],
            indicator_label("overtime_hours", lang): [
                fmt_number(x, lang, 0) for x in merged["overtime_hours"]
            ],
            indicator_label("wage_bill_eur", lang): [fmt_eur(x, lang, 0) for x in merged["wage_bill_eur"]],
            t("remun.col.wage_bill_baseline", lang): [
                fmt_eur(x, lang, 0) for x in merged["wage_bill_eur_baseline"]
            ],
        }
    )


def _mean(df: pd.DataFrame, col: str, mask: Any) -> float:
    sub = df.loc[mask, col]
    return float(sub.mean()) if len(sub) else float("nan")


def workforce_story(chosen: pd.DataFrame, baseline: pd.DataFrame, switch_year: int) -> dict[str, float]:
    """The workers' side of the switch, from the two runs' ``workforce`` tables.

    Keys: ``transferred`` (FTE), ``fte`` (staff before the switch), ``sub_before_pct`` and
    ``sub_after_pct`` (share of FTE subcontracted, the year before and the switch year),
    ``in_house_before`` and ``in_house_after`` (FTE), ``wage_bill_after`` and
    ``wage_bill_baseline_after`` (mean € per year from the switch on, chosen and baseline),
    ``repairs_before`` and ``repairs_after`` (mean repairs per crew per year, chosen), ``overtime``
    and ``overtime_baseline`` (hours over the whole run).
    """
    c = chosen.set_index("year")
    b = baseline.set_index("year")
    before_year = max(int(c.index.min()), switch_year - 1)
    at = switch_year if switch_year in c.index else int(c.index.max())

    def sub_pct(row: pd.Series) -> float:
        total = float(row["fte_in_house"] + row["fte_subcontracted"])
        return 100.0 * float(row["fte_subcontracted"]) / total if total else 0.0

    after, before = c.index >= switch_year, c.index < switch_year
    return {
        "transferred": float(c["staff_transferred"].sum()),
        "fte": float(c.loc[before_year, "fte_in_house"] + c.loc[before_year, "fte_subcontracted"]),
        "sub_before_pct": sub_pct(c.loc[before_year]),
        "sub_after_pct": sub_pct(c.loc[at]),
        "in_house_before": float(c.loc[before_year, "fte_in_house"]),
        "in_house_after": float(c.loc[at, "fte_in_house"]),
        "wage_bill_after": _mean(c, "wage_bill_eur", after),
        "wage_bill_baseline_after": _mean(b, "wage_bill_eur", b.index >= switch_year),
        "repairs_before": _mean(c, "repairs_per_crew", before),
        "repairs_after": _mean(c, "repairs_per_crew", after),
        "overtime": float(c["overtime_hours"].sum()),
        "overtime_baseline": float(b["overtime_hours"].sum()),
    }


def transition_split(decisions: pd.DataFrame) -> tuple[float, float] | None:
    """(from reserves, by a public loan), in €, as the contract's end decision records them; None
    when the run has no such decision (the concession continues)."""
    if decisions.empty or "item" not in decisions:
        return None
    rows = decisions[decisions["item"] == "contract_end"]
    for params in rows["reason_params"] if "reason_params" in rows else []:
        said = json.loads(params)
        if "from_reserves_eur" in said:
            return float(said["from_reserves_eur"]), float(said["loan_eur"])
    return None


#: the financing table's columns: (years column, or ``transition_eur`` from the periods)
FINANCING_COLUMNS: tuple[str, ...] = (
    "transition_eur",
    "loan_proceeds_eur",
    "debt_eur",
    "debt_service_eur",
    "treasury_drawn_max_eur",
    "unfinanced_eur",
)


def financing_frame(
    chosen_years: pd.DataFrame, baseline_years: pd.DataFrame, periods: pd.DataFrame, switch_year: int
) -> pd.DataFrame:
    """Per year around the switch (numbers, index year): the transition cost, the loans taken, the
    debt at the year's end, its service, the treasury line drawn and what went beyond it, for the
    chosen run, with the baseline's loans and debt service beside them (``*_baseline``)."""
    c = chosen_years.set_index("year")
    b = baseline_years.set_index("year")
    years = [y for y in range(switch_year - 1, switch_year + FINANCING_YEARS_AFTER + 1) if y in c.index]
    out = pd.DataFrame(index=pd.Index(years, name="year"))
    out["transition_eur"] = periods.groupby("year")["transition_eur"].sum().reindex(years).fillna(0.0)
    for col in FINANCING_COLUMNS[1:]:
        out[col] = c.loc[years, col]
    out["loan_proceeds_eur_baseline"] = b["loan_proceeds_eur"].reindex(years)
    out["debt_service_eur_baseline"] = b["debt_service_eur"].reindex(years)
    return out


def financing_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`financing_frame` as text, with headers in ``lang``."""
    cols = {
        "transition_eur": t("remun.fin.col.transition", lang),
        "loan_proceeds_eur": t("remun.fin.col.loans", lang),
        "loan_proceeds_eur_baseline": t("remun.fin.col.loans_baseline", lang),
        "debt_eur": t("remun.fin.col.debt", lang),
        "debt_service_eur": t("remun.fin.col.debt_service", lang),
        "debt_service_eur_baseline": t("remun.fin.col.debt_service_baseline", lang),
        "treasury_drawn_max_eur": t("remun.fin.col.treasury", lang),
        "unfinanced_eur": t("remun.fin.col.unfinanced", lang),
    }
    out = pd.DataFrame({t("ind.year", lang): [str(int(y)) for y in frame.index]})
    for col, label in cols.items():
        out[label] = [fmt_eur(x, lang, 0) for x in frame[col]]
    return out


# ------------------------------------------------------------------------------------------
# figures (pure)
# ------------------------------------------------------------------------------------------
def _style(fig: go.Figure, title: str, lang: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        template="plotly_white",
        colorway=list(OKABE_ITO),
        separators="," + THOUSANDS_FR if normalise_lang(lang) == "fr" else ".,",
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0.0},
        margin={"l": 80, "r": 30, "t": 90, "b": 60},
        height=height,
    )
    return fig


def option_label(option: str, lang: str) -> str:
    """What happens at the end of the contract, in words."""
    return t(f"remun.at_end.{option}", lang)


def outflow_figure(
    chosen: pd.DataFrame, baseline: pd.DataFrame, switch_year: int, at_end: str, lang: str
) -> go.Figure:
    """Stacked bars of the money leaving the service by line and year: baseline | chosen.

    ``chosen`` and ``baseline`` are :func:`outflow_by_year` tables. Negative values (a loss the
    operator covered) stack below zero.
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=(t("remun.baseline", lang), option_label(at_end, lang)),
    )
    for col_idx, table in ((1, baseline), (2, chosen)):
        for i, col in enumerate(OUTFLOW_COLUMNS):
            fig.add_trace(
                go.Bar(
                    x=table.index.to_numpy(),
                    y=table[col].to_numpy(),
                    meta=col,
                    name=indicator_label(col, lang),
                    marker_color=OKABE_ITO[i % len(OKABE_ITO)],
                    legendgroup=col,
                    showlegend=col_idx == 1,
                    hovertemplate="%{x}: %{y:,.0f} €<extra>%{fullData.name}</extra>",
                ),
                row=1,
                col=col_idx,
            )
        fig.add_vline(x=switch_year - 0.5, line_dash="dash", line_color=OKABE_ITO[6], row=1, col=col_idx)
    fig.update_xaxes(title_text=t("plot.axis.year", lang), tickformat="d")
    fig.update_yaxes(title_text=t("remun.axis.outflow", lang), tickformat=",.0f", row=1, col=1)
    fig.update_layout(barmode="relative", hovermode="closest")
    return _style(fig, t("remun.outflow.title", lang, year=switch_year), lang, 480)


def price_figure(
    chosen: pd.DataFrame,
    baseline: pd.DataFrame,
    switch_year: int,
    at_end: str,
    lang: str,
    service: str = "water",
) -> go.Figure:
    """The service's price each year, chosen and baseline: water's price per m3 of the 120 m3 bill
    (SISPEA D102.0), electricity's reference bill (:data:`PRICE_COLUMNS`)."""
    col = PRICE_COLUMNS[service]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=baseline["year"].to_numpy(),
            y=baseline[col].to_numpy(),
            name=t("remun.baseline", lang),
            meta=col,
            mode="lines",
            line={"color": plots.REGIME_COLOURS["concession"], "dash": "dash", "width": 2.5},
        )
    )
    colour = plots.REGIME_COLOURS.get(at_end, plots.REGIME_COLOURS["concession"])
    fig.add_trace(
        go.Scatter(
            x=chosen["year"].to_numpy(),
            y=chosen[col].to_numpy(),
            name=option_label(at_end, lang),
            meta=col,
            mode="lines",
            line={"color": colour, "width": 2.5},
        )
    )
    fig.add_vline(x=switch_year - 0.5, line_dash="dot", line_color=OKABE_ITO[6])
    fig.update_xaxes(title_text=t("plot.axis.year", lang), tickformat="d")
    fig.update_yaxes(title_text=plots.axis_title(col, lang), rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return _style(fig, tr("price.title", lang, service), lang, 380)


def workforce_figure(
    chosen: pd.DataFrame, baseline: pd.DataFrame, switch_year: int, at_end: str, lang: str
) -> go.Figure:
    """The workers' side, year by year: staff in-house and subcontracted (your choice, stacked),
    the wage bill and the repairs per crew (your choice and the baseline), and overtime hours
    only when some were worked (an empty panel says nothing; the page says it in words)."""
    overtime = bool((chosen["overtime_hours"] > 0).any() or (baseline["overtime_hours"] > 0).any())
    titles = [plots.indicator_short("fte", lang)]
    titles += [plots.indicator_label(c, lang) for c in ("wage_bill_eur", "repairs_per_crew")]
    if overtime:
        titles.append(t("ind.overtime_hours", lang))
    # four panels in a square with overtime; three side by side without
    cells = [(1, 1), (1, 2), (2, 1), (2, 2)] if overtime else [(1, 1), (1, 2), (1, 3)]
    rows, cols = (2, 2) if overtime else (1, 3)
    fig = make_subplots(
        rows=rows, cols=cols, vertical_spacing=0.2, horizontal_spacing=0.1, subplot_titles=titles
    )
    colour = plots.REGIME_COLOURS.get(at_end, OKABE_ITO[0])
    base_line = {"color": plots.REGIME_COLOURS["concession"], "dash": "dash", "width": 2}
    yrs_c, yrs_b = chosen["year"].to_numpy(), baseline["year"].to_numpy()
    for i, col in enumerate(("fte_in_house", "fte_subcontracted")):
        fig.add_trace(
            go.Bar(
                x=yrs_c,
                y=chosen[col].to_numpy(),
                name=indicator_label(col, lang),
                meta=col,
                marker_color=OKABE_ITO[i],
                hovertemplate="%{x}: %{y:,.1f}<extra>%{fullData.name}</extra>",
            ),
            row=1,
            col=1,
        )
    names = ["wage_bill_eur", "repairs_per_crew"] + (["overtime_hours"] if overtime else [])
    panels = [(col, *cell) for col, cell in zip(names, cells[1:], strict=True)]
    for n, (col, r, c) in enumerate(panels):
        fig.add_trace(
            go.Scatter(
                x=yrs_b,
                y=baseline[col].to_numpy(),
                name=t("remun.baseline", lang),
                meta=f"{col}:baseline",
                mode="lines",
                line=base_line,
                legendgroup="baseline",
                showlegend=n == 0,
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Scatter(
                x=yrs_c,
                y=chosen[col].to_numpy(),
                name=option_label(at_end, lang),
                meta=col,
                mode="lines",
                line={"color": colour, "width": 2.5},
                legendgroup="chosen",
                showlegend=n == 0,
            ),
            row=r,
            col=c,
        )
        fig.update_yaxes(title_text=plots.axis_title(col, lang), rangemode="tozero", row=r, col=c)
    fig.update_yaxes(title_text=t("unit.fte", lang), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(tickformat=",.0f", row=1, col=2)
    for r, c in cells:
        fig.update_xaxes(tickformat="d", row=r, col=c)
        fig.add_vline(x=switch_year - 0.5, line_dash="dot", line_color=OKABE_ITO[6], row=r, col=c)
    fig.update_layout(barmode="stack", hovermode="closest")
    return _style(fig, t("remun.workforce.title", lang), lang, 640 if overtime else 440)


# ------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------
def _inputs(base: Scenario, lang: str, service: str = "water") -> tuple[int, str, dict[str, Any]]:
    ss = st.session_state
    # each service keeps its own choices (water's keys as before)
    K = PREFIX if service == "water" else f"{PREFIX}{service}."  # noqa: N806
    lo, hi = end_year_bounds(base)
    if K + "end_year" not in ss:
        ss[K + "end_year"] = min(max(contract_end_year(base), lo), hi)
    if K + "at_end" not in ss:
        ss[K + "at_end"] = base.governance.concession.at_end
    with st.container(border=True):
        c1, c2, c3 = st.columns(3, gap="medium")
        end_year = c1.number_input(
            t("remun.end_year", lang),
            min_value=lo,
            max_value=hi,
            step=1,
            key=K + "end_year",
            persist_state=PERSIST,
            help=t("remun.end_year.help", lang, start=base.governance.concession.contract_start_year),
        )
        at_end = c1.radio(
            t("remun.at_end", lang),
            OPTIONS,
            key=K + "at_end",
            format_func=lambda o: option_label(o, lang),
            persist_state=PERSIST,
            help=common.widget_help(common.param_at(Scenario, CONCESSION + "at_end"), lang),
        )
        changes = common.widgets_for(
            Scenario, base, SCHEMA_WIDGETS[:2], lang, container=c2, key_prefix=K + "w."
        )
        # the workers' terms beside them; the yes/no questions below, full width, so that
        # their long labels are not cut on a laptop or a phone
        c3.markdown(f"**{t('remun.terms.header', lang)}**")
        changes |= common.widgets_for(Scenario, base, TERMS_WIDGETS, lang, container=c3, key_prefix=K + "w.")
        c3.caption(t("remun.terms.note", lang))
        changes |= common.widgets_for(Scenario, base, SCHEMA_WIDGETS[2:], lang, key_prefix=K + "w.")
        st.caption(t("remun.inputs.note", lang))
    return int(end_year), str(at_end), changes


def _metrics(
    chosen_out: pd.DataFrame, base_out: pd.DataFrame, chosen: Any, year: int, at_end: str, lang: str
) -> None:
    before, after = before_after(chosen_out, year)
    _, base_after = before_after(base_out, year)
    c1, c2, c3 = st.columns(3)
    c1.metric(
        t("remun.metric.before", lang, year=year),
        fmt_eur(before, lang, 0),
        help=t("remun.metric.outflow.help", lang),
        border=True,
    )
    c2.metric(
        t("remun.metric.after", lang, year=year),
        fmt_eur(after, lang, 0),
        fmt_eur(after - before, lang, 0),
        delta_color="inverse",
        border=True,
        help=option_label(at_end, lang) + ". " + t("remun.metric.outflow.help", lang),
    )
    c3.metric(
        t("remun.metric.baseline_after", lang, year=year),
        fmt_eur(base_after, lang, 0),
        fmt_eur(base_after - before, lang, 0),
        delta_color="inverse",
        border=True,
        help=t("remun.baseline", lang) + ". " + t("remun.metric.outflow.help", lang),
    )
    total_saved = float(
        base_out.loc[base_out.index >= year, "total_eur"].sum()
        - chosen_out.loc[chosen_out.index >= year, "total_eur"].sum()
    )
    st.columns(3)[0].metric(
        t("remun.metric.kept", lang, year=year),
        fmt_eur(total_saved, lang, 0),
        help=t("remun.metric.kept.help", lang),
        border=True,
    )


def money_words(chosen_out: pd.DataFrame, base_out: pd.DataFrame, year: int, at_end: str, lang: str) -> str:
    """The money figures of :func:`_metrics` in one sentence, put under the page's title: text,
    which a new visitor's browser draws with the title, before it has the scripts of the figures
    below (``st.metric``; issue 14)."""
    before, after = before_after(chosen_out, year)
    _, base_after = before_after(base_out, year)
    return t(
        "remun.words",
        lang,
        year=year,
        before=fmt_eur(before, lang, 0),
        after=fmt_eur(after, lang, 0),
        baseline=fmt_eur(base_after, lang, 0),
        option=option_label(at_end, lang),
    )


def _pct_text(x: float, lang: str) -> str:
    return fmt_pct(x, lang, 0)


def _workers(chosen: Any, baseline: Any, year: int, at_end: str, lang: str) -> None:
    """Jobs transferred, statute and pay, subcontracting, workload per crew, overtime."""
    story = workforce_story(chosen.workforce, baseline.workforce, year)
    fte = t("unit.fte", lang)
    c1, c2, c3 = st.columns(3)
    c1.metric(
        t("remun.metric.transferred", lang),
        f"{fmt_number(story['transferred'], lang, 1)} {fte}",
        t("remun.metric.transferred.of", lang, n=fmt_number(story["fte"], lang, 1)),
        delta_color="off",
        delta_arrow="off",
        help=t("remun.metric.transferred.help", lang),
        border=True,
    )
    c2.metric(
        t("remun.metric.subcontracted", lang),
        _pct_text(story["sub_after_pct"], lang),
        t("remun.metric.since", lang, before=_pct_text(story["sub_before_pct"], lang), year=year - 1),
        delta_color="off",
        delta_arrow="off" if story["sub_after_pct"] == story["sub_before_pct"] else "auto",
        help=t("remun.metric.subcontracted.help", lang),
        border=True,
    )
    c3.metric(
        t("remun.metric.in_house", lang),
        f"{fmt_number(story['in_house_after'], lang, 1)} {fte}",
        t("remun.metric.since", lang, before=fmt_number(story["in_house_before"], lang, 1), year=year - 1),
        delta_color="off",
        delta_arrow="off" if story["in_house_after"] == story["in_house_before"] else "auto",
        border=True,
    )
    c4, c5, c6 = st.columns(3)
    gap = story["wage_bill_after"] - story["wage_bill_baseline_after"]
    c4.metric(
        t("remun.metric.wage_bill", lang, year=year),
        fmt_eur(story["wage_bill_after"], lang, 0),
        t("remun.metric.vs_baseline", lang, gap=fmt_eur(gap, lang, 0)),
        delta_color="off",
        delta_arrow="off" if abs(gap) < 0.5 else "auto",
        help=t("remun.metric.wage_bill.help", lang),
        border=True,
    )
    wage = chosen.scenario.governance.concession.wage_change_at_return_pct
    c5.metric(
        t("remun.metric.wage", lang),
        fmt_pct(wage, lang, 1),
        help=t("remun.metric.wage.help", lang),
        border=True,
    )
    c6.metric(
        t("remun.metric.repairs", lang, year=year),
        fmt_number(story["repairs_after"], lang, 1),
        t("remun.metric.since", lang, before=fmt_number(story["repairs_before"], lang, 1), year=year - 1),
        delta_color="off",
        help=tr("metric.repairs.help", lang, service_of_run(chosen)),
        border=True,
    )
    st.markdown(tr("statute", lang, service_of_run(chosen)))
    w = chosen.scenario.workforce
    if story["overtime"] == 0 and story["overtime_baseline"] == 0:
        st.info(
            t(
                "remun.overtime.none",
                lang,
                repairs=fmt_number(max(story["repairs_before"], story["repairs_after"]), lang, 1),
                threshold=fmt_number(w.overtime_threshold_repairs_per_crew_month, lang, 1),
                per_year=fmt_number(12 * w.overtime_threshold_repairs_per_crew_month, lang, 0),
            )
        )
    else:
        st.markdown(
            t(
                "remun.overtime.some",
                lang,
                hours=fmt_number(story["overtime"], lang, 0),
                baseline=fmt_number(story["overtime_baseline"], lang, 0),
            )
        )
    _chart(
        lambda: workforce_figure(chosen.workforce, baseline.workforce, year, at_end, lang), "workforce", lang
    )
    table = workforce_table(chosen.workforce, baseline.workforce, lang)
    # in a session's first view, with the charts (the table's scripts are heavy for the browser)
    firstview.later(PAGE, lambda: st.dataframe(table, hide_index=True, key=K + "workforce_table"))


def _transition(chosen: Any, baseline: Any, year: int, lang: str) -> None:
    """What the switch costs, and how it is paid: reserves, a public loan, the treasury line."""
    cost = transition_cost(chosen.periods)
    split = transition_split(chosen.decisions)
    frame = financing_frame(chosen.years, baseline.years, chosen.periods, year)
    c1, c2, c3 = st.columns(3)
    c1.metric(
        t("remun.metric.transition", lang),
        fmt_eur(cost, lang, 0),
        help=t("remun.metric.transition.help", lang),
        border=True,
    )
    reserves, loan = split if split else (float("nan"), float("nan"))
    c2.metric(t("remun.metric.from_reserves", lang), fmt_eur(reserves, lang, 0), border=True)
    c3.metric(
        t("remun.metric.loan", lang),
        fmt_eur(loan, lang, 0),
        help=t(
            "remun.metric.loan.help",
            lang,
            rate=fmt_pct(chosen.scenario.finance.interest_rate_pct, lang, 1),
            years=chosen.scenario.finance.loan_term_years,
        ),
        border=True,
    )
    table = financing_table(frame, lang)
    firstview.later(PAGE, lambda: st.dataframe(table, hide_index=True, key=K + "financing_table"))
    unfinanced = float(chosen.years["unfinanced_eur"].max())
    if unfinanced > 0:
        st.warning(t("remun.fin.unfinanced", lang, amount=fmt_eur(unfinanced, lang, 0)))
    else:
        st.caption(t("remun.fin.note", lang))


def service_of_run(run: Any) -> str:
    return str(getattr(run.scenario, "service", "water"))


def _chart(figure: Any, name: str, lang: str) -> None:
    """A Plotly chart (``figure()`` makes it), or, in the session's first run of the page, a
    sentence in its place (:mod:`sim.dashboard.firstview`: the numbers show first)."""
    firstview.chart(PAGE, lang, lambda: st.plotly_chart(figure(), key=K + name + "_chart"))


def _national(lang: str) -> None:
    """What the law fixes nationally for electricity, whoever runs the service, in words."""
    with st.container(border=True, key=K + "national"):
        st.markdown(f"**{t('remun.electricity.national.title', lang)}**")
        st.markdown(t("remun.electricity.national", lang))


def render() -> None:
    """Draw the page in the session's language."""
    lang = common.current_lang()
    firstview.begin(PAGE)
    st.title(t("remun.title", lang))
    service = share.service_select(lang)
    if service not in SCENARIO_FILES:  # a service with no return scenario: water's page
        service = "water"
    st.markdown(tr("intro", lang, service))
    words = firstview.words()  # the money figures in a sentence, once the runs are known
    if service != "water":
        _national(lang)
    base = base_scenario(service)
    end_year, at_end, changes = _inputs(base, lang, service)
    try:
        chosen_s, baseline_s = scenario_pair(base, end_year, at_end, changes)
    except ScenarioError as exc:
        st.error(t("run.scenario_error", lang) + "\n\n" + exc.format(lang))
        return
    chosen = common.run(chosen_s, lang=lang)
    baseline = common.run(baseline_s, lang=lang)
    if chosen is None or baseline is None:
        return
    if at_end == "retender":
        st.info(t("remun.same_as_baseline", lang))

    chosen_out = outflow_by_year(chosen.periods)
    base_out = outflow_by_year(baseline.periods)
    words.markdown(money_words(chosen_out, base_out, end_year, at_end, lang))
    st.header(t("remun.money.header", lang))
    _metrics(chosen_out, base_out, chosen, end_year, at_end, lang)
    _chart(lambda: outflow_figure(chosen_out, base_out, end_year, at_end, lang), "outflow", lang)
    st.caption(t("remun.outflow.note", lang))

    st.header(tr("price.header", lang, service))
    _chart(lambda: price_figure(chosen.years, baseline.years, end_year, at_end, lang, service), "price", lang)
    if service != "water":
        st.caption(tr("price.note", lang, service))

    st.header(t("remun.workforce.header", lang))
    _workers(chosen, baseline, end_year, at_end, lang)

    st.header(t("remun.transition.header", lang))
    _transition(chosen, baseline, end_year, lang)

    st.header(t("remun.decisions.header", lang))
    tab_chosen, tab_base = st.tabs([option_label(at_end, lang), t("remun.baseline", lang)])
    decided = contract_decisions(chosen.decisions, lang)
    kept = contract_decisions(baseline.decisions, lang)
    # in a session's first view, with the charts (the table's scripts are heavy for the browser)
    with tab_chosen:
        firstview.later(PAGE, lambda: st.dataframe(decided, hide_index=True, key=K + "decisions"))
    with tab_base:
        firstview.later(PAGE, lambda: st.dataframe(kept, hide_index=True, key=K + "decisions_baseline"))
    st.caption(t("remun.decisions.note", lang))
    firstview.draw_deferred(PAGE)  # the first run sent without its charts: one more run draws them


if __name__ == "__main__":  # run by st.navigation as a page
    render()
