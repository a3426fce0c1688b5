"""Page « Explorer »: one scenario, its main parameters, and what happens over the years.

The reader picks a shipped scenario (or uploads one), changes the main parameters — widgets built
from the schema (label, unit, bounds, meaning, source), grouped by block, with the management
regime on top — and presses « Simuler ». The run shows a progress bar and is kept by scenario text
and seed (:mod:`sim.dashboard.share`), so unchanged inputs redraw instantly. The results are the
headline figures of the first and last year, the charts of :mod:`sim.show.report` (the same as in the
printable report) and every decision taken; the scenario, the results and the report can be
downloaded, and the address bar is a link to this exact view.

With « Incertitude : nombre de futurs simulés » above one, the scenario is also replicated on that
many seeds (:mod:`sim.dashboard.ensembles`): a sentence under each headline figure gives its odds
in plain words, and fan charts show the spread of the main indicators.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from sim import ScenarioError, scale_town
from sim.dashboard import common, ensembles, firstview, share
from sim.dashboard.common import ParamInfo
from sim.experiments import ensemble as ensemble_api
from sim.experiments.ensemble import Ensemble
from sim.i18n import fmt_number, has_key, localise_numbers, normalise_lang, t
from sim.scenario.model import Scenario, dumps_scenario, loads_scenario
from sim.scenario.ranges import ranges_for
from sim.show.plots import (
    indicator_label,
    indicator_short,
    indicator_unit,
    regime_label,
    tornado_figure,
    unit_key,
)
from sim.show.report import (  # FANS, FIGURES, HEADLINES: water's, kept for whoever reads them here
    FANS,  # noqa: F401
    FIGURES,  # noqa: F401
    HEADLINES,  # noqa: F401
    at_end_label,
    fans_for,
    figures_for,
    fmt_change,
    fmt_with_unit,
    headline_rows,
    headlines_for,
    service_of,
)

PAGE = "explorer"
TORNADO_INDICATOR = "price_120m3_eur_per_m3"
#: what an electricity tornado can show (a yearly column is read in the last year)
TORNADO_INDICATORS_ELECTRICITY = ("price_ref_eur_per_kwh", "energy_poverty_pct", "saidi_min", "reserves_eur")
PREFIX = "explorer.w."  # keys of the parameter widgets (dropped when the scenario is replaced)
# parameters drawn here rather than by common.widgets_for: named choices, dashboard limits
REGIME = "governance.regime"
HOUSEHOLDS = "households.count"
AT_END = "governance.concession.at_end"
LIMITS: dict[str, int] = {
    "households.count": share.MAX_HOUSEHOLDS,
    "horizon_years": share.MAX_HORIZON_YEARS,
    "seed": share.MAX_SEED,
}
RUN_GROUP = "run"  # top-level parameters (horizon, seed)
YEAR_KEY = "explorer.year"  # the year whose headline figures are shown
YEAR_PARAM = "y"  # ... in a share link
BARE = {"breaks", "saifi"}  # metrics whose unit is in their label (« Casses dans l'année »)


def widget_key(path: str) -> str:
    """Session-state key of the widget of ``path`` (``"tariff.blocks[0].price_eur_per_m3"``)."""
    return PREFIX + path


# ------------------------------------------------------------------------------------------
# the parameter form
# ------------------------------------------------------------------------------------------
def groups(model: type[Scenario] = Scenario) -> dict[str, list[str]]:
    """Paths of the main parameters (``widget=True`` in the schema of ``model``, the water
    :class:`Scenario` or the electricity one), by block, in schema order.

    The regime is left out (it is drawn on top); top-level parameters go to ``"run"``.
    """
    out: dict[str, list[str]] = {}
    for info in common.iter_params(model):
        if not info.widget or info.container or info.path == REGIME:
            continue
        if "[*]" in info.path:  # a template row of an empty list (tariff variants): no value
            continue
        block = info.path.split(".")[0] if "." in info.path else RUN_GROUP
        out.setdefault(block, []).append(info.path)
    run = out.pop(RUN_GROUP, [])
    out[RUN_GROUP] = [*run, "seed"]
    return out


def block_label(block: str, lang: str, model: type[Scenario] = Scenario) -> str:
    """The block's name in ``lang`` (« Tarif », « Ménages »…), from the schema of ``model``."""
    if block == RUN_GROUP:
        return t("explorer.group.run", lang)
    field = model.model_fields[block]
    return ParamInfo(block, field, None).meaning(lang)


