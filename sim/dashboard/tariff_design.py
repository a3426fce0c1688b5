"""Page « Concevoir un tarif »: a committee designs a tariff and sees at once who pays what.

Inputs on the left: the base scenario, the standing charge, the free essential volume, the blocks
(add, remove, bounds and prices), per-person blocks and the social tariff. Results on the right,
recomputed on every change by :mod:`sim.experiments.tariff_designer` (a few milliseconds once the town is
built): the legal standing-charge cap (pass or fail, with the values), revenue against the cost to
recover, affordability, who pays more and who pays less, the change of the mean bill by income
decile (chart and table) and the bills of typical households. « Enregistrer le tarif dans un
scénario » downloads the base scenario with the new tariff as YAML.

An invalid input (block bounds that do not rise, a standing charge above the cap, …) gets a
located message in the page's language and changes nothing: the results of the last valid tariff
stay on screen, and the scenario cannot be saved until the input is fixed.

Widget values live in ``st.session_state`` under ``tariff.*`` keys, kept for the whole session
(``persist_state="session"``), so leaving the page and coming back keeps the tariff being designed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any, Literal, cast

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from sim.dashboard import common, firstview, share, tariff_design_electricity
from sim.experiments.tariff_designer import (
    CapCheck,
    TariffDesign,
    cap_check,
    check_proposal,
    designer_for,
)
from sim.i18n import THOUSANDS_FR, fmt_eur, fmt_number, fmt_pct, has_key, normalise_lang, t
from sim.scenario.errors import Problem
from sim.scenario.loader import builtin_names
from sim.scenario.model import (
    Scenario,
    Tariff,
    dumps_scenario,
    load_scenario,
    reference_persons,
    scenarios_dir,
)
from sim.show.plots import OKABE_ITO

K = "tariff."  # prefix of this page's session-state keys
BASE_KEY = K + "base"
N_BLOCKS = K + "n_blocks"  # number of blocks (not a widget)
LOADED = K + "loaded"  # base scenario whose tariff fills the widgets (not a widget)
LAST_VALID = K + "last_valid"  # (base file, tariff mapping) of the last valid input (not a widget)
RESPONSE_KEY = K + "response"
MAX_BLOCKS = 6
DEFAULT_BASE = "town.yaml"
PERSIST: Literal["session"] = "session"  # widget values survive page changes

#: the page's name for :mod:`sim.dashboard.firstview`
PAGE = "tarif"


def _state() -> MutableMapping[str, Any]:
    """``st.session_state`` as the mapping the pure helpers work on."""
    return cast(MutableMapping[str, Any], st.session_state)


def _key(name: str) -> str:
    return K + name


def block_key(i: int, field: str) -> str:
    """Session-state key of block ``i``'s ``"up_to"`` or ``"price"`` widget (0-based)."""
    return f"{K}b{i}.{field}"


# ------------------------------------------------------------------------------------------
# inputs <-> tariff (pure: they work on any mapping, so tests can call them)
# ------------------------------------------------------------------------------------------
def inputs_from_tariff(tariff: Tariff) -> dict[str, Any]:
    """Widget values (by session-state key) that show ``tariff``."""
    soc = tariff.social
    out: dict[str, Any] = {
        _key("standing"): float(tariff.standing_charge_eur_per_year),
        _key("free"): float(tariff.free_volume_m3),
        _key("per_person"): bool(tariff.blocks_per_person),
        N_BLOCKS: len(tariff.blocks),
        _key("social.on"): bool(soc.enabled),
        _key("social.deciles"): list(soc.eligible_deciles),
        _key("social.kind"): soc.kind,
        _key("social.factor"): float(soc.price_factor),
        _key("social.cap"): float(soc.bill_cap_pct_of_income),
        _key("social.share"): float(soc.eligible_share),
    }
    for i, b in enumerate(tariff.blocks):
        if b.up_to_m3 is not None:
            out[block_key(i, "up_to")] = float(b.up_to_m3)
        out[block_key(i, "price")] = float(b.price_eur_per_m3)
    return out


