"""« Concevoir un tarif », electricity: a local offer designed by the committee, its bills at once.

Drawn by :mod:`sim.dashboard.tariff_design` when the service selector says « Électricité ». Inputs
on the left: the base scenario (a shipped electricity scenario), who sets the price (a local offer,
or the regulated tariff as a labelled "what if"), Base or HP/HC, the fixed part by subscribed kVA,
the energy price per kWh of each period, a local social rebate, and the tax period the bills are
shown with. Results on the right, recomputed on every change by
:mod:`sim.experiments.electricity_tariff_designer`: revenue against the cost to recover, energy
poverty (ONPE) before and after, who pays more and less, the bill by decile (chart and table), by
heating type, dwelling and kVA in three income bands, and the reference household's bill line by
line with its taxes (chart and table). « Ouvrir dans l'Explorer » makes the base scenario with this tariff
the scenario the Explorer runs, through the one safe loader; « Télécharger » saves it as YAML.

The offer's inputs come from the schema: the options of ``tariff.option`` and their periods
(:data:`sim.electricity.tariff.PERIODS`), the kVA steps of the base grid. A new option the model
bills is offered here without change; a new block of the tariff (an essential-kWh block) adds one
entry to :data:`SECTIONS`.

Widget values live in ``st.session_state`` under ``tariff.el.*`` keys for the whole session.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping, MutableMapping
from datetime import date
from pathlib import PurePosixPath
from typing import Any, Literal, cast

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from sim.dashboard import common, firstview, share
from sim.electricity.tariff import PERIODS
from sim.experiments.electricity_tariff_designer import (
    ElectricityDesign,
    check_proposal,
    default_tax_day,
    designer_for,
    tax_days,
)
from sim.i18n import THOUSANDS_FR, fmt_eur, fmt_number, fmt_pct, has_key, normalise_lang, t
from sim.scenario.electricity import ElectricityScenario, ElectricityTariff
from sim.scenario.errors import Problem
from sim.scenario.model import dumps_scenario, loads_scenario
from sim.show.plots import OKABE_ITO

K = "tariff.el."
BASE_KEY = K + "base"
LOADED = K + "loaded"  # base whose tariff fills the widgets (not a widget)
LAST_VALID = K + "last_valid"  # (base, tariff mapping) of the last valid input (not a widget)
KVAS = K + "kvas"  # the kVA steps of the grid being designed (not a widget)
PRICING = K + "pricing"
OPTION = K + "option"
OPTION_WAS = K + "option_was"  # the option whose prices are on screen (not a widget)
TAX_DAY = K + "tax_day"
RESPONSE = K + "response"
APPLY = K + "apply"
EXPLORER_BASE = "<explorer>"  # the base "the Explorer's current scenario"
PERSIST: Literal["session"] = "session"
#: the tariff options the model bills (from the schema, so a new option appears here)
#: the options this page designs (its reference bill and households' split are Base or HP/HC);
#: Tempo's six prices are entered in the scenario file, and Tempo scenarios are not offered here
DESIGNED = ("base", "hphc")
OPTIONS: tuple[str, ...] = tuple(
    o for o in typing.get_args(ElectricityTariff.model_fields["option"].annotation) if o in DESIGNED
)
PRICINGS: tuple[str, ...] = typing.get_args(ElectricityTariff.model_fields["pricing"].annotation)


def _state() -> MutableMapping[str, Any]:
    return cast(MutableMapping[str, Any], st.session_state)


def fixed_key(kva: int) -> str:
    return f"{K}fixed.{kva}"


def energy_key(period: str) -> str:
    return f"{K}energy.{period}"


# ------------------------------------------------------------------------------------------
# inputs <-> tariff (pure: they work on any mapping, so tests can call them)
# ------------------------------------------------------------------------------------------
def _social_inputs(tariff: ElectricityTariff) -> dict[str, Any]:
    soc = tariff.social
    return {
        K + "social.on": bool(soc.enabled),
        K + "social.deciles": list(soc.eligible_deciles),
        K + "social.rebate": float(soc.rebate_pct),
        K + "social.share": float(soc.eligible_share),
    }


def _social_data(state: Mapping[str, Any], data: dict[str, Any]) -> None:
    data["social"] = {
        **data["social"],
        "enabled": bool(state[K + "social.on"]),
        "eligible_deciles": sorted(int(d) for d in state[K + "social.deciles"]),
        "rebate_pct": float(state[K + "social.rebate"]),
        "eligible_share": float(state[K + "social.share"]),
    }


#: the tariff's blocks the page edits beyond prices: (widget values of a tariff, write them back)
SECTIONS: list[tuple[Callable[[ElectricityTariff], dict[str, Any]], Callable[..., None]]] = [
    (_social_inputs, _social_data),
]


def inputs_from_tariff(tariff: ElectricityTariff) -> dict[str, Any]:
    """Widget values (by session-state key) that show ``tariff``."""
    out: dict[str, Any] = {
        PRICING: tariff.pricing,
        OPTION: tariff.option,
        OPTION_WAS: tariff.option,
        KVAS: list(tariff.fixed_eur_per_year_by_kva),
    }
    for kva, eur in tariff.fixed_eur_per_year_by_kva.items():
        out[fixed_key(kva)] = float(eur)
    for period, eur in tariff.energy_eur_per_kwh.items():
        out[energy_key(period)] = float(eur)
    for read, _ in SECTIONS:
        out.update(read(tariff))
    return out


def tariff_data(state: Mapping[str, Any], base: ElectricityTariff) -> dict[str, Any]:
    """The proposed tariff as a mapping: ``base`` with the widget values of ``state``. Fields the
    page does not show (TURPE fixed parts, the grid's date, indexation, "what if" taxes) stay."""
    data = base.model_dump(mode="json")
    option = state[OPTION]
    data["pricing"] = state[PRICING]
    data["option"] = option
    data["build"] = "grid"  # the designer prices a grid: what it shows is what runs
    data["fixed_part_factor"] = data["energy_part_factor"] = 1.0
    data["fixed_eur_per_year_by_kva"] = {int(k): float(state[fixed_key(int(k))]) for k in state[KVAS]}
    data["energy_eur_per_kwh"] = {p: float(state[energy_key(p)]) for p in PERIODS[option]}
    for _, write in SECTIONS:
        write(state, data)
    return data


def switch_option(
    state: MutableMapping[str, Any],
    was: str,
    option: str,
    hp_factor: float,
    hc_factor: float,
    hc_share: float,
) -> None:
    """Give the periods of ``option`` prices from those of ``was`` on screen: the mean price of a
    kWh under ``was`` (Base, or HP and HC weighted by the off-peak share of kWh), then HP and HC
    by the cost stack's factors (the TRVE's HP/Base and HC/Base ratios, electricity.md §1.4); any
    other period starts at that mean."""
    prices = {p: float(state[energy_key(p)]) for p in PERIODS[was] if energy_key(p) in state}
    if was == "hphc" and len(prices) == 2:
        mean = (1 - hc_share) * prices["hp"] + hc_share * prices["hc"]
    else:
        mean = sum(prices.values()) / len(prices) if prices else 0.2
    factors = {"base": 1.0, "hp": hp_factor, "hc": hc_factor}
    for p in PERIODS[option]:
        state[energy_key(p)] = round(mean * factors.get(p, 1.0), 4)


def load_inputs(state: MutableMapping[str, Any], tariff: ElectricityTariff) -> None:
    """Fill ``state`` with the widgets of ``tariff`` (price widgets of another grid dropped)."""
    for k in [k for k in state if isinstance(k, str) and k.startswith((K + "fixed.", K + "energy."))]:
        del state[k]
    state.update(inputs_from_tariff(tariff))


# ------------------------------------------------------------------------------------------
# figures and tables (pure)
# ------------------------------------------------------------------------------------------
def _layout(fig: go.Figure, title: str, lang: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        template="plotly_white",
        separators="," + THOUSANDS_FR if normalise_lang(lang) == "fr" else ".,",
        margin={"l": 70, "r": 30, "t": 70, "b": 60},
        height=height,
    )
    return fig


def bill_change_figure(deciles: pd.DataFrame, lang: str) -> go.Figure:
    """Bars: change of the mean yearly bill of each income decile (€), labelled with its %, and
    a diamond on each decile's share in energy poverty under the tariff (right axis)."""
    x = [t("tariff.decile_short", lang, n=int(d)) for d in deciles["decile"]]
    change = deciles["change_eur"].to_numpy()
    fig = go.Figure(
        go.Bar(
            x=x,
            y=change,
            marker_color=[OKABE_ITO[3] if c > 0 else OKABE_ITO[0] for c in change],
            text=[common.signed(fmt_pct(p, lang, 1), p) for p in deciles["change_pct"]],
            textposition="outside",
            cliponaxis=False,
            name=t("eltariff.chart.change", lang),
            meta="change_eur",
            hovertemplate="%{x}: %{y:.2f} € (%{text})<extra></extra>",
        )
    )
    fig.add_hline(y=0, line_color=OKABE_ITO[6], line_width=1)
    fig.update_xaxes(title_text=t("tariff.axis.decile", lang))
    fig.update_yaxes(title_text=t("eltariff.axis.change", lang), zeroline=True)
    fig.update_layout(showlegend=False)
    return _layout(fig, t("eltariff.chart.title", lang), lang, 380)


#: the reference bill's segments: (key, lines of bill_lines added together, colour)
SEGMENTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "supplier",
        ("fixed", "energy_base", "energy_hp", "energy_hc", "supply", "network", "commercial", "margin"),
        OKABE_ITO[0],
    ),
    ("cta", ("cta",), OKABE_ITO[5]),
    ("excise", ("excise",), OKABE_ITO[1]),
    ("vat", ("vat_fixed", "vat_energy"), OKABE_ITO[3]),
)


