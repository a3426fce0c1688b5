"""Atelier: the workshop page — a facilitator and participants take the committee's place.

Two views chosen by the URL, so a link (or a QR code) is all a participant needs:

- facilitator: ``?role=facilitator`` creates a session; ``?role=facilitator&s=CODE&t=TOKEN`` runs
  it: code and QR code to join, participants per college, live vote counts, open/close the vote,
  the decisions of each round, the debrief and its downloads;
- participant: ``?s=CODE`` joins (name, college); ``?s=CODE&p=TOKEN`` is their place: the agenda
  with each option's projected effects, their votes, variants and remarks for the notebook.

Everything lives in the session store (:mod:`sim.workshop.store`), so a server restart or a closed
tab loses nothing: the same link brings everyone back. Text people type is only ever shown through
``st.text`` and ``st.dataframe`` (never as Markdown or HTML). The language is ``?lang=fr|en``
(French by default), or the app's language switch when it is there.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components

from sim import i18n
from sim.dashboard import guide as guide_page
from sim.dashboard import share
from sim.dashboard.share import check_limits
from sim.i18n import UNIT_SPACE_FR, reason_text
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import MAX_FILE_BYTES, builtin_names
from sim.scenario.model import REGIMES, load_scenario, loads_scenario, scenarios_dir
from sim.show.plots import OKABE_ITO
from sim.workshop import COLLEGES, Store, VariantRefused, Workshop, WorkshopError, stories
from sim.workshop import debrief as dbf
from sim.workshop.session import (
    ELECTRICITY_VARIANT_BOUNDS,
    ELECTRICITY_VARIANT_OPTIONS,
    MAX_VARIANT_BLOCKS,
    VARIANT_BOUNDS,
)
from sim.workshop.store import MAX_ROUNDS, MAX_TARIFF_VARIANTS, keep_days, normalise_code
from sim.workshop.strings import item_label, lang_of, t, ts, variant_summary
from sim.workshop.tally import WORK_ITEM, VetoRule, veto_harm

LIVE_REFRESH_S = 1  # the facilitator's live counts poll the store this often (target: 2 s)
FOLLOW_REFRESH_S = 2  # participants' pages check for an opened or closed vote this often
DEFAULT_ROUNDS = 3
NAMES_SHOWN = 20  # participants' names a college's table shows without scrolling (facilitator)
MAX_UPLOAD_BYTES = MAX_FILE_BYTES  # the one limit of every door
#: effects shown for each option: key -> (decimals, kind)
EFFECTS: dict[str, tuple[int, str]] = {
    "price_120m3_eur_per_m3": (2, "eur"),
    "share_above_pct": (1, "pct"),
    "recovery": (0, "ratio"),
    "median_bill_change_pct": (1, "signed_pct"),
    "pays_more_pct": (0, "pct"),
    "extra_cost_eur_per_year": (0, "eur"),
    "load": (2, "num"),
    # electricity's options
    "bill_ref_eur": (0, "eur"),
    "price_ref_eur_per_kwh": (4, "eur"),
    "capex_eur": (0, "eur"),
    "kwh_per_year": (0, "num"),
}
SERVICE_KEY = "ws_service"  # session state: the service of the session on screen
REGULATED_KEY = "ws_regulated"  # session state: its electricity is sold at the regulated tariff
CREATE_SERVICE = "ws-create-service"  # the service chosen when creating a session
CREATE_STORY = "ws-create-story"


@st.cache_resource
def _workshop() -> Workshop:
    """One Workshop per server process (the store file is ``REGIE_SIM_WORKSHOP_DB``)."""
    return Workshop(Store())


@st.cache_data(max_entries=64)
def _qr_png(url: str) -> bytes:
    import qrcode

    img = qrcode.make(url, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()


def _lang() -> str:
    chosen = st.session_state.get("lang")
    asked = st.query_params.get("lang") or os.environ.get("REGIE_SIM_LANG")  # serve --lang
    return chosen if chosen in ("fr", "en") else lang_of(asked)


def _flash(kind: str, text: str) -> None:
    st.session_state["ws_flash"] = (kind, text)


def _show_flash() -> None:
    msg = st.session_state.pop("ws_flash", None)
    if msg:
        getattr(st, msg[0])(msg[1])


def _error(exc: WorkshopError, lang: str) -> None:
    if isinstance(exc, VariantRefused):  # says which field, in the page's language
        st.error(exc.message(lang))
    else:
        st.error(t(exc.key, lang, detail=exc.detail))


def _fmt_effect(key: str, value: Any, lang: str) -> str:
    """An option's effect in the language's number style: ``12,5 %`` and ``412 €`` with a
    no-break space in French, ``12.5%`` and ``€412`` in English."""
    if value is None:
        return "—"
    digits, kind = EFFECTS[key]
    fr = lang == "fr"
    if kind == "ratio":
        value, kind = 100 * value, "pct"
    if kind in ("pct", "signed_pct"):
        sign = "+" if kind == "signed_pct" and value > 0 else ""
        return sign + dbf.fmt(value, lang, digits) + (UNIT_SPACE_FR + "%" if fr else "%")
    if kind == "eur":
        return _eur(value, lang, digits)
    return dbf.fmt(value, lang, digits)


def _eur(value: float, lang: str, digits: int = 0) -> str:
    """An amount in euros in the language's style: ``1 005 €`` in French, ``€1,005`` in English."""
    text = dbf.fmt(value, lang, digits)
    if lang == "fr":
        return text + UNIT_SPACE_FR + "€"
    return "\u2212€" + text[1:] if text.startswith("\u2212") else "€" + text


def _svc() -> str:
    """The service of the session on screen (``water`` until a session is open)."""
    return str(st.session_state.get(SERVICE_KEY) or "water")


def _join_url(code: str, lang: str) -> str:
    """The participants' link: this page's address with ``?s=CODE``.

    ``REGIE_SIM_PUBLIC_URL`` overrides the address (behind a proxy that rewrites it).
    """
    base = os.environ.get("REGIE_SIM_PUBLIC_URL") or st.context.url or ""
    parts = urlsplit(base)
    query = urlencode({"s": code, "lang": lang})
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