def tariff_data(state: Mapping[str, Any], base: Tariff) -> dict[str, Any]:
    """The proposed tariff as a mapping: ``base`` with the values of the widgets in ``state``.

    Fields the page does not show (levies, VAT, seasonal surcharge, indexation) stay those of
    ``base``. The result is checked by :func:`sim.experiments.tariff_designer.check_proposal`.
    """
    data = base.model_dump(mode="json")
    data["standing_charge_eur_per_year"] = state[_key("standing")]
    data["free_volume_m3"] = state[_key("free")]
    data["blocks_per_person"] = bool(state[_key("per_person")])
    n = int(state[N_BLOCKS])
    data["blocks"] = [
        {
            "up_to_m3": None if i == n - 1 else state.get(block_key(i, "up_to")),
            "price_eur_per_m3": state[block_key(i, "price")],
        }
        for i in range(n)
    ]
    data["social"] = {
        **data["social"],
        "enabled": bool(state[_key("social.on")]),
        "eligible_deciles": sorted(int(d) for d in state[_key("social.deciles")]),
        "kind": state[_key("social.kind")],
        "price_factor": state[_key("social.factor")],
        "bill_cap_pct_of_income": state[_key("social.cap")],
        "eligible_share": state[_key("social.share")],
    }
    return data


def _block_keys(state: Mapping[str, Any]) -> list[str]:
    return [k for k in state if isinstance(k, str) and re.fullmatch(rf"{re.escape(K)}b\d+\.\w+", k)]


def load_inputs(state: MutableMapping[str, Any], tariff: Tariff) -> None:
    """Fill ``state`` with the widgets of ``tariff`` (every block widget replaced)."""
    for k in _block_keys(state):
        del state[k]
    state.update(inputs_from_tariff(tariff))


def add_block(state: MutableMapping[str, Any]) -> None:
    """Append a block: the old last block gets an upper bound 120 m3 above the previous one."""
    n = int(state[N_BLOCKS])
    if n >= MAX_BLOCKS:
        return
    prev = float(state.get(block_key(n - 2, "up_to"), 0.0)) if n >= 2 else 0.0
    state[block_key(n - 1, "up_to")] = prev + 120.0
    last_price = float(state.get(block_key(n - 1, "price"), 1.0))
    state[block_key(n, "price")] = min(round(last_price * 1.5, 2), 50.0)
    state[N_BLOCKS] = n + 1


def remove_block(state: MutableMapping[str, Any]) -> None:
    """Drop the last block; the one before becomes the open-ended last block."""
    n = int(state[N_BLOCKS])
    if n <= 1:
        return
    for k in (block_key(n - 1, "up_to"), block_key(n - 1, "price"), block_key(n - 2, "up_to")):
        state.pop(k, None)
    state[N_BLOCKS] = n - 1


# ------------------------------------------------------------------------------------------
# figures and tables (pure)
# ------------------------------------------------------------------------------------------
def decile_change_figure(deciles: pd.DataFrame, lang: str) -> go.Figure:
    """Bars: change of the mean yearly bill of each income decile (€), labelled with its %."""
    x = [t("tariff.decile_short", lang, n=int(d)) for d in deciles["decile"]]
    change = deciles["change_eur"].to_numpy()
    colours = [OKABE_ITO[3] if c > 0 else OKABE_ITO[0] for c in change]
    labels = [common.signed(fmt_pct(p, lang, 1), p) for p in deciles["change_pct"]]
    fig = go.Figure(
        go.Bar(
            x=x,
            y=change,
            marker_color=colours,
            text=labels,
            textposition="outside",
            meta="change_eur",
            name=t("tariff.col.change_eur", lang),
            cliponaxis=False,
            hovertemplate="%{x}: %{y:.2f} € (%{text})<extra></extra>",
        )
    )
    fig.add_hline(y=0, line_color=OKABE_ITO[6], line_width=1)
    fig.update_xaxes(title_text=t("tariff.axis.decile", lang))
    fig.update_yaxes(title_text=t("tariff.axis.change", lang), zeroline=True)
    fig.update_layout(
        title={"text": t("tariff.chart.title", lang), "x": 0.0, "xanchor": "left"},
        template="plotly_white",
        separators="," + THOUSANDS_FR if normalise_lang(lang) == "fr" else ".,",
        showlegend=False,
        margin={"l": 70, "r": 30, "t": 70, "b": 60},
        height=380,
    )
    return fig


