"""Page « Comparer les régimes »: the same town under concession, régie and commons, side by side.

Two things can be compared: the three shipped files (``concession.yaml``, ``regie.yaml``,
``commons.yaml``), or the Explorer's current scenario with only its regime switched. Every run uses
the current scenario's seed, so the three regimes meet the same weather, the same pipe failures and
the same households (common random numbers, :mod:`sim.experiments.compare`). The page shows the headline
table with translated labels, one bar chart per main indicator, and — so the reader sees *why* the
figures differ — every parameter and rule whose value differs between the three scenarios.

With « Incertitude : nombre de futurs simulés » above one, the three regimes are also replicated
on one family of seeds (:func:`sim.experiments.ensemble.compare_many`; :mod:`sim.dashboard.ensembles`): future
``r`` of every regime has the same weather, breaks and households, and one fan chart per main
indicator shows every regime's spread, with each regime's odds in plain words under it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from sim import ScenarioError
from sim.dashboard import common, compare_multi, ensembles, explain_panel, firstview, share
from sim.experiments import ensemble as ensemble_api
from sim.experiments.compare import BY_KEY, INDICATORS, RULE_ROW, Comparison
from sim.i18n import fmt_number, normalise_lang, t
from sim.measure.indicators import UNIT_KEYS
from sim.measure.indicators import indicator as measured
from sim.scenario.docs import regimes_markdown
from sim.scenario.model import REGIMES_SHOWN, Scenario
from sim.show.plots import compare_bars, regime_label
from sim.show.report import at_end_label, fans_for

PAGE = "comparer"
#: what to compare: the shipped files, the Explorer's scenario, or the multi-service régie against
#: separate services (:mod:`sim.dashboard.compare_multi`)
MODES: tuple[str, ...] = ("files", "current", "multi")
MODE_WIDGET = "compare_mode"
MODE_KEPT = "compare.mode"
#: digits shown for each indicator of the table (1 if absent)
DECIMALS: dict[str, int] = {
    "price_120m3_first": 2,
    "price_120m3_last": 2,
    "bill_120m3_last": 0,
    "bill_d1_last": 0,
    "bill_d5_last": 0,
    "bill_d10_last": 0,
    "share_above_3pct_mean": 1,
    "yield_pct_mean": 1,
    "breaks_total": 0,
    "outflow_eur_total": 0,
    "debt_eur_last": 0,
    "reserves_eur_last": 0,
    "fte_last": 1,
    "decisions_binding": 0,
    "vetoes": 0,
    # electricity (sim.experiments.compare.ELECTRICITY_HEADLINES)
    "price_ref_kwh_first": 4,
    "price_ref_kwh_last": 4,
    "bill_ref_last": 0,
    "energy_poverty_mean": 1,
    "saidi_mean": 0,
    "saidi_excl_med_mean": 0,
    "underground_last": 1,
    "compensation_total": 0,
}
#: indicators drawn as bars, with the locale key of their axis unit (from the indicator table)
BARS: tuple[tuple[str, str], ...] = tuple(
    (key, UNIT_KEYS[measured(BY_KEY[key].indicator).unit])
    for key in (
        "price_120m3_last",
        "bill_d1_last",
        "share_above_3pct_mean",
        "yield_pct_mean",
        "breaks_total",
        "outflow_eur_total",
        "debt_eur_last",
        "fte_last",
    )
)
#: the same for an electricity service
ELECTRICITY_BARS: tuple[tuple[str, str], ...] = tuple(
    (key, UNIT_KEYS[measured(BY_KEY[key].indicator).unit])
    for key in (
        "price_ref_kwh_last",
        "bill_d1_last",
        "energy_poverty_mean",
        "saidi_mean",
        "underground_last",
        "compensation_total",
        "outflow_eur_total",
        "reserves_eur_last",
    )
)
BARS_BY_SERVICE: dict[str, tuple[tuple[str, str], ...]] = {"water": BARS, "electricity": ELECTRICITY_BARS}
#: indicators drawn as fan charts when many futures are simulated
FANS: tuple[str, ...] = (
    "price_120m3_eur_per_m3",
    "share_households_above_3pct",
    "yield_pct",
    "debt_eur",
)
FANS_BY_SERVICE: dict[str, tuple[str, ...]] = {"water": FANS, "electricity": fans_for("electricity")}


def indicator_label(key: str, lang: str) -> str:
    """The label of a comparison indicator in ``lang``: the indicator table's label, with the
    year or period it is read over and its unit (:class:`sim.experiments.compare.Headline`)."""
    fr, en = INDICATORS[key]
    return fr if normalise_lang(lang) == "fr" else en


def scenarios_for(mode: str, current: Scenario, lang: str) -> dict[str, Scenario]:
    """The three scenarios to compare, by regime code.

    ``"files"``: the shipped files of ``current``'s service; ``"current"``: ``current`` with its
    regime switched.
    """
    if mode == "files":
        service = share.service_of(current)
        return {r: share.load_preset(share.regime_preset(service, r)) for r in REGIMES_SHOWN}
    origin = t("compare.origin", lang)
    return {r: share.apply_changes(current, {"governance.regime": r}, origin) for r in REGIMES_SHOWN}


def display_table(cmp: Comparison, lang: str) -> pd.DataFrame:
    """The comparison table: one row per indicator (label in ``lang``), one column per regime,
    numbers formatted for ``lang``."""
    rows = {}
    for key in cmp.table.columns:
        digits = DECIMALS.get(key, 1)
        rows[indicator_label(key, lang)] = {
            regime_label(str(name), lang): fmt_number(cmp.table.at[name, key], lang, digits)
            for name in cmp.table.index
        }
    out = pd.DataFrame(rows).T
    out.index.name = t("compare.col.indicator", lang)
    return out.reset_index()


def headline_words(cmp: Comparison, service: str, lang: str) -> str:
    """The first bar's figure (water's price per m³, electricity's per kWh) of each regime in one
    sentence, put under the page's title: text, which a new visitor's browser draws with the
    title, before it has the table's scripts (issue 14)."""
    key = BARS_BY_SERVICE.get(service, BARS)[0][0]
    values = " · ".join(
        t(
            "compare.words.value",
            lang,
            regime=regime_label(str(name), lang),
            value=fmt_number(cmp.table.at[name, key], lang, DECIMALS.get(key, 1)),
        )
        for name in cmp.table.index
    )
    return t("compare.words", lang, label=indicator_label(key, lang), values=values)