# ------------------------------------------------------------------------------------------
# shared blocks
# ------------------------------------------------------------------------------------------
def _why_not(option: dict[str, Any], lang: str) -> str:
    """Why an option cannot be chosen, in the page's language, worded from the agenda's code and
    parameters (a session saved before reasons had codes keeps its English words)."""
    code = option.get("why_not_code")
    if code:
        return reason_text(f"not_admissible+{code}", option.get("why_not_params") or {}, lang)
    return t("not_admissible", lang, why=option.get("why_not", ""))


def _effects_table(item: dict[str, Any], lang: str) -> pd.DataFrame:
    keys = [k for k in EFFECTS if any(k in o["effects"] for o in item["options"])]
    proposed = any("proposed_by" in o for o in item["options"])
    rows = []
    for o in item["options"]:
        row = {t("col_option_votes", lang): dbf.label(o, lang)}
        if proposed:  # a name typed by a person: only ever shown inside the dataframe
            row[t("col_proposed_by", lang)] = o.get("proposed_by", "")
        for k in keys:
            row[ts("eff_" + k, lang, _svc())] = _fmt_effect(k, o["effects"].get(k), lang)
        if not o.get("admissible", True):
            row[t("col_reason", lang)] = _why_not(o, lang)
        rows.append(tuple(row.items()))
    return _frame(tuple(rows))


@st.cache_resource(max_entries=256, show_spinner=False)
def _frame(rows: tuple[tuple[tuple[str, str], ...], ...]) -> pd.DataFrame:
    """The table of these rows, one for the whole server: thirty participants' pages redrawn at
    a round change show the same options (``st.dataframe`` only reads the frame)."""
    return pd.DataFrame([dict(r) for r in rows]).fillna("")


def bills_figure(item: dict[str, Any], lang: str) -> go.Figure | None:
    """The mean yearly bill of each income decile under each admissible option, grouped bars
    with the page's number style (``1 234,5`` in French), or None when no option has bills."""
    series = tuple(
        (dbf.label(o, lang), tuple(o["effects"]["bill_by_decile_eur"]))
        for o in item["options"]
        if o.get("admissible", True) and o["effects"].get("bill_by_decile_eur")
    )
    return _bills_figure(series, lang) if series else None


@st.cache_resource(max_entries=256, show_spinner=False)
def _bills_figure(series: tuple[tuple[str, tuple[float, ...]], ...], lang: str) -> go.Figure:
    """One figure per series and language for the whole server (``st.plotly_chart`` only reads
    it): building it was 40 % of a participant's voting page (benchmarks/bench_workshop_load.py)."""
    fig = go.Figure()
    for i, (name, bills) in enumerate(series):
        fig.add_bar(
            x=list(range(1, len(bills) + 1)),
            y=list(bills),
            name=name,
            marker_color=OKABE_ITO[i % len(OKABE_ITO)],
            hovertemplate="%{x} : %{y:,.0f} €<extra>%{fullData.name}</extra>"
            if lang == "fr"
            else "%{x}: €%{y:,.0f}<extra>%{fullData.name}</extra>",
        )
    fig.update_layout(
        barmode="group",
        height=260,
        template="plotly_white",
        separators=",\u202f" if lang == "fr" else ".,",
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.25},
    )
    fig.update_xaxes(title=t("col_decile", lang), dtick=1)
    fig.update_yaxes(title="€", tickformat=",.0f", rangemode="tozero")
    return fig


def _bills_chart(item: dict[str, Any], lang: str, where: str) -> None:
    fig = bills_figure(item, lang)
    if fig is None:
        return
    st.caption(t("bills_chart", lang))
    st.plotly_chart(fig, theme=None, key=f"bills-{where}-{item['item']}", config={"displaylogo": False})


INCOME_GROUPS = (("cards_low", 0, 3), ("cards_middle", 3, 7), ("cards_high", 7, 10))


def _option_cards(item: dict[str, Any], lang: str, per_row: int = 1) -> None:
    """One card per option: the yearly bill of low, middle and high incomes and the budget.

    Narrow enough for a 390 px phone, where the table and the grouped chart do not fit; every
    figure has its words beside it (no legend to find). ``per_row`` cards side by side (the
    facilitator's laptop); Streamlit stacks them on a phone."""
    options = [o for o in item["options"] if o.get("admissible", True)]
    for start in range(0, len(options), per_row):
        row = options[start : start + per_row]
        if per_row == 1:
            _option_card(item, row[0], lang)
            continue
        for col, o in zip(st.columns(per_row), row, strict=False):
            with col:
                _option_card(item, o, lang)


def _option_card(item: dict[str, Any], o: dict[str, Any], lang: str) -> None:
    eff = o["effects"]
    lines = []
    bills = eff.get("bill_by_decile_eur")
    if bills:
        for key, lo, hi in INCOME_GROUPS:
            mean = sum(bills[lo:hi]) / (hi - lo)
            lines.append(f"{t(key, lang)}{t('sep', lang)}**{_eur(mean, lang)}**")
    if eff.get("recovery") is not None:
        lines.append(
            f"{t('cards_budget', lang)}{t('sep', lang)}**{_fmt_effect('recovery', eff['recovery'], lang)}**"
        )
    # electricity's reference household (6 kVA, 4,400 kWh): the bill a tariff variant is judged by
    # community PV: its investment and output beside its yearly cost (alone, "0 €" read as free)
    for k in (
        "bill_ref_eur",
        "share_above_pct",
        "capex_eur",
        "kwh_per_year",
        "extra_cost_eur_per_year",
        "load",
    ):
        if eff.get(k) is not None:
            lines.append(f"{ts('eff_' + k, lang, _svc())}{t('sep', lang)}{_fmt_effect(k, eff[k], lang)}")
    with st.container(border=True, key=f"card-{item['item']}-{o['name']}"):
        st.markdown(f"**{dbf.label(o, lang)}**")
        tariff = (o.get("changes") or {}).get("tariff")
        if o.get("proposed_by") is not None and isinstance(tariff, dict):
            # what the room proposed, from the validated numbers only (the name, typed by people,
            # is in the table below, never read as markdown)
            st.caption(variant_summary(tariff, lang))
        if lines:
            st.markdown("  \n".join(lines))