def _eur(x: float, lang: str, decimals: int = 0) -> str:
    return fmt_eur(x, lang, decimals)


def _change(eur: float, pct: float, lang: str) -> str:
    """``+27,28 € (+11,2 %)``."""
    return f"{common.signed(_eur(eur, lang, 2), eur)} ({common.signed(fmt_pct(pct, lang, 1), pct)})"


def decile_table(deciles: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The decile table as people read it: text in the page's language, one row per decile."""
    rows = []
    for r in deciles.itertuples(index=False):
        rows.append(
            {
                t("tariff.col.decile", lang): t("tariff.decile_short", lang, n=int(r.decile)),
                t("tariff.col.income", lang): _eur(r.mean_income_eur, lang),
                t("tariff.col.volume", lang): fmt_number(r.volume_m3, lang, 0),
                t("tariff.col.bill_now", lang): _eur(r.bill_now_eur, lang),
                t("tariff.col.bill", lang): _eur(r.bill_eur, lang),
                t("tariff.col.change", lang): _change(r.change_eur, r.change_pct, lang),
                t("tariff.col.pays_more", lang): fmt_pct(r.pays_more_pct, lang, 0),
                t("tariff.col.median_rise", lang): common.signed(
                    _eur(r.median_rise_eur, lang, 2), r.median_rise_eur
                ),
                t("tariff.col.pays_less", lang): fmt_pct(r.pays_less_pct, lang, 0),
                t("tariff.col.median_fall", lang): _eur(r.median_fall_eur, lang, 2),
                t("tariff.col.above_now", lang): fmt_pct(r.above_now_pct, lang, 1),
                t("tariff.col.above", lang): fmt_pct(r.above_pct, lang, 1),
            }
        )
    return pd.DataFrame(rows)


def typical_table(typical: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Typical households as people read them."""
    rows = []
    for r in typical.itertuples(index=False):
        rows.append(
            {
                t("tariff.col.household", lang): t(f"tariff.typical.{r.household}", lang),
                t("tariff.col.persons", lang): str(int(r.persons)),
                t("tariff.col.volume_now", lang): fmt_number(r.volume_now_m3, lang, 0),
                t("tariff.col.volume", lang): fmt_number(r.volume_m3, lang, 0),
                t("tariff.col.bill_now", lang): _eur(r.bill_now_eur, lang, 2),
                t("tariff.col.bill", lang): _eur(r.bill_eur, lang, 2),
                t("tariff.col.change_eur", lang): common.signed(_eur(r.change_eur, lang, 2), r.change_eur),
                t("tariff.col.change_pct", lang): common.signed(fmt_pct(r.change_pct, lang, 1), r.change_pct),
            }
        )
    return pd.DataFrame(rows)


def problem_where(path: str, lang: str) -> str:
    """The input a problem's key path points at, in words."""
    m = re.fullmatch(r"tariff\.blocks\[(\d+)\]\.(up_to_m3|price_eur_per_m3)", path)
    if m:
        which = "bound" if m.group(2) == "up_to_m3" else "price"
        return t(f"tariff.where.block_{which}", lang, n=int(m.group(1)) + 1)
    named = {
        "tariff.standing_charge_eur_per_year": "tariff.standing",
        "tariff.free_volume_m3": "tariff.free",
        "tariff.blocks": "tariff.blocks",
    }
    if path in named:
        return t(named[path], lang)
    if path.startswith("tariff.social"):
        return t("tariff.social.title", lang)
    return path


def _amount(x: float, lang: str) -> str:
    """A volume or price as typed: no decimals when whole, else up to two."""
    if float(x).is_integer():
        return fmt_number(x, lang, 0)
    return fmt_number(x, lang, 2).rstrip("0").rstrip(",.")


def problem_text(p: Problem, lang: str) -> str:
    """One located problem: where (in words), what is wrong, and the key path."""
    key = f"tariff.error.{p.kind}"
    if has_key(key, lang):
        ctx = {k: (_amount(v, lang) if isinstance(v, float) else v) for k, v in p.ctx.items()}
        what = t(key, lang, **ctx)
    else:
        what = p.message(normalise_lang(lang))
    return t("tariff.error.line", lang, where=problem_where(p.path, lang), what=what, key=p.path)


def cap_text(cap: CapCheck, lang: str) -> str:
    """The standing-charge cap check in words, with its values."""
    return t(
        "tariff.cap.ok" if cap.ok else "tariff.cap.fail",
        lang,
        share=fmt_pct(cap.share_pct, lang, 1),
        cap=fmt_pct(cap.cap_pct, lang, 0),
        standing=fmt_eur(cap.standing_eur, lang, 2),
        cost=fmt_eur(cap.cost_120m3_eur, lang, 2),
        kind=t("tariff.cap.urban" if cap.urban else "tariff.cap.rural", lang),
    )


# ------------------------------------------------------------------------------------------
# cached model objects
# ------------------------------------------------------------------------------------------
def base_files() -> list[str]:
    """Shipped scenarios the tariff can start from, the base town first."""
    # water scenarios only: a multi-service file (a `services:` block) is not one
    names = sorted(n for n in builtin_names() if not n.startswith("_"))
    return sorted(names, key=lambda n: (n != DEFAULT_BASE, n))


@st.cache_resource(show_spinner=False, max_entries=16)
def base_scenario(name: str) -> Scenario:
    """A shipped scenario, loaded once per server (scenarios are frozen, so sharing is safe)."""
    return load_scenario(scenarios_dir() / name)


def _base_label(name: str, lang: str) -> str:
    key = f"tariff.base.{name.removesuffix('.yaml')}"
    return t(key, lang) if has_key(key, lang) else name


# ------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------
def _help(path: str, lang: str) -> str:
    return common.widget_help(common.param_at(Scenario, path), lang)


def _ensure_state(base: str, tariff: Tariff) -> None:
    ss = _state()
    if ss.get(LOADED) != base or N_BLOCKS not in ss:
        load_inputs(ss, tariff)
        ss[LOADED] = base
        ss.pop(LAST_VALID, None)
        return
    # widgets not drawn for a while may have lost their value: refill from the base tariff
    n = int(ss[N_BLOCKS])
    defaults = inputs_from_tariff(tariff)
    for k, v in defaults.items():
        if k not in ss and not k.startswith(f"{K}b"):
            ss[k] = v
    for i in range(n):
        if block_key(i, "price") not in ss:
            ss[block_key(i, "price")] = defaults.get(block_key(i, "price"), 1.0)
        if i < n - 1 and block_key(i, "up_to") not in ss:
            prev = float(ss.get(block_key(i - 1, "up_to"), 0.0)) if i else 0.0
            ss[block_key(i, "up_to")] = prev + 120.0


def _on_base_change() -> None:
    ss = _state()
    name = ss[BASE_KEY]
    load_inputs(ss, base_scenario(name).tariff)
    ss[LOADED] = name
    ss.pop(LAST_VALID, None)


def _on_reset() -> None:
    _on_base_change()


def _on_add() -> None:
    add_block(_state())


def _on_remove() -> None:
    remove_block(_state())


def _inputs(lang: str, scenario: Scenario) -> None:
    ss = _state()
    st.subheader(t("tariff.inputs.header", lang))
    st.number_input(
        t("tariff.standing", lang),
        min_value=0.0,
        max_value=5000.0,
        step=1.0,
        format="%.2f",
        key=_key("standing"),
        persist_state=PERSIST,
        help=_help("tariff.standing_charge_eur_per_year", lang),
    )
    st.number_input(
        t("tariff.free", lang),
        min_value=0.0,
        max_value=1000.0,
        step=1.0,
        format="%.1f",
        key=_key("free"),
        persist_state=PERSIST,
        help=_help("tariff.free_volume_m3", lang),
    )
    st.checkbox(
        t("tariff.per_person", lang),
        key=_key("per_person"),
        persist_state=PERSIST,
        help=t("tariff.per_person.help", lang, persons=reference_persons(scenario)),
    )

    st.markdown(f"**{t('tariff.blocks', lang)}**")
    n = int(ss[N_BLOCKS])
    for i in range(n):
        left, right = st.columns(2, vertical_alignment="bottom")
        if i < n - 1:
            left.number_input(
                t("tariff.block.up_to", lang, n=i + 1),
                min_value=1.0,
                max_value=1e6,
                step=10.0,
                format="%.0f",
                key=block_key(i, "up_to"),
                persist_state=PERSIST,
                help=_help("tariff.blocks[0].up_to_m3", lang),
            )
        else:
            lower = ss.get(block_key(i - 1, "up_to")) if i else None
            left.markdown(
                t("tariff.block.open", lang, n=i + 1, lower=fmt_number(lower, lang, 0))
                if lower is not None
                else t("tariff.block.single", lang)
            )
        right.number_input(
            t("tariff.block.price", lang, n=i + 1),
            min_value=0.0,
            max_value=50.0,
            step=0.01,
            format="%.2f",
            key=block_key(i, "price"),
            persist_state=PERSIST,
            help=_help("tariff.blocks[0].price_eur_per_m3", lang),
        )
    row = st.container(horizontal=True, wrap=True)
    row.button(
        t("tariff.block.add", lang),
        key=_key("add"),
        on_click=_on_add,
        disabled=n >= MAX_BLOCKS,
        icon=":material/add:",
    )
    row.button(
        t("tariff.block.remove", lang),
        key=_key("remove"),
        on_click=_on_remove,
        disabled=n <= 1,
        icon=":material/remove:",
    )
    row.button(t("tariff.reset", lang), key=_key("reset"), on_click=_on_reset, icon=":material/undo:")

    st.markdown(f"**{t('tariff.social.title', lang)}**")
    on = st.checkbox(
        t("tariff.social.on", lang),
        key=_key("social.on"),
        persist_state=PERSIST,
        help=_help("tariff.social.enabled", lang),
    )
    if on:
        st.multiselect(
            t("tariff.social.deciles", lang),
            options=list(range(1, 11)),
            format_func=lambda d: t("tariff.decile_short", lang, n=d),
            key=_key("social.deciles"),
            persist_state=PERSIST,
            placeholder=t("tariff.social.deciles.placeholder", lang),
            select_all=False,  # Streamlit's « Select all » is English only
            help=_help("tariff.social.eligible_deciles", lang),
        )
        kind = st.selectbox(
            t("tariff.social.kind", lang),
            options=["reduced_blocks", "bill_cap"],
            format_func=lambda k: t(f"tariff.social.kind.{k}", lang),
            key=_key("social.kind"),
            persist_state=PERSIST,
            help=_help("tariff.social.kind", lang),
        )
        if kind == "reduced_blocks":
            st.number_input(
                t("tariff.social.factor", lang),
                min_value=0.0,
                max_value=1.0,
                step=0.01,
                format="%.2f",
                key=_key("social.factor"),
                persist_state=PERSIST,
                help=_help("tariff.social.price_factor", lang),
            )
        else:
            st.number_input(
                t("tariff.social.cap", lang),
                min_value=0.1,
                max_value=100.0,
                step=0.1,
                format="%.1f",
                key=_key("social.cap"),
                persist_state=PERSIST,
                help=_help("tariff.social.bill_cap_pct_of_income", lang),
            )
        st.number_input(
            t("tariff.social.share", lang),
            min_value=0.0,
            max_value=1.0,
            step=0.05,
            format="%.2f",
            key=_key("social.share"),
            persist_state=PERSIST,
            help=_help("tariff.social.eligible_share", lang),
        )
        if not ss.get(_key("social.deciles")):
            st.warning(t("tariff.social.nobody", lang))


def compact_eur(x: float, lang: str) -> str:
    """A large amount in thousands or millions of euros (``3,78 M€`` / ``€3.78M``)."""
    fr = normalise_lang(lang) == "fr"
    for size, fr_unit, en_unit, decimals in ((1e6, "M€", "M", 2), (1e3, "k€", "k", 0)):
        if abs(x) >= size:
            n = fmt_number(x / size, lang, decimals)
            if fr:
                return f"{n}\u00a0{fr_unit}"
            return f"-€{n[1:]}{en_unit}" if n.startswith("-") else f"€{n}{en_unit}"
    return fmt_eur(x, lang, 0)


def _delta(text: str, x: float, tol: float) -> str | None:
    """A metric's delta: signed, or None (no arrow) when the change is below ``tol``."""
    return None if abs(x) < tol else common.signed(text, x)


def _metrics(d: TariffDesign, lang: str) -> None:
    c1, c2 = st.columns(2)
    rev = d.revenue_eur - d.revenue_now_eur
    c1.metric(
        t("tariff.metric.revenue", lang),
        compact_eur(d.revenue_eur, lang),
        _delta(compact_eur(rev, lang), rev, 0.5),
        delta_color="off",
        border=True,
        help=t(
            "tariff.metric.revenue.help",
            lang,
            costs=_eur(d.costs_eur, lang),
            target=_eur(d.target_revenue_eur, lang),
            revenue=_eur(d.revenue_eur, lang),
        ),
    )
    rec = d.recovery_pct - d.recovery_now_pct
    c2.metric(
        t("tariff.metric.recovery", lang),
        fmt_pct(d.recovery_pct, lang, 0),
        _delta(t("tariff.points", lang, n=fmt_number(rec, lang, 1)), rec, 0.05),
        delta_color="off",
        border=True,
        help=t("tariff.metric.recovery.help", lang, target=_eur(d.target_revenue_eur, lang)),
    )
    c3, c4 = st.columns(2)
    price = d.price_120m3_eur_per_m3 - d.price_120m3_now_eur_per_m3
    c3.metric(
        t("tariff.metric.price120", lang),
        fmt_eur(d.price_120m3_eur_per_m3, lang, 2),
        _delta(fmt_eur(price, lang, 2), price, 0.005),
        delta_color="inverse",
        border=True,
        help=t("tariff.metric.price120.help", lang),
    )
    gap = d.above_pct - d.above_now_pct
    c4.metric(
        t("tariff.metric.above", lang, threshold=fmt_pct(d.threshold_pct, lang, 0)),
        fmt_pct(d.above_pct, lang, 1),
        _delta(t("tariff.points", lang, n=fmt_number(gap, lang, 1)), gap, 0.05),
        delta_color="inverse",
        border=True,
        help=t("tariff.metric.above.help", lang, threshold=fmt_pct(d.threshold_pct, lang, 0)),
    )
    common.who_pays_more_and_less(d, lang, "tariff.metric.more.help")


def _save(base: str, proposal_ok: bool, new: Scenario | None, lang: str) -> None:
    st.subheader(t("tariff.save.header", lang))
    data = dumps_scenario(new).encode("utf-8") if proposal_ok and new is not None else b""
    stem = base.removesuffix(".yaml")
    st.download_button(
        t("tariff.save", lang),
        data=data,
        file_name=f"{stem}-tarif.yaml",
        mime="application/x-yaml",
        key=_key("save"),
        disabled=not proposal_ok,
        icon=":material/download:",
        type="primary",
    )
    st.caption(t("tariff.save.help" if proposal_ok else "tariff.save.blocked", lang))


def render() -> None:
    """Draw the page in the session's language."""
    lang = common.current_lang()
    firstview.begin(PAGE)
    ss = _state()
    st.title(t("tariff.title", lang))
    if share.service_select(lang) == "electricity":
        tariff_design_electricity.render(lang, page=PAGE)
        firstview.draw_deferred(PAGE)
        return
    st.markdown(t("tariff.intro", lang))

    files = base_files()
    if ss.get(BASE_KEY) not in files:
        ss[BASE_KEY] = DEFAULT_BASE if DEFAULT_BASE in files else files[0]
    left, right = st.columns([5, 7], gap="large")
    with left:
        base = st.selectbox(
            t("tariff.base", lang),
            files,
            key=BASE_KEY,
            format_func=lambda n: _base_label(n, lang),
            on_change=_on_base_change,
            persist_state=PERSIST,
        )
        scenario = base_scenario(base)
        _ensure_state(base, scenario.tariff)
        _inputs(lang, scenario)

    proposal = check_proposal(scenario, tariff_data(ss, scenario.tariff))
    if proposal.ok and proposal.tariff is not None:
        ss[LAST_VALID] = (base, proposal.tariff.model_dump(mode="json"))
        shown = proposal.tariff
    else:
        last = ss.get(LAST_VALID)
        shown = Tariff.model_validate(last[1]) if last and last[0] == base else scenario.tariff

    with right:
        with st.spinner(t("tariff.spinner", lang)):
            designer = designer_for(scenario)
        # the cap has its own panel, with its values: it is not repeated in the list
        others = [p for p in proposal.problems if p.kind != "standing_charge_cap"]
        if others:
            st.error(
                "\n\n".join([t("tariff.error.head", lang)] + [f"- {problem_text(p, lang)}" for p in others]),
                icon=":material/error:",
            )
        cap = proposal.cap if proposal.cap is not None else cap_check(shown, scenario)
        (st.success if cap.ok else st.error)(cap_text(cap, lang), icon=":material/gavel:")
        if not proposal.ok:
            st.info(t("tariff.stale", lang))
        respond = st.toggle(
            t("tariff.response", lang, elasticity=fmt_number(designer.elasticity, lang, 2)),
            value=True,
            key=RESPONSE_KEY,
            help=t("tariff.response.help", lang),
        )
        result = designer.evaluate(shown, price_response=respond)
        _metrics(result, lang)
        st.markdown(
            t(
                "tariff.summary",
                lang,
                more=fmt_pct(result.pays_more_pct, lang, 0),
                less=fmt_pct(result.pays_less_pct, lang, 0),
                balance=t(
                    "tariff.summary.surplus" if result.balance_eur >= 0 else "tariff.summary.deficit",
                    lang,
                    amount=_eur(abs(result.balance_eur), lang),
                ),
            )
        )
        # in the session's first view the figures show while the browser loads Plotly
        firstview.chart(
            PAGE, lang, lambda: st.plotly_chart(decile_change_figure(result.deciles, lang), key=_key("chart"))
        )

    st.subheader(t("tariff.deciles.header", lang))
    st.table(decile_table(result.deciles, lang), hide_index=True)
    st.caption(t("tariff.deciles.note", lang, threshold=fmt_pct(result.threshold_pct, lang, 0)))
    st.subheader(t("tariff.typical.header", lang))
    st.table(typical_table(result.typical, lang), hide_index=True)
    st.caption(t("tariff.typical.note", lang, per_person=fmt_number(designer.per_person_m3, lang, 1)))
    _save(base, proposal.ok, proposal.scenario, lang)
    with st.expander(t("tariff.method.title", lang)):
        st.markdown(
            t(
                "tariff.method.text",
                lang,
                elasticity=fmt_number(designer.elasticity, lang, 2),
                reference=fmt_eur(scenario.households.reference_marginal_price_eur_per_m3, lang, 2),
                sewerage=fmt_eur(scenario.sewerage.price_eur_per_m3, lang, 2),
                threshold=fmt_pct(scenario.affordability.threshold_pct, lang, 0),
                costs=_eur(result.costs_eur, lang),
                target=_eur(result.target_revenue_eur, lang),
            )
        )
    firstview.draw_deferred(PAGE)  # in the session's first run, the chart once the rest is drawn


if __name__ == "__main__":  # run by st.navigation as a page
    render()