def _choice(s: Scenario, path: str, lang: str, label_of: Any) -> dict[str, Any]:
    info = common.param_at(type(s), path)
    current = common.get_path(s, path)
    options = list(info.choices)
    new = st.selectbox(
        common.widget_label(info, lang),
        options,
        format_func=label_of,
        help=common.widget_help(info, lang),
        key=widget_key(path),
        **common.initial(widget_key(path), current, options),
    )
    return {path: new} if new != current else {}


def _on_run() -> None:
    """Before the page runs « Simuler »: a new number of households scales the whole town.

    Exactly as ``--households`` on the command line (:func:`sim.scale_town`, one function for
    both): the mains, the resource, the fixed money amounts and the crews follow, and the
    widgets of the scaled values show them, unless the user changed them in the same go.
    """
    ss = st.session_state
    key = widget_key(HOUSEHOLDS)
    wanted = ss.get(key)
    s = share.current()
    if wanted is None or int(wanted) == s.households.count:
        return
    try:
        scaled = scale_town(s, int(wanted))
    except ScenarioError:
        return  # the page reports the count with its reason
    for paths in groups(type(s)).values():
        for path in paths:
            k = widget_key(path)
            before, after = common.get_path(s, path), common.get_path(scaled, path)
            if k in ss and before != after and ss[k] == before:
                ss[k] = float(after) if isinstance(ss[k], float) else after
    share.set_current(scaled, share.current_preset(), share.current_source(), reset=False)


def _int(s: Scenario, path: str, lang: str, max_value: int) -> dict[str, Any]:
    info = common.param_at(type(s), path)
    current = int(common.get_path(s, path))
    lo = int(info.bounds.get("ge", 0))
    help_ = common.widget_help(info, lang)
    if path == HOUSEHOLDS:
        scale = "explorer.scale.help" if isinstance(s, Scenario) else "explorer.scale.help.electricity"
        help_ = t(scale, lang) + "\n\n" + help_
    new = st.number_input(
        common.widget_label(info, lang),
        min_value=lo,
        max_value=max_value,
        step=1,
        **common.initial(widget_key(path), current),
        help=help_,
        key=widget_key(path),
    )
    return {path: int(new)} if new is not None and int(new) != current else {}