def _item_header(item: dict[str, Any], lang: str) -> None:
    st.subheader(item_label(item["item"], lang, _svc()))
    if _svc() == "electricity" and st.session_state.get(REGULATED_KEY) and item["item"] != "tariff":
        st.caption(ts("regulated_note", lang, _svc()))
    if not item.get("binding", True):
        st.caption(t("consultative_badge", lang))
    proc = next((o for o in item["options"] if o["name"] == item["procedure_choice"]), None)
    if proc is not None:
        st.caption(t("procedure_choice", lang, option=dbf.label(proc, lang)))


def _story_frame(df: pd.DataFrame, prefix: str, lang: str, decimals: dict[str, int]) -> pd.DataFrame:
    """A story's table in the page's language: column names from the catalogue, numbers in its
    style (years as they are)."""
    out = pd.DataFrame()
    for col in df.columns:
        name = ts(f"{prefix}.col.{col}", lang)
        if col == "year":
            out[name] = df[col].astype(int).astype(str)
        else:
            out[name] = [dbf.fmt(v, lang, decimals.get(col, 0)) for v in df[col]]
    return out


def _story_panel(ws: Workshop, code: str, lang: str) -> None:
    """What the room sees of its story (a storm, the 2022 crisis): figures from the model's runs."""
    view = ws.story_view(code)
    if view["story"] == "storm":
        with st.expander(ts("storm.title", lang), expanded=True):
            year = view["storm_years"][0] if view["storm_years"] else "—"
            st.markdown(ts("storm.intro", lang, year=year))
            st.markdown(ts("storm.who_waits", lang, overhead=dbf.fmt(view["overhead_pct"], lang, 1)))
            years = view["years"]
            if view["storm_years"] and int(years["year"].max()) < view["storm_years"][0]:
                st.caption(ts("storm.before", lang))
            st.dataframe(
                _story_frame(
                    years,
                    "storm",
                    lang,
                    {"saidi_min": 0, "saidi_excl_med_min": 0, "underground_share_pct": 1},
                ),
                hide_index=True,
                width="stretch",
                key="ws-story-storm",
            )
    elif view["story"] == "crisis_2022":
        with st.expander(ts("crisis.title", lang), expanded=True):
            shock = view["shock_years"]
            years_text = f"{shock[0]}–{shock[-1]}" if len(shock) > 1 else str(shock[0])
            shield = view["shield_pct"]
            st.markdown(
                ts("crisis.intro", lang, years=years_text, shield=dbf.fmt(shield, lang) if shield else "—")
            )
            if shield is None:
                st.caption(ts("crisis.no_shield", lang))
            st.dataframe(
                _story_frame(
                    view["years"], "crisis", lang, {"energy_poverty_shield": 1, "energy_poverty_no_shield": 1}
                ),
                hide_index=True,
                width="stretch",
                key="ws-story-crisis",
            )
            left, right = st.columns(2)
            with left:
                st.markdown(f"**{ts('crisis.national_title', lang)}**")
                st.markdown(ts("crisis.national", lang))
            with right:
                st.markdown(f"**{ts('crisis.local_title', lang)}**")
                st.markdown(ts("crisis.local", lang))


def _agenda_preview(agenda: list[dict[str, Any]], lang: str) -> None:
    """The facilitator's agenda: each item's options as cards, three a row, that fit a laptop
    screen (the whole table of effects is wider than one: it is the second tab, with the chart)."""
    for item in agenda:
        _item_header(item, lang)
        cards, details = st.tabs([t("preview_cards", lang), t("cards_details", lang)])
        with cards:
            _option_cards(item, lang, per_row=3)
        with details:
            st.dataframe(_effects_table(item, lang), hide_index=True, width="stretch")
            _bills_chart(item, lang, "agenda")


def _veto_texts(item: dict[str, Any], rule: VetoRule, lang: str) -> list[tuple[dict[str, Any], str]]:
    """The options of ``item`` the citizens may veto, each with the harm it would prevent."""
    if item["item"] == WORK_ITEM:
        return []
    out = []
    for o in item["options"][1:]:  # the first option is what stands when a veto is used
        if not o.get("admissible", True):
            continue
        harm = veto_harm(o, item["options"], rule)
        if harm is None:
            continue
        label = dbf.label(o, lang)
        if harm["cuts_essential"]:
            text = ts("veto_harm_essential", lang, _svc(), option=label)
        else:
            text = ts(
                "veto_harm_share",
                lang,
                _svc(),
                option=label,
                ref=dbf.fmt(harm["reference_pct"], lang, 1),
                share=dbf.fmt(harm["share_above_pct"], lang, 1),
            )
        out.append((o, text))
    return out


def _veto_block(
    ws: Workshop,
    code: str,
    token: str,
    me: dict[str, Any],
    item: dict[str, Any],
    mine: dict[str, str],
    rnd: int,
    lang: str,
    rule: VetoRule,
) -> None:
    """Each option the citizens may veto, the harm it would prevent; citizens get a button."""
    vetoable = _veto_texts(item, rule, lang)
    if not vetoable:
        return
    keep = item["options"][0]
    keep_label = dbf.label(keep, lang)
    citizen = me["college"] == "citizens"
    with st.container(border=True, key=f"veto-{rnd}-{item['item']}"):
        st.markdown(f"**:material/block: {t('veto_title', lang)}**")
        for o, text in vetoable:
            st.markdown(text)
            if citizen and st.button(
                t("veto_button", lang, option=dbf.label(o, lang)),
                key=f"veto-{rnd}-{item['item']}-{o['name']}",
            ):
                try:
                    ws.vote(code, token, item["item"], keep["name"])
                    mine[item["item"]] = keep["name"]
                    st.success(t("veto_ok", lang, keep=keep_label))
                except WorkshopError as exc:
                    _error(exc, lang)
        st.caption(
            t("veto_explain_citizens", lang, keep=keep_label) if citizen else t("veto_explain_others", lang)
        )