#: characters of a bar chart's title line: a half-width chart on a 1366-px screen shows ~50
TITLE_CHARS = 44


def bar_figure(cmp: Comparison, key: str, unit_key: str, lang: str) -> Any:
    """:func:`sim.show.plots.compare_bars` for one indicator, titled with its label and unit."""
    table = cmp.table[[key]].astype(float)
    fig = compare_bars(table, key, lang)
    # titled on lines that fit a half-width chart on a laptop: one line was cut mid-word
    # (« Prix du kWh TTC (ménage de référence : 6 kVA, 4 40 »)
    lines = textwrap.wrap(indicator_label(key, lang), TITLE_CHARS)
    fig.update_layout(title_text="<br>".join(lines), height=380 + 22 * (len(lines) - 1))
    fig.update_layout(margin={"t": 60 + 22 * len(lines)})
    fig.update_yaxes(title_text=t(unit_key, lang))
    names = list(fig.data[0].x)  # regime names, too long for a half-width chart: wrapped
    wrapped = ["<br>".join(textwrap.wrap(n, 18)) for n in names]
    fig.update_xaxes(tickmode="array", tickvals=names, ticktext=wrapped, tickangle=0)
    # the value on hover with the table's digits; euros in full (12 000 000, not 12M)
    colon = " : " if normalise_lang(lang) == "fr" else ": "
    fig.update_traces(hovertemplate=f"%{{x}}{colon}%{{y:,.{DECIMALS.get(key, 1)}f}}<extra></extra>")
    if unit_key == "unit.eur":
        fig.update_yaxes(tickformat=",.0f")
    return fig


def _meaning(path: str, lang: str, model: type[Scenario] = Scenario) -> str:
    try:
        return common.param_at(model, path).meaning(lang)
    except KeyError:
        return ""


def _unit(path: str, lang: str, model: type[Scenario] = Scenario) -> str:
    try:
        return common.param_at(model, path).unit_in(lang)
    except KeyError:
        return ""


def differences_table(cmp: Comparison, lang: str) -> pd.DataFrame:
    """What differs between the scenarios: key, meaning, then one column per regime (meanings
    and units from the schema of the scenarios' service)."""
    model = type(next(iter(cmp.results.values())).scenario) if cmp.results else Scenario
    d = cmp.differences
    rows = []
    for _, row in d.iterrows():
        key = str(row["key"])
        rule = key == RULE_ROW  # the decision rule that sets the tariff, not a parameter
        out = {
            t("compare.col.key", lang): key,
            t("compare.col.meaning", lang): (
                t("compare.decision_rule", lang) if rule else _meaning(key, lang, model)
            ),
            t("compare.col.unit", lang): "" if rule else _unit(key, lang, model),
        }
        for name in d.columns[1:]:
            value = row[name]
            if rule:
                shown = t(f"explorer.decisions.body.{value}", lang)
            elif key.endswith("regime"):
                shown = regime_label(str(value), lang)
            elif key.endswith("at_end"):
                shown = at_end_label(str(value), lang)
            elif isinstance(value, str):
                shown = common.choice_label(key, value, lang)
            else:
                shown = common.format_value(value, lang, year=key.endswith("year"))
            out[regime_label(str(name), lang)] = shown
        rows.append(out)
    return pd.DataFrame(rows)