def bill_split_figure(reference: pd.DataFrame, lang: str) -> go.Figure:
    """Where the reference household's yearly bill goes, now and under the tariff: one stacked bar
    each, the operator's price excl. tax, then the CTA, the excise and VAT."""
    y = [t("eltariff.split.now", lang), t("eltariff.split.new", lang)]
    fig = go.Figure()
    for key, lines, colour in SEGMENTS:
        rows = reference[reference["key"].isin(lines)]
        values = [float(rows["now"].fillna(0.0).sum()), float(rows["new"].sum())]
        fig.add_bar(
            y=y,
            x=values,
            orientation="h",
            name=t(f"eltariff.split.{key}", lang),
            marker_color=colour,
            meta=key,
            text=[fmt_eur(v, lang, 0) for v in values],
            textposition="inside",
            hovertemplate="%{y}: %{text}<extra>" + t(f"eltariff.split.{key}", lang) + "</extra>",
        )
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(title_text=t("eltariff.axis.bill", lang))
    return _layout(fig, t("eltariff.split.title", lang), lang, 300)


def decile_table(deciles: pd.DataFrame, lang: str) -> pd.DataFrame:
    rows = []
    for r in deciles.itertuples(index=False):
        rows.append(
            {
                t("eltariff.col.decile", lang): t("tariff.decile_short", lang, n=int(r.decile)),
                t("eltariff.col.income", lang): fmt_eur(r.mean_income_eur, lang, 0),
                t("eltariff.col.kwh", lang): fmt_number(r.kwh, lang, 0),
                t("eltariff.col.bill_now", lang): fmt_eur(r.bill_now_eur, lang, 0),
                t("eltariff.col.bill", lang): fmt_eur(r.bill_eur, lang, 0),
                t(
                    "eltariff.col.change", lang
                ): f"{common.signed(fmt_eur(r.change_eur, lang, 2), r.change_eur)} "
                f"({common.signed(fmt_pct(r.change_pct, lang, 1), r.change_pct)})",
                t("eltariff.col.more", lang): fmt_pct(r.pays_more_pct, lang, 0),
                t("eltariff.col.less", lang): fmt_pct(r.pays_less_pct, lang, 0),
                t("eltariff.col.poor_now", lang): fmt_pct(r.poor_now_pct, lang, 1),
                t("eltariff.col.poor", lang): fmt_pct(r.poor_pct, lang, 1),
            }
        )
    return pd.DataFrame(rows)