def _vetoes_used(ws: Workshop, code: str, decisions: list[dict[str, Any]], lang: str) -> None:
    """Everyone sees when the citizens' veto was used, on what and why."""
    for d in decisions:
        if not d["veto"]:
            continue
        blocked = (d.get("tally") or {}).get("vetoed_option", "")
        label = blocked
        try:
            for item in ws.agenda_of(code, d["round"]):
                for o in item["options"] if item["item"] == d["item"] else []:
                    if o["name"] == blocked:
                        label = dbf.label(o, lang)
        except WorkshopError:
            pass
        st.warning(
            t(
                "veto_used",
                lang,
                item=item_label(d["item"], lang, _svc()),
                option=label,
                why=dbf.reason_text(d, lang).capitalize() + ".",
                kept=dbf.label(d, lang),
            ),
            icon=":material/block:",
        )


def _decisions_frame(decisions: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("col_round", lang): d["round"],
                t("col_year", lang): d["year"],
                t("col_item", lang): item_label(d["item"], lang, _svc()),
                t("col_option", lang): dbf.label(d, lang),
                t("col_votes", lang): dbf._votes(d),
                t("col_veto", lang): t("yes" if d["veto"] else "no", lang),
                t("col_reason", lang): dbf.reason_text(d, lang),
            }
            for d in decisions
        ]
    )


def _show_decisions(
    decisions: list[dict[str, Any]], lang: str, ws: Workshop | None = None, code: str = ""
) -> None:
    if not decisions:
        st.info(t("no_decisions", lang))
        return
    if ws is not None:
        _vetoes_used(ws, code, decisions, lang)
    st.caption(t("votes_legend", lang))
    # a table whose text wraps: the reasons are sentences, too wide for a grid on a laptop screen
    # (no text typed by a person is in it: labels and reasons are the model's)
    st.table(_decisions_frame(decisions, lang).set_index(t("col_round", lang)))