def _mode(lang: str) -> str:
    """The « what to compare » choice: from the widget, else the link's ``m``, else the last
    choice of the session (widget states are dropped when the page is left), else the files."""
    ss = st.session_state
    if ss.get(MODE_WIDGET) not in MODES:
        wanted = st.query_params.get("m")
        kept = ss.get(MODE_KEPT)
        ss[MODE_WIDGET] = wanted if wanted in MODES else kept if kept in MODES else MODES[0]
    choice = str(
        st.radio(
            t("compare.mode.label", lang),
            MODES,
            format_func=lambda m: t(f"compare.mode.{m}", lang),
            key=MODE_WIDGET,
            horizontal=True,
        )
    )
    ss[MODE_KEPT] = choice
    return choice


def ensemble_key(scenarios: Mapping[str, Scenario], seed: int, runs: int) -> Hashable:
    """The store key of ``runs`` futures of every regime: their YAML hashes, the seed, ``runs``."""
    return ("ensemble", share.comparison_key(scenarios, seed), int(runs))


def _make(scenarios: Mapping[str, Scenario], seed: int) -> ensembles.MakeFn:
    def make(runs: int, first: int, progress: Any, cancel: Any) -> dict[str, Any]:
        return ensemble_api.compare_many(
            dict(scenarios),
            runs,
            seed=seed,
            executor=ensembles.executor(),
            progress=progress,
            cancel=cancel,
            first_run=first,
        )

    return make


def _uncertainty(view: ensembles.View, seed: int, lang: str, service: str = "water") -> None:
    """Every regime's fan chart of the main indicators, on the same futures, with their odds."""
    if not view.result:
        return
    st.subheader(ensembles.tn("ensemble.header", lang, view.done))
    st.caption(t("ensemble.intro", lang))
    st.info(
        ensembles.tn("ensemble.compare.same", lang, view.done, seed=seed),
        icon=":material/casino:",
    )
    fans = FANS_BY_SERVICE.get(service, FANS)

    def label(name: str) -> str:
        return regime_label(name, lang)

    firstview.chart(PAGE, lang, lambda: ensembles.fan_compare_grid(view, fans, lang, label))
    if view.result:
        labels = {name: regime_label(name, lang) for name in view.result}
        ensembles.download_button(view, lang, labels)


def _rule_text(regime: str, s: Scenario, lang: str) -> str:
    """How ``regime`` decides, in words: under a regulated electricity tariff, what it decides
    besides the price; otherwise how it sets the tariff."""
    if getattr(s.tariff, "pricing", "local") == "regulated":
        return t(f"compare.rule.electricity.regulated.{regime}", lang)
    return t(f"compare.rule.{regime}", lang)


def _show(cmp: Comparison, key: Any, lang: str, view: ensembles.View | None = None, seed: int = 0) -> None:
    first = next(iter(cmp.results.values())).scenario
    service = share.service_of(first)
    bars = BARS_BY_SERVICE.get(service, BARS)
    st.subheader(t("compare.table.header", lang))
    table = display_table(cmp, lang)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height="content",
        column_config={c: st.column_config.TextColumn(alignment="right") for c in table.columns[1:]},
    )
    if view is not None:
        _uncertainty(view, seed, lang, service)

    st.subheader(t("compare.charts.header", lang))
    # in the session's first view the table shows while the browser loads Plotly
    firstview.chart(PAGE, lang, lambda: _bars(cmp, key, bars, lang))
    _differences(cmp, first, service, lang)


def _bars(cmp: Comparison, key: Any, bars: Any, lang: str) -> None:
    figs = share.memo(
        ("compare-figures", key, lang),
        lambda: {k: bar_figure(cmp, k, unit_key, lang) for k, unit_key in bars},
    )
    for i in range(0, len(bars), 2):
        cols = st.columns(2)
        for col, (indicator, _) in zip(cols, bars[i : i + 2], strict=False):
            with col:
                st.plotly_chart(
                    figs[indicator],
                    theme=None,
                    key=f"compare_fig_{indicator}",
                    config={"displaylogo": False},
                )