def _draw(s: Scenario, paths: list[str], lang: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    plain: list[str] = []

    def flush() -> None:
        if plain:
            # named choices in words, never a raw code on the page (« au coût du service »)
            changes.update(common.widgets_for(type(s), s, plain, lang, key_prefix=PREFIX, named_choices=True))
            plain.clear()

    for path in paths:
        if path in LIMITS or path == AT_END:
            flush()
            if path == AT_END:
                changes.update(_choice(s, path, lang, lambda c: at_end_label(c, lang)))
            else:
                changes.update(_int(s, path, lang, LIMITS[path]))
        else:
            plain.append(path)
    flush()
    return changes


def _tariff_blocks(s: Scenario, lang: str) -> dict[str, Any]:
    """One price widget per tariff block, each under a caption saying which volumes it covers."""
    changes: dict[str, Any] = {}
    blocks = s.tariff.blocks
    lower = 0.0
    for i, block in enumerate(blocks):
        if len(blocks) == 1:
            span = t("explorer.block.single", lang)
        elif block.up_to_m3 is None:
            span = t("explorer.block.last", lang, n=i + 1, lower=common.num(lower))
        else:
            span = t(
                "explorer.block.upto",
                lang,
                n=i + 1,
                lower=common.num(lower),
                upper=common.num(block.up_to_m3),
            )
            lower = block.up_to_m3
        st.caption(span)
        path = f"tariff.blocks[{i}].price_eur_per_m3"
        changes.update(common.widgets_for(Scenario, s, [path], lang, key_prefix=PREFIX))
    return changes


def parameter_form(s: Scenario, lang: str) -> dict[str, Any]:
    """Draw the form and return the changes (dotted path -> value) it holds against ``s``."""
    changes: dict[str, Any] = {}
    with st.form("explorer_form", border=False, enter_to_submit=False):
        changes.update(_choice(s, REGIME, lang, lambda r: regime_label(r, lang)))
        for block, paths in groups(type(s)).items():
            with st.expander(block_label(block, lang, type(s)), expanded=block == "tariff"):
                changes.update(_draw(s, paths, lang))
                if block == "tariff" and isinstance(s, Scenario):  # water's price blocks
                    changes.update(_tariff_blocks(s, lang))
        st.form_submit_button(
            t("explorer.run", lang),
            type="primary",
            icon=":material/play_arrow:",
            key="explorer_run",
            on_click=_on_run,
            width="stretch",
        )
    return changes


def apply(s: Scenario, changes: dict[str, Any], lang: str) -> tuple[Scenario, str | None]:
    """``s`` with the form's changes, made current; ``s`` and the reason if they are invalid."""
    if not changes:
        return s, None
    origin = t("explorer.origin", lang)
    try:
        new = share.apply_changes(s, changes, origin)
        share.check_limits(new, origin, lang)
    except ScenarioError as exc:
        return s, share.error_text(t("run.scenario_error", lang), exc, lang)
    share.set_current(new, share.current_preset(), share.current_source(), reset=False)
    return new, None


# ------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------
def metric_label(column: str, lang: str, threshold: str | None = None) -> str:
    """A short name for a headline metric: the indicator table's (the full name is in its help)."""
    return indicator_short(column, lang, threshold)


def metric_text(x: float, column: str, decimals: int, lang: str, *, signed: bool = False) -> str:
    """A headline value for a metric: millions of euros written ``11,8 M€`` so they fit."""
    if unit_key(column) in ("unit.eur", "unit.eur_per_year") and abs(x) >= 1e6:
        space = "\u00a0" if normalise_lang(lang) == "fr" else " "
        text = f"{fmt_number(x / 1e6, lang, 1)}{space}M{indicator_unit(column, lang)}"
        return text if not signed or text.startswith("-") else f"+{text}"
    if column in BARE:
        text = fmt_number(x, lang, decimals)
        return f"+{text}" if signed and not text.startswith("-") else text
    if signed:
        return fmt_change(x, column, decimals, lang)
    return fmt_with_unit(x, column, decimals, lang)


def card_text(x: float, column: str, decimals: int, lang: str, *, signed: bool = False) -> str:
    """A value on a headline card: :func:`metric_text`, but the price per kWh in euros only
    (``0,3262 €``, as on the tariff page): its name says « du kWh », and ``0,3262 €/kWh`` is cut
    to ``0,3262 €/…`` in a card on a laptop's screen. Its help keeps the unit."""
    text = metric_text(x, column, decimals, lang, signed=signed)
    if unit_key(column) == "unit.eur_per_kwh":
        return text.removesuffix(indicator_unit(column, lang)) + "€"
    return text


#: the range of the futures shown under a headline figure: from this percentile to the other
RANGE_PCT: tuple[float, float] = (10.0, 90.0)


@dataclass(frozen=True)
class Reading:
    """A headline figure read in one year: of the run shown, or the median of the futures."""

    column: str
    label: str
    decimals: int
    first_year: int
    year: int
    first: float  # in the first year (the futures' median there, when there are futures)
    value: float  # in ``year``
    low: float | None = None  # P10 of the futures in ``year`` (None: one run)
    high: float | None = None  # P90
    runs: int = 1
    short: str = ""  # the name on the figure (the indicator table's short name)


def years_of(result: Any) -> list[int]:
    """The simulated years of a run, in order."""
    return [int(y) for y in result.years["year"]]


def readings(result: Any, year: int, lang: str, ens: Ensemble | None = None) -> list[Reading]:
    """The headline figures in ``year`` and in the first year.

    With ``ens`` holding two futures or more, each figure is the median of the futures (numpy's
    linear-interpolation percentile) and carries the P10–P90 range of ``year``; otherwise it is
    the value of ``result``, the run of the scenario's own seed.
    """
    years = result.years.set_index("year")
    first_year = int(years.index[0])
    if year not in years.index:
        raise KeyError(f"year {year} is not simulated; years are {years_of(result)}")
    out = []
    for row in headline_rows(result, lang):
        col = row["column"]
        if ens is not None and ens.runs >= 2 and col in ens.years.columns:
            at, first = ens.values(col, year), ens.values(col, first_year)
            low, high = (float(x) for x in np.percentile(at, RANGE_PCT))
            out.append(
                Reading(
                    col,
                    row["label"],
                    row["decimals"],
                    first_year,
                    year,
                    float(np.median(first)),
                    float(np.median(at)),
                    low,
                    high,
                    len(at),
                    short=row["short"],
                )
            )
        else:
            out.append(
                Reading(
                    col,
                    row["label"],
                    row["decimals"],
                    first_year,
                    year,
                    float(years.at[first_year, col]),
                    float(years.at[year, col]),
                    short=row["short"],
                )
            )
    return out


def _year_from_link(years: list[int]) -> int:
    """The year a share link asks for (``y=2040``), if the run simulates it; else the last."""
    wanted = st.query_params.get(YEAR_PARAM)
    try:
        year = int(wanted) if wanted is not None else years[-1]
    except ValueError:
        return years[-1]
    return year if year in years else years[-1]


def year_choice(result: Any, lang: str) -> int:
    """The year whose figures are shown: a slider over the simulated years (at first the year of
    the share link, else the last one; a year the scenario no longer simulates falls back to
    the last)."""
    years = years_of(result)
    ss = st.session_state
    if YEAR_KEY not in ss:
        ss[YEAR_KEY] = _year_from_link(years)
    elif ss[YEAR_KEY] not in years:
        ss[YEAR_KEY] = years[-1]
    if len(years) == 1:
        return years[0]
    return int(
        st.select_slider(
            t("explorer.year.label", lang),
            options=years,
            format_func=str,  # 2055, never 2 055
            key=YEAR_KEY,
            help=t("explorer.year.help", lang),
        )
    )


def year_link(result: Any, year: int) -> dict[str, str | None]:
    """The share-link parameter of the year shown: none for the last year (the default)."""
    return {YEAR_PARAM: None if year == years_of(result)[-1] else str(year)}


def range_text(r: Reading, lang: str) -> str:
    """« 8 futurs sur 10 entre 2,81 €/m³ et 3,05 €/m³ » under a median."""
    return t(
        "explorer.metric.range",
        lang,
        low=metric_text(r.low if r.low is not None else r.value, r.column, r.decimals, lang),
        high=metric_text(r.high if r.high is not None else r.value, r.column, r.decimals, lang),
    )


WORDS_SHOWN = 3  # headline figures in the sentence under the title


def headline_words(rows: Sequence[Reading], lang: str) -> str:
    """The first headline figures in one sentence, put under the page's title: text, which a new
    visitor's browser draws with the title, before it has the scripts of the figures below
    (``st.metric``; issue 14). The median and its range when there are futures."""
    parts = []
    for r in rows[:WORDS_SHOWN]:
        value = metric_text(r.value, r.column, r.decimals, lang)
        if r.low is not None:
            detail = range_text(r, lang)
        else:
            change = metric_text(r.value - r.first, r.column, r.decimals, lang, signed=True)
            detail = t("explorer.metric.delta", lang, change=change, year=r.first_year)
        name = r.short or metric_label(r.column, lang)
        parts.append(t("explorer.words.figure", lang, name=name, value=value, detail=detail))
    return t("explorer.words", lang, year=rows[0].year, figures=" · ".join(parts)) if parts else ""


def headline(
    result: Any,
    lang: str,
    odds: dict[str, str] | None = None,
    odds_note: str | None = None,
    *,
    year: int | None = None,
    ens: Ensemble | None = None,
) -> None:
    """The headline figures as metrics: ``year`` (default: the last), and the change since the
    first.

    With ``ens`` (two futures or more), each figure is the median of the futures with their
    P10–P90 range under it. ``odds`` (column -> sentence, from an ensemble) puts each figure's
    odds under it, and ``odds_note`` says where they come from.
    """
    all_years = years_of(result)
    year = all_years[-1] if year is None else year
    rows = readings(result, year, lang, ens)
    first = rows[0].first_year
    regime = regime_label(result.scenario.governance.regime, lang)
    if year == all_years[-1]:
        caption = t("explorer.metrics.caption", lang, first=first, last=year, seed=result.seed, regime=regime)
    else:
        caption = t(
            "explorer.metrics.caption.year", lang, first=first, year=year, seed=result.seed, regime=regime
        )
    st.caption(caption)
    if odds_note:
        st.caption(odds_note)
    cols: Sequence[Any] = ()
    for i, row in enumerate(rows):
        change = row.value - row.first
        if i % 4 == 0:  # a row of its own for every four, so sentences under them stay aligned
            cols = st.columns(4)
        with cols[i % 4]:
            st.metric(
                row.short or metric_label(row.column, lang),
                card_text(row.value, row.column, row.decimals, lang),
                delta=t(
                    "explorer.metric.delta",
                    lang,
                    change=card_text(change, row.column, row.decimals, lang, signed=True),
                    year=first,
                ),
                delta_color="off",
                delta_arrow="off" if change == 0 else "auto",
                help=t(
                    "explorer.metric.help",
                    lang,
                    name=row.label,
                    first_year=first,
                    first=fmt_with_unit(row.first, row.column, row.decimals, lang),
                    last_year=year,
                    last=fmt_with_unit(row.value, row.column, row.decimals, lang),
                ),
                border=True,
            )
            if row.low is not None:
                st.caption(range_text(row, lang))
            if odds and row.column in odds:
                st.caption(odds[row.column])


def decision_value(col: str, value: Any, lang: str, service: str = "water") -> str:
    """A decision's body, item or option as people read it: the catalogue's label (the
    service's own first, ``explorer.decisions.electricity.item.tariff``), else the value with the
    page's decimal mark (``+5,0 %``, ``K=1,0291``), never a raw ``None``."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    own = f"explorer.decisions.{service}.{col}.{value}"
    if service != "water" and has_key(own, lang):
        return t(own, lang)
    key = f"explorer.decisions.{col}.{value}"
    if has_key(key, lang):
        return t(key, lang)
    return localise_numbers(str(value), lang)


def decisions_table(decisions: pd.DataFrame, lang: str, service: str = "water") -> pd.DataFrame:
    """The decisions with column headers, yes/no cells and reasons in ``lang``.

    Each reason is worded in the page's language from its code and parameters
    (:func:`common.decision_reasons`); one « Motif » column is kept.
    """
    out = decisions.copy()
    if "reason" in out:
        out["reason"] = common.decision_reasons(out, lang)
    out = out.drop(columns=[c for c in ("reason_fr", "reason_code", "reason_params") if c in out])
    for col in ("veto", "binding", "adopted"):
        if col in out:
            out[col] = out[col].map(lambda v: t("common.yes", lang) if bool(v) else t("common.no", lang))
    for col in ("body", "item", "option"):
        if col in out:
            out[col] = out[col].map(lambda v, c=col: decision_value(c, v, lang, service))
    for col in ("meeting", "votes_public", "votes_operators", "votes_citizens"):
        if col in out:  # no vote in that college (a council or a contract decides): a dash
            out[col] = out[col].map(lambda v: "—" if v is None or pd.isna(v) else fmt_number(v, lang))

    def header(col: str) -> str:
        key = f"explorer.decisions.col.{col}"
        return t(key, lang) if has_key(key, lang) else col

    return out.rename(columns={c: header(str(c)) for c in out.columns})


def _charts(run: share.Run, lang: str) -> None:
    """The report's charts in tabs, then the decisions; in a session's first run of the page, a
    sentence in each chart's place (:mod:`sim.dashboard.firstview`: the figures above show first)."""
    names = [*figures_for(service_of(run.result)), "decisions"]
    tabs = st.tabs([t(f"explorer.tab.{n}", lang) for n in names])
    for tab, name in zip(tabs, names, strict=True):
        with tab:
            if name == "decisions":
                _decisions(run.result, lang)
            else:
                firstview.chart(PAGE, lang, functools.partial(_figure, run, name, lang))


def _figure(run: share.Run, name: str, lang: str) -> None:
    st.plotly_chart(
        share.figures(run, lang)[name],
        theme=None,  # the figures carry their own colour-blind-safe palette
        key=f"explorer_fig_{name}",
        config={"displaylogo": False},
    )


def _decisions(result: Any, lang: str) -> None:
    d = result.decisions
    if d.empty:
        st.info(t("explorer.decisions.none", lang))
        return
    binding = int(d["binding"].astype(bool).sum()) if "binding" in d else 0
    st.caption(t("explorer.decisions.caption", lang, n=len(d), binding=binding))
    table = decisions_table(d, lang, service_of(result))
    # in a session's first view, with the charts (the table's scripts are heavy for the browser)
    firstview.later(PAGE, lambda: st.dataframe(table, hide_index=True, width="stretch"))


def ensemble_key(s: Scenario, runs: int) -> tuple[str, str, int]:
    """The store key of ``runs`` futures of ``s``: its YAML hash and seed, and ``runs``."""
    return ("ensemble", share.run_key(s), int(runs))


def _make(s: Scenario) -> ensembles.MakeFn:
    def make(runs: int, first: int, progress: Any, cancel: Any) -> dict[str, Any]:
        e = ensemble_api.simulate_many(
            s,
            runs,
            seed=s.seed,
            executor=ensembles.executor(),
            progress=progress,
            cancel=cancel,
            first_run=first,
        )
        return {"scenario": e}

    return make


def _uncertainty(view: ensembles.View, lang: str, service: str = "water") -> None:
    """The fan charts of the simulated futures."""
    if not view.result:
        return
    st.subheader(ensembles.tn("ensemble.header", lang, view.done))
    st.caption(t("ensemble.intro", lang))
    firstview.chart(PAGE, lang, lambda: ensembles.fan_grid(view, fans_for(service), lang))
    ensembles.download_button(view, lang)


def _files(run: share.Run, s: Scenario, params: dict[str, str], lang: str, view: ensembles.View) -> None:
    st.subheader(t("share.header", lang))
    left, right = st.columns([1, 2])
    with left:
        share.yaml_button(s, lang, key="explorer_yaml")
    with right:
        futures = view.result["scenario"] if view.result else None
        share.results_buttons(run.result, lang, key="explorer", ensemble=futures)
    firstview.later(PAGE, lambda: share.link_box(params, lang))  # a code block: heavy at first


# ------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------
@st.cache_data(max_entries=8, show_spinner=False)
def _tornado_table(scenario_yaml: str, indicator: str) -> pd.DataFrame:
    scenario = loads_scenario(scenario_yaml, origin="<session>", other_services=share.OTHER_SERVICES)
    return ensemble_api.one_at_a_time(
        scenario, indicator, ensemble_api.documented_ranges(scenario), seed=scenario.seed
    )


def tornado_labels(s: Scenario, paths: Sequence[str], lang: str) -> dict[str, str]:
    """Each parameter of the tornado in words, in the page's language (never a raw path)."""
    out = {}
    for path in paths:
        try:
            out[path] = common.widget_label(common.param_at(type(s), path), lang)
        except KeyError:
            out[path] = path
    return out


def ranges_table(s: Scenario, lang: str) -> pd.DataFrame:
    """The documented ranges of an electricity scenario's tornado: parameter, its value, low, high
    and source, in the page's language."""
    documented = ranges_for(service_of(s))
    labels = tornado_labels(s, list(documented), lang)
    fr = normalise_lang(lang) == "fr"
    rows = []
    for path, r in documented.items():
        value = common.get_path(s, path)
        rows.append(
            {
                t("tornado.col.param", lang): labels[path],
                t("tornado.col.value", lang): fmt_number(float(value), lang, 3).rstrip("0").rstrip(",."),
                t("tornado.col.low", lang): fmt_number(r.low, lang, 3).rstrip("0").rstrip(",."),
                t("tornado.col.high", lang): fmt_number(r.high, lang, 3).rstrip("0").rstrip(",."),
                t("tornado.col.source", lang): r.source_fr if fr else r.source,
            }
        )
    return pd.DataFrame(rows)


def _tornado(s: Scenario, lang: str) -> None:
    """One-at-a-time sensitivity on request (about 20 to 30 runs of the model): water's price per
    m3 within the schema's bounds; for electricity, an indicator chosen among
    :data:`TORNADO_INDICATORS_ELECTRICITY`, within the documented ranges."""
    electricity = service_of(s) == "electricity"
    with st.expander(t("tornado.header.electricity" if electricity else "tornado.header", lang)):
        if electricity:
            st.caption(t("tornado.caption.electricity", lang))
            indicator = st.selectbox(
                t("tornado.indicator", lang),
                TORNADO_INDICATORS_ELECTRICITY,
                format_func=lambda c: indicator_label(c, lang),
                key="explorer-tornado-indicator",
            )
        else:
            st.caption(t("tornado.caption", lang))
            indicator = TORNADO_INDICATOR
        if st.button(t("tornado.button", lang), key="explorer-tornado"):
            st.session_state["explorer-tornado-on"] = True
        if st.session_state.get("explorer-tornado-on"):
            with st.spinner(t("tornado.running", lang)):
                df = _tornado_table(dumps_scenario(s), indicator)
            labels = tornado_labels(s, list(df["param"]), lang)
            st.plotly_chart(tornado_figure(df, indicator, lang, labels), key="explorer-tornado-chart")
        if electricity:
            st.markdown(f"**{t('tornado.ranges', lang)}**")
            st.table(ranges_table(s, lang), hide_index=True)


def render() -> None:
    """Draw the page in the session's language."""
    lang = common.current_lang()
    firstview.begin(PAGE)
    page = share.init(lang)
    if page:
        share.follow_link(page, PAGE)
    st.title(t("explorer.title", lang))
    st.markdown(t("explorer.intro", lang))
    words = firstview.words()  # the first headline figures in a sentence, once the run is known

    service = share.service_select(lang)
    if service == "electricity":
        st.markdown(t("explorer.electricity.law", lang))
    choose, load = st.columns(2, gap="large")
    with choose:
        share.preset_select(lang)
    with load:
        share.upload_widget(lang)
    share.show_flash()
    s = share.current()
    with st.sidebar:
        st.header(t("explorer.params.header", lang))
        changes = parameter_form(s, lang)
    s, problem = apply(s, changes, lang)
    if problem:
        st.error(problem)
    st.caption(share.current_caption(s, lang))
    service = share.service_of(s)
    if service == "electricity":
        pricing = str(getattr(s.tariff, "pricing", "local"))
        st.info(t(f"explorer.electricity.{pricing}", lang), icon=":material/gavel:")
    params = share.sync_url(PAGE)
    run = share.run_scenario(s, lang)
    if run is None:
        return
    runs = ensembles.runs_control(PAGE, lang)
    params = share.sync_extra(params, ensembles.link_extra(runs))
    view = ensembles.prepare(PAGE, ensemble_key(s, runs), runs, _make(s))
    ensembles.panel(view, lang)
    odds = note = ens = None
    year = year_choice(run.result, lang)
    params = share.sync_extra(params, year_link(run.result, year))
    if view.result:
        ens = view.result["scenario"]
        odds = ensembles.statements(ens, [h.column for h in headlines_for(service)], lang, year)
        key = "explorer.median.caption" if ens.runs >= 2 else "ensemble.odds.caption"
        note = ensembles.tn(key, lang, view.done, seed=s.seed)
    words.markdown(headline_words(readings(run.result, year, lang, ens), lang))
    headline(run.result, lang, odds, note, year=year, ens=ens)
    _uncertainty(view, lang, service)
    _charts(run, lang)
    _tornado(s, lang)
    _files(run, s, params, lang, view)
    firstview.draw_deferred(PAGE)  # in the session's first run, the charts once the rest is drawn
    ensembles.advance(view, lang)  # last: the next part of the futures, then a new script run


if __name__ == "__main__":  # run by st.navigation as a page
    render()