def _cahier(ws: Workshop, code: str, lang: str) -> None:
    rows = [
        {
            t("col_round", lang): v["round"],
            t("col_item", lang): item_label(v["item"], lang, _svc()),
            t("col_name", lang): v["name"],
            t("col_college", lang): t("college_" + v["college"], lang),
            t("comment_label", lang): (variant_summary(v["tariff"], lang) if v.get("tariff") else v["text"]),
        }
        for v in ws.store.variants(code)
    ]
    rows += [
        {
            t("col_round", lang): c["round"],
            t("col_item", lang): "",
            t("col_name", lang): c["name"],
            t("col_college", lang): t("college_" + c["college"], lang),
            t("comment_label", lang): c["text"],
        }
        for c in ws.store.comments(code)
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption(t("cahier_empty", lang))


def _debrief_view(ws: Workshop, code: str, lang: str) -> None:
    d = ws.debrief(code)
    _show_decisions(d.decisions, lang, ws, code)
    st.subheader(t("sec_outcomes", lang))
    st.caption(ts("outcomes_intro", lang, d.service))
    per_row = 3  # five indicators for electricity: two rows on a laptop
    for start in range(0, len(d.indicators), per_row):
        row = d.indicators[start : start + per_row]
        for col, ind in zip(st.columns(per_row)[: len(row)], row, strict=True):
            with col:
                st.plotly_chart(
                    dbf.outcome_figure(d.outcomes, ind, lang, d.service), width="stretch", key=f"out-{ind}"
                )
    st.subheader(t("sec_deciles", lang, year=int(d.deciles["year"].iloc[0])))
    for sentence in dbf.who_gained_text(d, lang):
        st.text(sentence)
    st.plotly_chart(dbf.deciles_figure(d.deciles, lang), width="stretch", key="deciles")
    c1, c2 = st.columns(2)
    c1.download_button(
        t("download_html", lang),
        dbf.render_html(d, lang).encode("utf-8"),
        file_name=f"atelier-{code}-bilan.html",
        mime="text/html",
        key="dl-html",
        on_click="ignore",
    )
    c2.download_button(
        t("download_zip", lang),
        dbf.csv_zip(d),
        file_name=f"atelier-{code}.zip",
        mime="application/zip",
        key="dl-zip",
        on_click="ignore",
    )


# ------------------------------------------------------------------------------------------
# facilitator
# ------------------------------------------------------------------------------------------
def _create_form(ws: Workshop, lang: str) -> None:
    st.header(t("new_session", lang))
    _guide_links(lang, "ws-guide-create")
    # outside the form: the scenarios offered follow the service chosen
    service = st.segmented_control(
        i18n.t("service.label", lang),
        options=list(share.SERVICES),
        format_func=lambda v: i18n.t(f"service.{v}", lang),
        key=CREATE_SERVICE,
        default="water",
        required=True,
    )
    story = None
    if service == "water":
        shipped = list(builtin_names())  # water scenarios: not a multi-service file
        names: dict[str, str] = {n: n for n in shipped}
    else:
        story = st.selectbox(
            ts("story_label", lang),
            [None, *stories.STORIES],
            format_func=lambda n: ts(f"story.{n or 'none'}", lang),
            key=CREATE_STORY,
            help=ts("story_help", lang),
        )
        shipped = list(share.service_presets(str(service)))
        names = {n: share.preset_label(n, lang) for n in shipped}
    with st.form("ws-create"):
        choice = None
        if story is None and shipped:
            choice = st.selectbox(t("scenario_label", lang), shipped, format_func=names.get)
        upload = st.file_uploader(t("scenario_upload", lang), type=["yaml", "yml"])
        regime = st.selectbox(
            t("regime_label", lang),
            REGIMES,
            index=REGIMES.index("commons"),  # a workshop is about the committee's decisions
            format_func=lambda r: t("regime_" + r, lang),
        )
        rounds = st.number_input(
            t("rounds_label", lang), min_value=1, max_value=MAX_ROUNDS, value=DEFAULT_ROUNDS, step=1
        )
        submitted = st.form_submit_button(t("create_button", lang), type="primary")
    if not submitted:
        return
    try:
        if upload is not None:
            # bytes as uploaded: the safe loader checks size, UTF-8 and every other limit, and
            # the dashboard's limits (households, horizon) apply as on the Explorer
            origin = Path(upload.name or "atelier.yaml").name or "atelier.yaml"
            try:
                scenario: Any = loads_scenario(
                    upload.getvalue()[: MAX_UPLOAD_BYTES + 1], origin, other_services=share.OTHER_SERVICES
                )
                check_limits(scenario, origin, lang)
            except ScenarioError as exc:
                st.error(t("bad_scenario", lang, detail=exc.format(lang)))
                return
        elif story is not None:
            scenario = stories.story_scenario(story)
        elif choice is not None and service != "water":
            scenario = share.load_preset(choice)
        elif choice is not None:
            scenario = load_scenario(scenarios_dir() / choice)
        else:
            st.error(t("bad_scenario", lang, detail="—"))
            return
        code, token = ws.create_session(scenario, regime, int(rounds))
    except WorkshopError as exc:
        located = getattr(exc, "scenario_error", None)
        detail = located.format(lang) if isinstance(located, ScenarioError) else exc.detail
        st.error(t("bad_scenario", lang, detail=detail))
        return
    st.query_params["role"] = "facilitator"
    st.query_params["s"] = code
    st.query_params["t"] = token
    st.rerun()


@st.fragment(run_every=LIVE_REFRESH_S)
def _facilitator_live(ws: Workshop, code: str, token: str, lang: str) -> None:
    people = ws.store.participants(code)
    seats = ws.store.seats(code)
    st.subheader(t("participants_title", lang))
    st.caption(t("participants_count", lang, n=len(people)))
    cols = st.columns(len(COLLEGES))
    for col, c in zip(cols, COLLEGES, strict=True):
        with col:
            names = [p["name"] for p in people if p["college"] == c]
            n = len(names)
            shown = t("seats_of", lang, n=n, seats=seats[c]) if c in seats else str(n)
            st.markdown(f"**{t('college_' + c, lang)}** ({shown})")
            if names:
                st.dataframe(
                    pd.DataFrame({t("col_name", lang): names}),
                    hide_index=True,
                    width="stretch",
                    # every name on screen up to NAMES_SHOWN a college (30 people: 10 each), no
                    # scrolling inside a narrow column; the table scrolls beyond that
                    height=35 * (min(len(names), NAMES_SHOWN) + 1) + 3,
                )
    live = ws.live_counts(code, token)
    if live["state"] == "voting":
        # the facilitator's screen is often projected: while the round is open it shows how many
        # have voted, never what they chose
        st.subheader(t("live_title", lang))
        st.caption(t("live_hidden", lang))
        for item in ws.current_agenda(code):
            st.markdown(
                f"**{item_label(item['item'], lang, _svc())}** — "
                f"{t('voters_n', lang, n=live['voters'].get(item['item'], 0))}"
            )
    with st.expander(t("cahier_title", lang), expanded=False):
        _cahier(ws, code, lang)


def _facilitator(ws: Workshop, code: str, token: str, lang: str) -> None:
    if not ws.store.is_facilitator(code, token):
        st.error(t("err_forbidden", lang))
        return
    s = ws.store.session(code)
    st.title(t("session_title", lang, code=s["code"]))
    st.caption(t("keep_link_facilitator", lang))
    _guide_links(lang, "ws-guide-facilitator")
    _show_flash()
    url = _join_url(s["code"], lang)
    left, right = st.columns([1, 2])
    with left:
        st.image(_qr_png(url), width=260)
        st.caption(t("join_at", lang, code=s["code"]))
        st.code(url, language=None, wrap_lines=True)
    with right:
        st.markdown(
            f"**{t('regime_' + s['regime'], lang)}** · "
            + t("round_of", lang, n=s["current_round"], rounds=s["rounds"])
        )
        st.info(t("state_" + s["state"], lang))
        try:
            if s["state"] in ("lobby", "review"):
                if st.button(t("open_vote", lang, n=s["current_round"]), type="primary", key="ws-open"):
                    ws.open_vote(code, token)
                    st.rerun()
            elif s["state"] == "voting" and st.button(t("close_vote", lang), type="primary", key="ws-close"):
                with st.spinner():
                    ws.close_vote(code, token)
                _flash("success", t("closed_ok", lang, n=s["current_round"]))
                st.rerun()
        except WorkshopError as exc:
            _error(exc, lang)
        _seats_form(ws, code, token, lang)
        _facilitator_live(ws, code, token, lang)

    _story_panel(ws, code, lang)
    decisions = ws.store.decisions(code)
    if s["state"] == "review":
        last = s["current_round"] - 1
        st.header(t("last_decisions", lang, n=last))
        _show_decisions([d for d in decisions if d["round"] == last], lang, ws, code)
    if s["state"] != "finished":
        _facilitator_variants(ws, code, token, s["current_round"], lang)
        agenda = ws.current_agenda(code)
        if agenda:
            with st.expander(
                t("agenda_title", lang, n=s["current_round"], year=agenda[0]["year"]),
                expanded=s["state"] == "voting",
            ):
                _agenda_preview(agenda, lang)
    if s["state"] == "finished":
        st.header(t("debrief_title", lang))
        _debrief_view(ws, code, lang)
    elif decisions:
        with st.expander(t("provisional_debrief", lang)):
            if st.button(t("debrief_button", lang), key="ws-debrief"):
                _debrief_view(ws, code, lang)


def _seats_form(ws: Workshop, code: str, token: str, lang: str) -> None:
    """The facilitator sets how many seats each college has: one seat, one voter."""
    seats = ws.store.seats(code)
    with st.expander(t("seats_title", lang), expanded=False), st.form("ws-seats"):
        cols = st.columns(len(COLLEGES))
        wanted: dict[str, int | None] = {}
        for col, c in zip(cols, COLLEGES, strict=True):
            with col:
                wanted[c] = int(
                    st.number_input(
                        t("seats_label", lang, college=t("college_" + c, lang)),
                        min_value=0,
                        max_value=1000,
                        value=int(seats.get(c, 0)),
                        step=1,
                        key=f"ws-seats-{c}",
                    )
                )
        if st.form_submit_button(t("seats_button", lang)):
            try:
                ws.set_seats(code, token, wanted)
                st.success(t("seats_ok", lang))
            except WorkshopError as exc:
                _error(exc, lang)


def _variants_frame(variants: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("col_option_votes", lang): t("tv_option", lang, n=i),
                t("col_proposed_by", lang): v["name"],
                t("col_college", lang): t("college_short_" + v["college"], lang),
                t("col_tariff", lang): variant_summary(v["tariff"], lang),
            }
            for i, v in enumerate(variants, start=1)
        ]
    )