def _differences(cmp: Comparison, first: Scenario, service: str, lang: str) -> None:
    st.subheader(t("compare.diff.header", lang))
    st.markdown(t("compare.diff.intro", lang))
    for regime in REGIMES_SHOWN:
        st.markdown(f"- **{regime_label(regime, lang)}** — {_rule_text(regime, first, lang)}")
    diff = differences_table(cmp, lang)
    if diff.empty:
        st.info(t("compare.diff.none", lang))
    else:
        # on a laptop (1366 px) the meaning, the unit and the three values fit; the key, for
        # whoever edits scenario files, comes last
        key, meaning, unit, *regimes = diff.columns
        st.dataframe(
            diff,
            hide_index=True,
            width="stretch",
            height="content",
            column_order=[meaning, unit, *regimes, key],
            column_config={
                meaning: st.column_config.TextColumn(width=300),
                unit: st.column_config.TextColumn(width=90),
                key: st.column_config.TextColumn(width=260),
                **{r: st.column_config.TextColumn(width=150) for r in regimes},
            },
        )
    if service == "water":  # the regimes told with water's rains and breaks
        with st.expander(t("compare.how", lang)):
            st.markdown(regimes_markdown(normalise_lang(lang)))


def comparison_csv(cmp: Comparison, lang: str) -> bytes:
    """The comparison table for a spreadsheet (``;`` and decimal commas in French)."""
    table = cmp.table.astype(float).T
    table.index = [indicator_label(k, lang) for k in table.index]
    table.columns = [regime_label(str(c), lang) for c in table.columns]
    fr = normalise_lang(lang) == "fr"
    text = table.to_csv(sep=";" if fr else ",", decimal="," if fr else ".")
    return text.encode("utf-8-sig")


def _files(cmp: Comparison, s: Scenario, mode: str, params: Mapping[str, str], lang: str) -> None:
    st.subheader(t("share.header", lang))
    left, right = st.columns(2)
    with left:
        st.download_button(
            t("compare.download.csv", lang),
            data=comparison_csv(cmp, lang),
            file_name=f"{t('compare.file', lang)}.csv",
            mime="text/csv",
            icon=":material/table:",
            on_click="ignore",
            key="compare_csv",
        )
    with right:
        if mode == "current":
            share.yaml_button(s, lang, key="compare_yaml")
    firstview.later(PAGE, lambda: share.link_box(params, lang))  # a code block: heavy at first


def render() -> None:
    """Draw the page in the session's language."""
    lang = common.current_lang()
    firstview.begin(PAGE)
    page = share.init(lang)
    if page:
        share.follow_link(page, PAGE)
    st.title(t("compare.title", lang))
    st.markdown(t("compare.intro", lang))
    words = firstview.words()  # the first bar's figures in a sentence, once the comparison is known
    share.service_select(lang)
    share.show_flash()

    mode = _mode(lang)
    if mode == "multi":  # one régie for water and electricity, against the two run apart
        params = share.sync_url(PAGE, {"m": mode})
        compare_multi.render(lang, page=PAGE)
        firstview.later(PAGE, lambda: share.link_box(params, lang))
        firstview.draw_deferred(PAGE)
        return
    s = share.current()
    service = share.service_of(s)
    if service == "electricity":
        st.markdown(t("explorer.electricity.law", lang))
    seed = int(s.seed)
    if mode == "current":
        st.caption(share.current_caption(s, lang))
    try:
        scenarios = scenarios_for(mode, s, lang)
    except ScenarioError as exc:
        st.error(share.error_text(t("run.scenario_error", lang), exc, lang))
        return
    town = next(iter(scenarios.values())).town.name
    same = "compare.same.electricity" if service == "electricity" else "compare.same"
    st.info(t(same, lang, town=share.md_escape(town), seed=seed), icon=":material/balance:")
    params = share.sync_url(PAGE, {"m": mode})
    cmp = share.run_comparison(scenarios, seed, lang)
    if cmp is None:
        return
    words.markdown(headline_words(cmp, service, lang))
    runs = ensembles.runs_control(PAGE, lang)
    params = share.sync_extra(params, ensembles.link_extra(runs))
    view = ensembles.prepare(PAGE, ensemble_key(scenarios, seed, runs), runs, _make(scenarios, seed))
    ensembles.panel(view, lang)
    _show(cmp, share.comparison_key(scenarios, seed), lang, view, seed)
    explain_panel.section(scenarios, seed, lang, page=PAGE)
    _files(cmp, s, mode, params, lang)
    firstview.draw_deferred(PAGE)  # in the session's first run, the charts once the rest is drawn
    ensembles.advance(view, lang)  # last: the next part of the futures, then a new script run


if __name__ == "__main__":  # run by st.navigation as a page
    render()