def groups_table(groups: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Mean bill by heating type, dwelling and kVA (rows) in the low, middle and high income bands."""
    rows = []
    for (heating, dwelling, kva), part in groups.groupby(["heating", "dwelling", "kva"], sort=False):
        row = {
            t("eltariff.col.heating", lang): t(f"eltariff.heating.{heating}", lang),
            t("eltariff.col.dwelling", lang): t(f"eltariff.dwelling.{dwelling}", lang),
            t("eltariff.col.kva", lang): fmt_number(kva, lang, 0),
        }
        for r in part.itertuples(index=False):
            change = common.signed(fmt_eur(r.change_eur, lang, 0), r.change_eur)
            row[t(f"eltariff.band.{r.band}", lang)] = f"{fmt_eur(r.bill_eur, lang, 0)} ({change})"
        rows.append(row)
    return pd.DataFrame(rows)


def reference_table(reference: pd.DataFrame, lang: str) -> pd.DataFrame:
    fr = normalise_lang(lang) == "fr"
    return pd.DataFrame(
        {
            t("eltariff.col.line", lang): reference["label_fr" if fr else "label_en"],
            t("eltariff.col.now", lang): [fmt_eur(v, lang, 2) for v in reference["now"]],
            t("eltariff.col.new", lang): [fmt_eur(v, lang, 2) for v in reference["new"]],
        }
    )


def option_label(option: str, lang: str) -> str:
    """A tariff option in words; an option added to the schema without its own text falls back to
    the catalogue's named choices (``choice.option.<value>``), then to its name."""
    key = f"eltariff.option.{option}"
    return t(key, lang) if has_key(key, lang) else common.choice_label("tariff.option", option, lang)


def period_label(period: str, lang: str) -> str:
    """The price input of a period (``Heures creuses (€/kWh)``); a period without its own text
    shows its name (``BLUE_HP (€/kWh)``)."""
    key = f"eltariff.energy.{period}"
    return t(key, lang) if has_key(key, lang) else f"{period.upper()} (€/kWh)"


def day_label(d: date, lang: str) -> str:
    """A tax period's first day: ``01/02/2026`` in French, ``2026-02-01`` in English."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if normalise_lang(lang) == "fr" else d.isoformat()


def problem_text(p: Problem, lang: str) -> str:
    key = f"eltariff.error.{p.kind}"
    what = t(key, lang, **p.ctx) if has_key(key, lang) else p.message(normalise_lang(lang))
    return t("tariff.error.line", lang, where=t("eltariff.where", lang), what=what, key=p.path)


# ------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------
def _base(name: str) -> ElectricityScenario:
    """The scenario a base name stands for: the Explorer's current one, or a shipped scenario."""
    s = share.current() if name == EXPLORER_BASE else share.load_preset(name)
    assert isinstance(s, ElectricityScenario)
    return s


def base_options() -> list[str]:
    """The scenarios a tariff can start from: the Explorer's own (when it is of electricity) first,
    then the shipped electricity scenarios."""
    files = [f for f in share.service_presets("electricity") if _base(f).tariff.option in DESIGNED]
    own = share.current_service() == "electricity" and _base(EXPLORER_BASE).tariff.option in DESIGNED
    return ([EXPLORER_BASE] if own else []) + files


def _base_label(name: str, lang: str) -> str:
    if name == EXPLORER_BASE:
        return t("eltariff.base.explorer", lang, name=share.current_source())
    return share.preset_label(name, lang)


def _on_base() -> None:
    ss = _state()
    load_inputs(ss, _base(ss[BASE_KEY]).tariff)
    ss[LOADED] = ss[BASE_KEY]
    ss.pop(LAST_VALID, None)


def _help(path: str, lang: str) -> str:
    return common.widget_help(common.param_at(ElectricityScenario, path), lang)


def _inputs(lang: str, scenario: ElectricityScenario) -> None:
    ss = _state()
    st.subheader(t("tariff.inputs.header", lang))
    st.radio(
        t("eltariff.pricing", lang),
        list(PRICINGS),
        format_func=lambda v: t(f"eltariff.pricing.{v}", lang),
        key=PRICING,
        persist_state=PERSIST,
        help=_help("tariff.pricing", lang),
    )
    stack = scenario.cost_stack
    hc_share = scenario.households.hc_share_of_kwh

    def on_option() -> None:
        ss_ = _state()
        was = str(ss_.get(OPTION_WAS, scenario.tariff.option))
        switch_option(ss_, was, ss_[OPTION], stack.hp_factor, stack.hc_factor, hc_share)
        ss_[OPTION_WAS] = ss_[OPTION]

    st.radio(
        t("eltariff.option", lang),
        list(OPTIONS),
        format_func=lambda v: option_label(v, lang),
        key=OPTION,
        on_change=on_option,
        horizontal=True,
        persist_state=PERSIST,
        help=_help("tariff.option", lang),
    )
    taxed = "ttc" if scenario.tariff.prices_include_taxes else "ht"
    st.markdown(f"**{t('eltariff.fixed', lang)}** — {t(f'eltariff.prices.{taxed}', lang)}")
    kvas = [int(k) for k in ss[KVAS]]
    width = min(len(kvas), 3)
    for i, kva in enumerate(kvas):
        if i % width == 0:  # one row of columns at a time: on a phone they stack in kVA order
            cols = st.columns(width)
        cols[i % width].number_input(
            t("eltariff.fixed.kva", lang, kva=kva),
            min_value=0.0,
            max_value=10_000.0,
            step=1.0,
            format="%.2f",
            key=fixed_key(kva),
            persist_state=PERSIST,
            help=_help("tariff.fixed_eur_per_year_by_kva", lang),
        )
    st.markdown(f"**{t('eltariff.energy', lang)}** — {t(f'eltariff.prices.{taxed}', lang)}")
    periods = PERIODS[ss[OPTION]]
    cols = st.columns(len(periods))
    for col, period in zip(cols, periods, strict=True):
        col.number_input(
            period_label(period, lang),
            min_value=0.0,
            max_value=10.0,
            step=0.001,
            format="%.4f",
            key=energy_key(period),
            persist_state=PERSIST,
            help=_help("tariff.energy_eur_per_kwh", lang),
        )
    st.markdown(f"**{t('eltariff.social', lang)}**")
    on = st.checkbox(
        t("eltariff.social.on", lang),
        key=K + "social.on",
        persist_state=PERSIST,
        help=_help("tariff.social.enabled", lang),
    )
    if on:
        st.multiselect(
            t("eltariff.social.deciles", lang),
            options=list(range(1, 11)),
            format_func=lambda d: t("tariff.decile_short", lang, n=d),
            key=K + "social.deciles",
            persist_state=PERSIST,
            placeholder=t("tariff.social.deciles.placeholder", lang),
            select_all=False,
            help=_help("tariff.social.eligible_deciles", lang),
        )
        st.number_input(
            t("eltariff.social.rebate", lang),
            min_value=0.0,
            max_value=100.0,
            step=1.0,
            format="%.1f",
            key=K + "social.rebate",
            persist_state=PERSIST,
            help=_help("tariff.social.rebate_pct", lang),
        )
        st.number_input(
            t("eltariff.social.share", lang),
            min_value=0.0,
            max_value=1.0,
            step=0.05,
            format="%.2f",
            key=K + "social.share",
            persist_state=PERSIST,
            help=_help("tariff.social.eligible_share", lang),
        )
    st.button(t("tariff.reset", lang), key=K + "reset", on_click=_on_base, icon=":material/undo:")


def _ensure_state(base: str, tariff: ElectricityTariff) -> None:
    ss = _state()
    if ss.get(LOADED) != base or KVAS not in ss:
        load_inputs(ss, tariff)
        ss[LOADED] = base
        ss.pop(LAST_VALID, None)
        return
    for k, v in inputs_from_tariff(tariff).items():  # widgets not drawn for a while
        if k not in ss:
            ss[k] = v


def _metrics(d: ElectricityDesign, lang: str) -> None:
    c1, c2 = st.columns(2)
    rev = d.revenue_eur - d.revenue_now_eur
    c1.metric(
        t("eltariff.metric.revenue", lang),
        fmt_eur(d.revenue_eur, lang, 0),
        None if abs(rev) < 0.5 else common.signed(fmt_eur(rev, lang, 0), rev),
        delta_color="off",
        border=True,
        help=t(
            "eltariff.metric.revenue.help",
            lang,
            costs=fmt_eur(d.costs_eur, lang, 0),
            target=fmt_eur(d.target_revenue_eur, lang, 0),
        ),
    )
    rec = d.recovery_pct - d.recovery_now_pct
    c2.metric(
        t("tariff.metric.recovery", lang),
        fmt_pct(d.recovery_pct, lang, 0),
        None if abs(rec) < 0.05 else t("tariff.points", lang, n=common.signed(fmt_number(rec, lang, 1), rec)),
        delta_color="off",
        border=True,
        help=t("eltariff.metric.recovery.help", lang, target=fmt_eur(d.target_revenue_eur, lang, 0)),
    )
    c3, c4 = st.columns(2)
    gap = d.poverty_pct - d.poverty_now_pct
    threshold = fmt_pct(d.threshold_pct, lang, 0)
    c3.metric(
        t("eltariff.metric.poverty", lang, threshold=threshold),
        fmt_pct(d.poverty_pct, lang, 1),
        None if abs(gap) < 0.05 else t("tariff.points", lang, n=common.signed(fmt_number(gap, lang, 1), gap)),
        delta_color="inverse",
        border=True,
        help=t(
            "eltariff.metric.poverty.help",
            lang,
            threshold=threshold,
            now=fmt_pct(d.poverty_now_pct, lang, 1),
            after=fmt_pct(d.poverty_after_cheque_pct, lang, 1),
            after_now=fmt_pct(d.poverty_after_cheque_now_pct, lang, 1),
        ),
    )
    price = d.price_ref_eur_per_kwh - d.price_ref_now_eur_per_kwh
    c4.metric(
        t("eltariff.metric.price", lang),
        fmt_eur(d.price_ref_eur_per_kwh, lang, 4),
        None if abs(price) < 5e-5 else common.signed(fmt_eur(price, lang, 4), price),
        delta_color="inverse",
        border=True,
        help=t("eltariff.metric.price.help", lang),
    )
    common.who_pays_more_and_less(d, lang, "eltariff.metric.more.help")


def apply_designed(new: ElectricityScenario, name: str) -> ElectricityScenario:
    """Make ``new`` the scenario the Explorer runs, through the one safe loader: the text a
    download would hold, read back by :func:`loads_scenario` (what runs is what was entered)."""
    s = loads_scenario(dumps_scenario(new), origin="<tarif>", other_services=share.OTHER_SERVICES)
    share.set_current(s, None, name)
    assert isinstance(s, ElectricityScenario)
    return s


def _save(base: str, new: ElectricityScenario | None, what_if: bool, lang: str) -> None:
    st.subheader(t("tariff.save.header", lang))
    ok = new is not None
    stem = PurePosixPath(share.current_source() if base == EXPLORER_BASE else base).name.removesuffix(".yaml")
    name = stem if stem.endswith("-tarif") else f"{stem}-tarif"
    name += ".yaml"

    def on_apply() -> None:
        if new is not None:
            apply_designed(new, name)
            done = t("eltariff.apply.done", lang, name=name)
            share.flash("success", f"{done} {t('eltariff.apply.what_if', lang)}" if what_if else done)

    row = st.container(horizontal=True, wrap=True)
    row.button(
        t("eltariff.apply", lang),
        key=APPLY,
        on_click=on_apply,
        disabled=not ok,
        icon=":material/play_arrow:",
        type="primary",
    )
    row.download_button(
        t("eltariff.download", lang),
        data=dumps_scenario(new).encode("utf-8") if new is not None else b"",
        file_name=name,
        mime="application/x-yaml",
        key=K + "save",
        disabled=not ok,
        icon=":material/download:",
    )
    st.caption(t("eltariff.save.help" if ok else "tariff.save.blocked", lang))
    share.show_flash()
    if st.session_state.get(share.SOURCE) == name:
        st.page_link(
            "sim/dashboard/explorer.py", label=t("eltariff.apply.go", lang), icon=":material/arrow_forward:"
        )


def render(lang: str, page: str | None = None) -> None:
    """The electricity designer (the page's title and service selector are drawn by the caller);
    its charts through :func:`sim.dashboard.firstview.chart` of ``page`` (at once without one)."""

    def chart(draw: Callable[[], Any]) -> None:
        if page is None:
            draw()
        else:
            firstview.chart(page, lang, draw)

    ss = _state()
    st.markdown(t("eltariff.intro", lang))
    st.caption(t("eltariff.not_designed", lang))
    files = base_options()
    if ss.get(BASE_KEY) not in files:
        ss[BASE_KEY] = files[0]
    # labels fixed when drawn: a format function reading the session later could name another file
    labels = {n: _base_label(n, lang) for n in files}
    left, right = st.columns([5, 7], gap="large")
    with left:
        base = st.selectbox(
            t("tariff.base", lang),
            files,
            key=BASE_KEY,
            format_func=labels.__getitem__,
            on_change=_on_base,
            persist_state=PERSIST,
        )
        scenario = _base(base)
        _ensure_state(base, scenario.tariff)
        _inputs(lang, scenario)
        days = list(tax_days())
        if ss.get(TAX_DAY) not in days:
            ss[TAX_DAY] = default_tax_day(scenario.town.start_year)
        st.selectbox(
            t("eltariff.tax_day", lang),
            days,
            key=TAX_DAY,
            format_func=lambda d: day_label(d, lang),
            help=t("eltariff.tax_day.help", lang),
        )

    proposal = check_proposal(scenario, tariff_data(ss, scenario.tariff))
    if proposal.ok and proposal.tariff is not None:
        ss[LAST_VALID] = (base, proposal.tariff.model_dump(mode="json"))
        shown = proposal.tariff
    else:
        last = ss.get(LAST_VALID)
        shown = ElectricityTariff.model_validate(last[1]) if last and last[0] == base else scenario.tariff

    with right:
        with st.spinner(t("tariff.spinner", lang)):
            designer = designer_for(scenario)
        if proposal.problems:
            st.error(
                "\n\n".join(
                    [t("tariff.error.head", lang)] + [f"- {problem_text(p, lang)}" for p in proposal.problems]
                ),
                icon=":material/error:",
            )
            st.info(t("tariff.stale", lang))
        respond = st.toggle(
            t("eltariff.response", lang, elasticity=fmt_number(designer.elasticity, lang, 3)),
            value=True,
            key=RESPONSE,
            help=t("eltariff.response.help", lang),
        )
        d = designer.evaluate(shown, price_response=respond, tax_day=ss[TAX_DAY])
        if d.regulated:
            st.warning(
                t("eltariff.regulated.what_if" if d.what_if else "eltariff.regulated", lang),
                icon=":material/gavel:",
            )
        else:
            st.info(t("eltariff.local", lang), icon=":material/gavel:")
        _metrics(d, lang)
        st.markdown(
            t(
                "tariff.summary",
                lang,
                more=fmt_pct(d.pays_more_pct, lang, 0),
                less=fmt_pct(d.pays_less_pct, lang, 0),
                balance=t(
                    "tariff.summary.surplus" if d.balance_eur >= 0 else "tariff.summary.deficit",
                    lang,
                    amount=fmt_eur(abs(d.balance_eur), lang, 0),
                ),
            )
        )
        chart(lambda: st.plotly_chart(bill_change_figure(d.deciles, lang), key=K + "chart"))

    st.subheader(t("eltariff.deciles.header", lang))
    st.table(decile_table(d.deciles, lang), hide_index=True)
    st.caption(
        t(
            "eltariff.deciles.note",
            lang,
            threshold=fmt_pct(d.threshold_pct, lang, 0),
            day=day_label(d.tax_day, lang),
        )
    )
    st.subheader(t("eltariff.groups.header", lang))
    st.table(groups_table(d.groups, lang), hide_index=True)
    st.caption(t("eltariff.groups.note", lang))
    st.subheader(t("eltariff.taxes.header", lang))
    chart(lambda: st.plotly_chart(bill_split_figure(d.reference, lang), key=K + "split"))
    st.table(reference_table(d.reference, lang), hide_index=True)
    st.caption(
        t(
            "eltariff.taxes.note",
            lang,
            day=day_label(d.tax_day, lang),
            cta=fmt_eur(d.taxes["cta"], lang, 0),
            excise=fmt_eur(d.taxes["excise"], lang, 0),
            vat=fmt_eur(d.taxes["vat"], lang, 0),
            cta_now=fmt_eur(d.taxes_now["cta"], lang, 0),
            excise_now=fmt_eur(d.taxes_now["excise"], lang, 0),
            vat_now=fmt_eur(d.taxes_now["vat"], lang, 0),
        )
    )
    _save(base, cast(ElectricityScenario | None, proposal.scenario), d.what_if and proposal.ok, lang)
    with st.expander(t("tariff.method.title", lang)):
        st.markdown(
            t(
                "eltariff.method.text",
                lang,
                elasticity=fmt_number(designer.elasticity, lang, 3),
                reference=fmt_eur(scenario.households.reference_price_eur_per_kwh, lang, 4),
                threshold=fmt_pct(d.threshold_pct, lang, 0),
                costs=fmt_eur(d.costs_eur, lang, 0),
                target=fmt_eur(d.target_revenue_eur, lang, 0),
            )
        )