def _facilitator_variants(ws: Workshop, code: str, token: str, rnd: int, lang: str) -> None:
    variants = ws.store.tariff_variants(code, rnd)
    if not variants:
        return
    st.subheader(t("tv_list", lang))
    st.dataframe(_variants_frame(variants, lang), hide_index=True, width="stretch")
    cols = st.columns(len(variants))
    for i, (col, v) in enumerate(zip(cols, variants, strict=True), start=1):
        if col.button(t("tv_delete", lang, n=i), key=f"ws-del-{v['id']}"):
            try:
                ws.delete_tariff_variant(code, token, v["id"])
            except WorkshopError as exc:
                _error(exc, lang)
            else:
                _flash("success", t("tv_deleted", lang))
                st.rerun()


# ------------------------------------------------------------------------------------------
# participant
# ------------------------------------------------------------------------------------------
def _tariff_variant_form(ws: Workshop, code: str, token: str, rnd: int, lang: str) -> None:
    """Propose a tariff within bounds: it goes to the vote as ``variant_i``."""
    variants = ws.store.tariff_variants(code, rnd)
    with st.expander(t("tv_title", lang), expanded=False):
        st.caption(t("tv_intro", lang, n=MAX_TARIFF_VARIANTS))
        if variants:
            st.dataframe(_variants_frame(variants, lang), hide_index=True, width="stretch")
        n = st.selectbox(
            t("tv_nblocks", lang),
            list(range(1, MAX_VARIANT_BLOCKS + 1)),
            index=1,
            key=f"tv-n-{rnd}",
        )
        lo_p, hi_p, _ = VARIANT_BOUNDS["block_price"]
        with st.form(f"tv-{rnd}", clear_on_submit=False):
            c1, c2 = st.columns(2)
            sc = c1.number_input(
                t("tv_standing", lang),
                min_value=VARIANT_BOUNDS["standing_charge"][0],
                max_value=VARIANT_BOUNDS["standing_charge"][1],
                value=30.0,
                step=5.0,
            )
            free = c2.number_input(
                t("tv_free", lang),
                min_value=VARIANT_BOUNDS["free_volume"][0],
                max_value=VARIANT_BOUNDS["free_volume"][1],
                value=0.0,
                step=1.0,
            )
            blocks: list[tuple[Any, Any]] = []
            for i in range(1, int(n) + 1):
                b1, b2 = st.columns(2)
                up = (
                    b1.number_input(
                        t("tv_up_to", lang, n=i),
                        min_value=0.0,
                        max_value=VARIANT_BOUNDS["block_up_to"][1],
                        value=float(60 * i),
                        step=10.0,
                    )
                    if i < n
                    else None
                )
                price = b2.number_input(
                    t("tv_price", lang, n=i),
                    min_value=lo_p,
                    max_value=hi_p,
                    value=min(hi_p, 1.0 + 0.5 * (i - 1)),
                    step=0.05,
                )
                blocks.append((up, price))
            if st.form_submit_button(t("tv_button", lang)):
                try:
                    option = ws.propose_tariff(code, token, sc, free, blocks)
                except WorkshopError as exc:
                    _error(exc, lang)
                else:
                    _flash("success", t("tv_ok", lang, option=t("tv_option", lang, n=option[8:])))
                    st.rerun()


def _tve(key: str, lang: str, **fields: Any) -> str:
    return i18n.t(f"workshop.tve.{key}", lang, **fields)


def _bounded(col: Any, label: str, where: str, value: float, step: float, fmt: str = "%.2f") -> float:
    """A number input held within the variant's bounds for ``where`` (the door checks them too)."""
    lo, hi, _ = ELECTRICITY_VARIANT_BOUNDS[where]
    return col.number_input(
        label,
        min_value=float(lo),
        max_value=float(hi),
        value=value,
        step=step,
        format=fmt,
        key="tve-" + where,
    )


def _electricity_variant_form(ws: Workshop, code: str, token: str, rnd: int, lang: str) -> None:
    """Propose an electricity tariff within what a local operator decides: under the regulated
    tariff an essential-kWh block and a social rebate only (its price is national); a local offer's
    structure too (Base or HP/HC, a fixed part per kVA, the prices per kWh). It goes to the vote as
    ``variant_i``."""
    variants = ws.store.tariff_variants(code, rnd)
    regulated = bool(st.session_state.get(REGULATED_KEY))
    with st.expander(_tve("title", lang), expanded=False):
        intro = "intro_regulated" if regulated else "intro_local"
        st.caption(_tve(intro, lang, n=MAX_TARIFF_VARIANTS))
        if variants:
            st.dataframe(_variants_frame(variants, lang), hide_index=True, width="stretch")
        option = None
        if not regulated:
            option = st.selectbox(
                _tve("option", lang),
                list(ELECTRICITY_VARIANT_OPTIONS),
                format_func=lambda o: _tve("option_" + o, lang),
                key=f"tve-opt-{rnd}",
            )
        with st.form(f"tve-{rnd}", clear_on_submit=False):
            fields: dict[str, Any] = {}
            if option is not None:
                # defaults near the regulated tariff of August 2025 excl. tax (electricity.md §1.4)
                fields["option"] = option
                c1, c2, c3 = st.columns(3)
                fields["fixed_per_kva"] = _bounded(c1, _tve("fixed", lang), "fixed_per_kva", 20.0, 1.0)
                if option == "base":
                    fields["price_base"] = _bounded(
                        c2, _tve("price_base", lang), "price_base", 0.15, 0.005, "%.4f"
                    )
                else:
                    fields["price_hp"] = _bounded(c2, _tve("price_hp", lang), "price_hp", 0.16, 0.005, "%.4f")
                    fields["price_hc"] = _bounded(c3, _tve("price_hc", lang), "price_hc", 0.12, 0.005, "%.4f")
            b1, b2 = st.columns(2)
            fields["essential_kwh"] = _bounded(
                b1, _tve("essential_kwh", lang), "essential_kwh", 0.0, 100.0, "%.0f"
            )
            # percentages with one decimal: a typed 12,5 stays 12,5 on screen, as in the variant
            # proposed (a "%.0f" field showed 13 while 12,5 % went to the vote)
            fields["essential_price_pct"] = _bounded(
                b2, _tve("essential_price_pct", lang), "essential_price_pct", 50.0, 5.0, "%.1f"
            )
            s1, s2 = st.columns(2)
            fields["social_rebate_pct"] = _bounded(
                s1, _tve("social_rebate_pct", lang), "social_rebate_pct", 0.0, 5.0, "%.1f"
            )
            lo, hi, _ = ELECTRICITY_VARIANT_BOUNDS["social_deciles"]
            fields["social_deciles"] = s2.selectbox(
                _tve("social_deciles", lang), list(range(int(lo), int(hi) + 1)), index=1, key="tve-deciles"
            )
            if st.form_submit_button(t("tv_button", lang)):
                try:
                    name = ws.propose_electricity_tariff(code, token, **fields)
                except WorkshopError as exc:
                    _error(exc, lang)
                else:
                    _flash("success", t("tv_ok", lang, option=t("tv_option", lang, n=name[8:])))
                    st.rerun()


def _join_form(ws: Workshop, code: str, lang: str) -> None:
    s = ws.store.session(code)
    st.header(t("join_title", lang))
    st.markdown(f"**{t('session_title', lang, code=s['code'])}** · {t('regime_' + s['regime'], lang)}")
    with st.form("ws-join"):
        name = st.text_input(t("name_label", lang), max_chars=60)
        college = st.selectbox(
            t("college_label", lang),
            ["auto", *COLLEGES],
            format_func=lambda c: t("college_" + c, lang),
        )
        submitted = st.form_submit_button(t("join_button", lang), type="primary")
    _privacy_note(lang)
    if submitted:
        try:
            me = ws.join(code, name, None if college == "auto" else college)
        except WorkshopError as exc:
            _error(exc, lang)
            return
        st.query_params["s"] = s["code"]
        st.query_params["p"] = me["token"]
        st.rerun()


def _privacy_note(lang: str) -> None:
    """What is kept about a participant, and for how long (the retention ``regie-sim serve`` sets)."""
    days = keep_days()
    how_long = t("privacy_days", lang, days=days) if days else t("privacy_manual", lang)
    with st.container(border=True, key="ws-privacy"):
        st.markdown(f"**{t('privacy_title', lang)}**")
        st.caption(t("privacy_kept", lang, seat_days=SEAT_DAYS) + " " + how_long)


@st.fragment(run_every=FOLLOW_REFRESH_S)
def _follow_session(ws: Workshop, code: str) -> None:
    """Rerun the whole page when the facilitator opens or closes a vote."""
    s = ws.store.session(code)
    sig = (s["state"], s["current_round"])
    if st.session_state.get("ws_sig") != sig:
        st.session_state["ws_sig"] = sig
        st.rerun(scope="app")


def _vote_block(
    ws: Workshop,
    code: str,
    token: str,
    me: dict[str, Any],
    item: dict[str, Any],
    mine: dict[str, str],
    rnd: int,
    lang: str,
    rule: VetoRule,
) -> None:
    _item_header(item, lang)
    _option_cards(item, lang)
    with st.expander(t("cards_details", lang)):
        st.dataframe(_effects_table(item, lang), hide_index=True, width="stretch")
        _bills_chart(item, lang, "vote")
    _veto_block(ws, code, token, me, item, mine, rnd, lang, rule)
    labels = {o["name"]: dbf.label(o, lang) for o in item["options"]}
    if item["item"] == WORK_ITEM and me["college"] != "operators":
        st.info(t("workers_only", lang))
    else:
        names = [o["name"] for o in item["options"] if o.get("admissible", True)]
        current = mine.get(item["item"])
        with st.form(f"vote-{rnd}-{item['item']}"):
            choice = st.radio(
                item_label(item["item"], lang, _svc()),
                names,
                format_func=labels.get,
                index=names.index(current) if current in names else None,
                label_visibility="collapsed",
                key=f"choice-{rnd}-{item['item']}",
            )
            if st.form_submit_button(t("vote_button", lang), type="primary") and choice:
                try:
                    ws.vote(code, token, item["item"], choice)
                    mine[item["item"]] = choice
                    st.success(t("vote_ok", lang, option=labels[choice]))
                except WorkshopError as exc:
                    _error(exc, lang)
        if mine.get(item["item"]):
            st.caption(t("your_vote", lang, option=labels.get(mine[item["item"]], "")))
    with st.expander(t("variant_title", lang)):
        with st.form(f"variant-{rnd}-{item['item']}", clear_on_submit=True):
            text = st.text_area(t("variant_label", lang), max_chars=2000)
            if st.form_submit_button(t("variant_button", lang)):
                try:
                    ws.propose_variant(code, token, item["item"], text)
                    st.success(t("variant_ok", lang))
                except WorkshopError as exc:
                    _error(exc, lang)
    st.divider()


SEAT_COOKIE = "regie_seat_"  # + session code: the participant's token, kept by their browser
SEAT_DAYS = 2


def _remember_seat(code: str, token: str) -> None:
    """Keep the participant's seat in their browser, so re-opening the join link finds it."""
    name = SEAT_COOKIE + code
    if st.context.cookies.get(name) == token:
        return
    # code and token are URL-safe characters only (the store draws them)
    if not (code.isalnum() and all(c.isalnum() or c in "-_" for c in token)):
        return
    components.html(
        f"<script>document.cookie = '{name}={token}; path=/; "
        f"max-age={SEAT_DAYS * 86400}; SameSite=Strict';</script>",
        height=0,
    )


def _seat_in_browser(ws: Workshop, code: str) -> str | None:
    """The token of the seat this browser already holds in the session, if any."""
    token = st.context.cookies.get(SEAT_COOKIE + code)
    if not token:
        return None
    try:
        ws.me(code, token)
    except WorkshopError:
        return None
    return token


def _participant(ws: Workshop, code: str, token: str, lang: str) -> None:
    try:
        me = ws.me(code, token)
    except WorkshopError as exc:
        _error(exc, lang)
        st.query_params.pop("p", None)
        _join_form(ws, code, lang)
        return
    _remember_seat(code, token)
    s = ws.store.session(code)
    st.session_state["ws_sig"] = (s["state"], s["current_round"])
    st.title(t("session_title", lang, code=s["code"]))
    st.caption(t("you_are", lang))
    st.text(f"{me['name']} — {t('college_' + me['college'], lang)}")
    st.caption(t("keep_link_participant", lang))
    st.markdown(
        f"**{t('regime_' + s['regime'], lang)}** · "
        + t("round_of", lang, n=s["current_round"], rounds=s["rounds"])
    )
    _story_panel(ws, code, lang)
    _follow_session(ws, code)
    _show_flash()
    if s["state"] == "lobby":
        st.info(t("wait_lobby", lang))
    elif s["state"] == "voting":
        st.info(t("state_voting", lang))
        mine = ws.my_votes(code, token)
        rule = ws.veto_rule(code)  # once per page, not per item
        for item in ws.current_agenda(code):
            _vote_block(ws, code, token, me, item, mine, s["current_round"], lang, rule)
    elif s["state"] == "review":
        st.info(t("wait_review", lang))
        last = s["current_round"] - 1
        st.header(t("last_decisions", lang, n=last))
        last_decisions = [d for d in ws.store.decisions(code) if d["round"] == last]
        _show_decisions(last_decisions, lang, ws, code)
    else:
        st.success(t("finished_thanks", lang))
        _show_decisions(ws.store.decisions(code), lang, ws, code)
    if s["state"] != "finished":
        if _svc() == "water":
            _tariff_variant_form(ws, code, token, s["current_round"], lang)
        else:  # electricity, within what a local operator decides
            _electricity_variant_form(ws, code, token, s["current_round"], lang)
    # the cahier stays open after the last round: demands written at the debrief are exported too
    with st.form("ws-comment", clear_on_submit=True):
        st.markdown(f"**{t('comment_title', lang)}**")
        text = st.text_area(t("comment_label", lang), max_chars=2000, key="ws-comment-text")
        if st.form_submit_button(t("comment_button", lang)):
            try:
                ws.comment(code, token, text)
                st.success(t("comment_ok", lang))
            except WorkshopError as exc:
                _error(exc, lang)


# ------------------------------------------------------------------------------------------
# landing and routing
# ------------------------------------------------------------------------------------------
def _guide_links(lang: str, key: str) -> None:
    """The facilitator guide: its page in the app, and the printable file."""
    st.markdown(f":material/school: [{t('guide_link', lang)}](guide?lang={lang})")
    guide_page.download(lang, key=key)


def _landing(ws: Workshop, lang: str) -> None:
    st.title(t("app_title", lang))
    st.write(t("app_intro", lang))
    _guide_links(lang, "ws-guide-landing")
    left, right = st.columns(2)
    with left, st.form("ws-code"):
        st.subheader(t("join_title", lang))
        raw = st.text_input(t("code_label", lang), max_chars=12)
        if st.form_submit_button(t("join_button", lang), type="primary"):
            try:
                s = ws.store.session(raw)
            except WorkshopError as exc:
                _error(exc, lang)
            else:
                st.query_params["s"] = s["code"]
                st.rerun()
    with right:
        st.subheader(t("facilitate_title", lang))
        if st.button(t("facilitate_button", lang), key="ws-facilitate"):
            st.query_params["role"] = "facilitator"
            st.rerun()


_log = logging.getLogger(__name__)
ENV_SECRET = "REGIE_SIM_FACILITATOR_SECRET"
SECRET_KEY = "facilitator_secret"  # in .streamlit/secrets.toml
_UNLOCKED = "ws_facilitator_unlocked"  # session state: digest of the secret entered


def facilitator_secret() -> str | None:
    """The facilitator's secret the server sets (environment, then Streamlit secret), if any."""
    env = os.environ.get(ENV_SECRET, "")
    if env:
        return env
    try:
        value = st.secrets.get(SECRET_KEY)
    except (FileNotFoundError, KeyError, AttributeError):  # no secrets file: a local machine
        return None
    except Exception:  # a secrets file that cannot be read: closed, never open by accident
        _log.warning("the Streamlit secrets cannot be read: facilitator access is locked")
        return secrets.token_hex(32)
    return str(value) if value else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest()


def _facilitator_unlocked(lang: str) -> bool:
    """True without a secret (a local machine: one click), or once the secret was entered."""
    secret = facilitator_secret()
    if not secret:
        return True
    if hmac.compare_digest(str(st.session_state.get(_UNLOCKED, "")), _digest(secret)):
        return True
    st.header(t("secret_title", lang))
    st.caption(t("secret_help", lang))
    with st.form("ws-secret"):
        given = st.text_input(t("secret_label", lang), type="password", max_chars=200)
        submitted = st.form_submit_button(t("secret_button", lang), type="primary")
    if submitted:
        if hmac.compare_digest(_digest(given), _digest(secret)):
            st.session_state[_UNLOCKED] = _digest(secret)
            st.rerun()
        st.error(t("secret_wrong", lang))
    return False


def page() -> None:
    """Draw the workshop page for the view the URL asks for."""
    lang = _lang()
    ws = _workshop()
    qp = st.query_params
    code, ftoken, ptoken = qp.get("s"), qp.get("t"), qp.get("p")
    try:
        st.session_state[SERVICE_KEY] = "water"
        if code:
            code = normalise_code(code)
            ws.store.session(code)  # NotFound if the code is wrong
            st.session_state[SERVICE_KEY] = ws.service(code)
            st.session_state[REGULATED_KEY] = ws.regulated(code)
        if qp.get("role") == "facilitator":
            if not _facilitator_unlocked(lang):
                return
            if code and ftoken:
                _facilitator(ws, code, ftoken, lang)
            else:
                _create_form(ws, lang)
        elif code and ptoken:
            _participant(ws, code, ptoken, lang)
        elif code:
            seat = _seat_in_browser(ws, code)
            if seat:  # one seat per participant: the join link re-opened finds the same seat
                st.query_params["p"] = seat
                st.rerun()
            _join_form(ws, code, lang)
        else:
            _landing(ws, lang)
    except WorkshopError as exc:
        _error(exc, lang)


render = page  # the name the other dashboard pages use

if __name__ == "__main__":  # run by st.navigation as a page
    page()
