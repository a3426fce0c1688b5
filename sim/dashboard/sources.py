"""Page « Hypothèses et sources »: every parameter with its source, and every mechanism explained.

The table is built from the Scenario schema itself (:func:`sim.dashboard.common.iter_params`), so
it cannot drift from what the model uses: a new parameter appears here the moment it is declared.
Each row shows the value in the current scenario (the Explorer's, :func:`sim.dashboard.share.current`)
beside the default, its unit, its source with a link to the publication where the reference
section gives one (:func:`sim.scenario.references.link_for`), or why it is an assumption.

Any parameter can be changed from here into the current scenario: pick its row (or its name in
the list under the table), enter the value and apply. The change goes through the same door as the
Explorer's form (:func:`sim.dashboard.share.apply_changes`, the dashboard's limits, then
:func:`sim.dashboard.share.set_current`), so the Explorer runs exactly what was entered. Lists and
blocks (tariff blocks, pipe cohorts, shocks…) are entered as YAML, read by the one safe loader.

The mechanisms are explained in plain words with their formula; the figures quoted in the text
are the schema's defaults.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
import yaml
from pydantic import BaseModel
from streamlit.errors import StreamlitAPIException

from sim import ScenarioError
from sim.dashboard import common, share
from sim.dashboard.common import ParamInfo
from sim.i18n import fmt_number, fmt_pct, normalise_lang, t
from sim.scenario.docs import regimes_markdown
from sim.scenario.loader import parse_yaml
from sim.scenario.model import RESTRICTION_LEVELS, Households, Network, Resource, Scenario, loads_scenario
from sim.scenario.references import assumption_why, citations, link_for

# the value and its unit side by side, then where it comes from
COLUMNS = (
    "path",
    "meaning",
    "current",
    "default",
    "unit",
    "reference",
    "source",
    "link",
    "status",
    "bounds",
)
#: the order on screen: on a laptop (1366 px) the meaning, the values, the unit, the source and
#: its link fit; the reference section, the status, the bounds and the key follow
SHOWN_ORDER = (
    "meaning",
    "current",
    "default",
    "unit",
    "source",
    "link",
    "reference",
    "status",
    "bounds",
    "path",
)
COLUMN_WIDTHS_PX = {
    "meaning": 230,
    "current": 90,
    "default": 80,
    "unit": 70,
    "source": 280,
    "reference": 200,
    "status": 130,
    "bounds": 110,
    "path": 230,
}
LINK_WIDTH_PX = 150
#: what the link column shows: the site's name (``www.insee.fr`` -> ``insee.fr``)
LINK_TEXT = r"https?://(?:www\.)?([^/]+)"
ROOT = Path(__file__).resolve().parents[2]
EDIT_PREFIX = "sources.w."  # keys of the editing widget (they mirror the current scenario)
EDIT_PATH = "sources.edit.path"  # the parameter being edited
EDIT_PICKED = "sources.edit.picked"  # the row picked in the table at the last run
EDIT_ERROR = "sources.edit.error"  # why the last value was refused, shown once
EDIT_YAML = "sources.edit.yaml."  # + path: the YAML box of a list or a block
TABLE_KEY = "sources.table"
CHOICE_SOURCES = ("tariff", "scenario")  # values the scenario author sets, not facts


def status(info: ParamInfo) -> str:
    """``"assumption"``, ``"choice"`` (set by the scenario) or ``"reference"`` (published)."""
    if info.assumption:
        return "assumption"
    src = info.source.strip().lower()
    if src in CHOICE_SOURCES or src.startswith("see ") or not src:
        return "choice"
    return "reference"


def source_text(info: ParamInfo, lang: str) -> str:
    """The source in ``lang``; a bare "assumption" says why it is one."""
    text = info.source_in(lang)
    if info.source.strip().lower().rstrip(".") == "assumption":
        return (
            f"{text} : {assumption_why(info.path, lang)}"
            if lang == "fr"
            else f"{text}: {assumption_why(info.path, lang)}"
        )
    return text


def parameter_table(
    lang: str = "fr", current: BaseModel | None = None, model: type[BaseModel] | None = None
) -> pd.DataFrame:
    """One row per parameter of ``model`` (the class of ``current``; the water Scenario without
    one): path, meaning, value in ``current`` (``—`` without one), default, unit, the reference
    sections its source cites (:mod:`sim.scenario.references`), source (with why, for an
    assumption), the public address that backs it (None without one), status and bounds (all text).

    Column names are the language-neutral :data:`COLUMNS`; :func:`display_table` renames them.
    """
    if model is None:
        model = type(current) if current is not None else Scenario
    rows = []
    for info in common.iter_params(model):
        year = info.unit == "year"
        template = "[*]" in info.path  # a row standing for the items of an empty list
        value = common.get_path(current, info.path) if current is not None and not template else None
        link = link_for(info.source)
        rows.append(
            {
                "path": info.path,
                "meaning": info.meaning(lang),
                "current": common.format_value(value, lang, year=year) if current is not None else "—",
                "unit": info.unit_in(lang),
                "default": common.format_value(info.default, lang, year=year),
                "bounds": common.format_bounds(info, lang),
                "status": t(f"sources.status.{status(info)}", lang),
                "reference": "\n".join(c.text(lang) for c in citations(info.source)) or "—",
                "source": source_text(info, lang),
                "link": link.url if link else None,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


@st.cache_data(max_entries=32, show_spinner=False)
def cached_table(lang: str, scenario_yaml: str) -> pd.DataFrame:
    """:func:`parameter_table` for the scenario given as YAML text (of either service, read by the
    one safe loader), built once per server and text (it walks the schema's 300 parameters)."""
    return parameter_table(
        lang, loads_scenario(scenario_yaml, origin="<session>", other_services=share.OTHER_SERVICES)
    )


def display_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table with its column headers in ``lang``; a row without a link shows an empty cell
    (the table would write Python's « None » there)."""
    if "link" in table.columns:
        table = table.assign(link=table["link"].fillna(""))
    return table.rename(columns={c: t(f"sources.col.{c}", lang) for c in COLUMNS})


def _fold(text: str) -> str:
    """Lower case without accents, so « regie » finds « régie »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def filter_table(
    table: pd.DataFrame, query: str, *, assumptions_only: bool = False, lang: str = "fr"
) -> pd.DataFrame:
    """Rows whose path, meaning, unit, reference or source contain every word of ``query``."""
    out = table
    if assumptions_only:
        out = out[out["status"] == t("sources.status.assumption", lang)]
    words = [_fold(w) for w in query.split() if w.strip()]
    if words:
        text = out["path"] + " " + out["meaning"] + " " + out["unit"] + " " + out["reference"]
        haystack = (text + " " + out["source"]).map(_fold)
        mask = haystack.map(lambda h: all(w in h for w in words))
        out = out[mask]
    return out


def to_csv(table: pd.DataFrame, lang: str) -> bytes:
    """CSV for a spreadsheet: ``;``-separated in French (the comma is the decimal mark there),
    with a byte-order mark so spreadsheet programs read the accents right."""
    sep = ";" if normalise_lang(lang) == "fr" else ","
    return display_table(table, lang).to_csv(sep=sep, index=False).encode("utf-8-sig")


# ------------------------------------------------------------------------------------------
# changing a parameter of the current scenario
# ------------------------------------------------------------------------------------------
def editable_params(s: BaseModel) -> list[ParamInfo]:
    """Every parameter of ``s`` (a scenario of either service) that has a value to change, in
    schema order: its own paths (as many tariff blocks or cohorts as it has), lists and blocks as
    a whole, no template rows."""
    return [p for p in common.iter_params(type(s), "", s) if "[*]" not in p.path]


def as_yaml(value: Any) -> str:
    """A list or block value as the YAML a reader edits (one line for a list of numbers)."""
    data = value
    if hasattr(value, "model_dump"):
        data = value.model_dump(mode="json")
    elif isinstance(value, tuple | list):
        data = [v.model_dump(mode="json") if hasattr(v, "model_dump") else v for v in value]
    elif isinstance(value, dict):
        data = {k: v.model_dump(mode="json") if hasattr(v, "model_dump") else v for k, v in value.items()}
    flow = isinstance(data, list) and all(not isinstance(v, dict | list) for v in data)
    return yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True, sort_keys=False).strip()


def apply_edit(s: Scenario, path: str, value: Any, lang: str) -> Scenario:
    """``s`` with ``value`` at ``path``, checked as the Explorer checks its form (the schema,
    then the dashboard's limits); a located :class:`ScenarioError` otherwise. ``value`` given as
    YAML text (a list or a block) is read by the one safe loader first."""
    origin = t("sources.edit.origin", lang)
    if isinstance(value, YamlText):
        value = parse_yaml(str(value), origin, document=False)
    new = share.apply_changes(s, {path: value}, origin)
    share.check_limits(new, origin, lang)
    return new


class YamlText(str):
    """Text of a list or a block, to be read as YAML (a plain ``str`` value stays text)."""


def _label(info: ParamInfo, lang: str) -> str:
    return f"{info.meaning(lang)} · {info.path}"


def _plain(info: ParamInfo) -> bool:
    """A value with a widget of its own (else: a list or a block, entered as YAML)."""
    return info.kind in ("bool", "int", "float", "choice", "str") and not info.container


def _on_apply(path: str, lang: str) -> None:
    """« Appliquer »: the entered value into the current scenario, or the reason it is refused."""
    ss = st.session_state
    s = share.current()
    info = common.param_at(type(s), path)
    current = common.get_path(s, path)
    if _plain(info):
        value: Any = ss.get(EDIT_PREFIX + path, current)
    else:
        value = YamlText(ss.get(EDIT_YAML + path, as_yaml(current)))
    try:
        new = apply_edit(s, path, value, lang)
    except ScenarioError as exc:
        ss[EDIT_ERROR] = share.error_text(t("run.scenario_error", lang), exc, lang)
        return
    if new == s:
        share.flash("info", t("sources.edit.same", lang))
        return
    share.set_current(new, share.current_preset(), share.current_source(), reset=True)
    ss.pop(EDIT_YAML + path, None)
    year = info.unit == "year"
    share.flash(
        "success",
        t(
            "sources.edit.done",
            lang,
            name=info.meaning(lang),
            old=common.format_value(current, lang, year=year),
            new=common.format_value(common.get_path(new, path), lang, year=year),
        ),
    )


def _editor(s: Scenario, shown: pd.DataFrame, selected: str | None, lang: str) -> None:
    """The form that changes one parameter of the current scenario."""
    infos = {p.path: p for p in editable_params(s)}
    paths = list(infos)
    ss = st.session_state
    if selected in infos and selected != ss.get(EDIT_PICKED):
        ss[EDIT_PATH] = selected  # a row just picked in the table (the list can still change it)
    elif ss.get(EDIT_PATH) not in infos:
        visible = [p for p in shown["path"] if p in infos]
        ss[EDIT_PATH] = visible[0] if visible else paths[0]
    ss[EDIT_PICKED] = selected
    st.subheader(t("sources.edit.header", lang))
    st.caption(t("sources.edit.intro", lang) + " " + share.current_caption(s, lang))
    path = st.selectbox(
        t("sources.edit.pick", lang),
        paths,
        key=EDIT_PATH,
        format_func=lambda p: _label(infos[p], lang),
    )
    info = infos[path]
    current = common.get_path(s, path)
    with st.form("sources_edit", border=True, enter_to_submit=False):
        if _plain(info):
            common.widgets_for(type(s), s, [path], lang, key_prefix=EDIT_PREFIX, named_choices=True)
        else:
            text = as_yaml(current)
            st.text_area(
                common.widget_label(info, lang),
                value=text,
                help=common.widget_help(info, lang),
                key=EDIT_YAML + path,
                height=68 if "\n" not in text else 200,
            )
            st.caption(t("sources.edit.yaml_note", lang))
        # applied in the button's callback: before the next run draws the widgets again, so they
        # take the new scenario's values (share.set_current)
        st.form_submit_button(
            t("sources.edit.apply", lang),
            type="primary",
            icon=":material/edit:",
            key="sources_apply",
            on_click=_on_apply,
            args=(path, lang),
        )
    problem = ss.pop(EDIT_ERROR, None)
    if problem:
        st.error(problem)
    try:
        st.page_link(
            "sim/dashboard/explorer.py", label=t("sources.edit.to_explorer", lang), icon=":material/insights:"
        )
    except StreamlitAPIException:  # the page run alone, outside the app's navigation (tests)
        pass


# ------------------------------------------------------------------------------------------
# mechanisms: formulas per language, one st.latex line each (the explanations live in the
# locale catalogues, under mech.<key>.title and mech.<key>.text)
# ------------------------------------------------------------------------------------------
FORMULAS: dict[str, dict[str, tuple[str, ...]]] = {
    "balance": {
        "fr": (
            r"V_{\text{produit}} = V_{\text{facturé}} + V_{\text{autorisé non facturé}}"
            r" + P_{\text{apparentes}} + P_{\text{réelles}}",
            r"\text{rendement} = \frac{V_{\text{facturé}} + V_{\text{autorisé non facturé}}}"
            r"{V_{\text{produit}}}",
        ),
        "en": (
            r"V_{\text{produced}} = V_{\text{billed}} + V_{\text{unbilled authorised}}"
            r" + L_{\text{apparent}} + L_{\text{real}}",
            r"\text{yield} = \frac{V_{\text{billed}} + V_{\text{unbilled authorised}}}"
            r"{V_{\text{produced}}}",
        ),
    },
    "uarl": {
        "fr": (
            r"\text{UARL}\ (\text{L/jour}) = \left(18\,L_m + 0{,}8\,N_c + 25\,L_p\right)\cdot P",
            r"\text{ILI} = \frac{\text{CARL}}{\text{UARL}}",
        ),
        "en": (
            r"\text{UARL}\ (\text{L/day}) = \left(18\,L_m + 0.8\,N_c + 25\,L_p\right)\cdot P",
            r"\text{ILI} = \frac{\text{CARL}}{\text{UARL}}",
        ),
    },
    "breaks": {
        "fr": (
            r"N(t) = N_0\, e^{A\,t}\quad (t = \text{âge en années})",
            r"\text{casses par an} = N(t)\times L_{\text{km}}",
        ),
        "en": (
            r"N(t) = N_0\, e^{A\,t}\quad (t = \text{age in years})",
            r"\text{breaks per year} = N(t)\times L_{\text{km}}",
        ),
    },
    "demand": {
        "fr": (r"Q = Q_0 \left(\frac{p}{p_0}\right)^{\varepsilon}",),
        "en": (r"Q = Q_0 \left(\frac{p}{p_0}\right)^{\varepsilon}",),
    },
    "unpaid": {
        "fr": (r"\Pr(\text{impayé}) = \frac{1}{1 + e^{-\left(\ln\frac{p_0}{1-p_0} + s\,b\right)}}",),
        "en": (r"\Pr(\text{unpaid}) = \frac{1}{1 + e^{-\left(\ln\frac{p_0}{1-p_0} + s\,b\right)}}",),
    },
    "tariff": {
        "fr": (
            r"F = (1+\tau)\Big[A + \sum_{k} p_k\,\big(\min(V, b_k) - b_{k-1}\big)^{+} + r\,V\Big]"
            r"\qquad b_0 = V_0",
        ),
        "en": (
            r"F = (1+\tau)\Big[A + \sum_{k} p_k\,\big(\min(V, b_k) - b_{k-1}\big)^{+} + r\,V\Big]"
            r"\qquad b_0 = V_0",
        ),
    },
    "cap": {
        "fr": (
            r"\frac{A}{A + \sum_{k} p_k\,\big(\min(120, b_k) - b_{k-1}\big)^{+}}"
            r"\ \le\ 30\,\%\ \text{(urbaine)}\ \text{ou}\ 40\,\%\ \text{(rurale)}",
        ),
        "en": (
            r"\frac{A}{A + \sum_{k} p_k\,\big(\min(120, b_k) - b_{k-1}\big)^{+}}"
            r"\ \le\ 30\,\%\ \text{(urban)}\ \text{or}\ 40\,\%\ \text{(rural)}",
        ),
    },
    "restrictions": {
        "fr": (
            r"S_{t+1} = S_t + R_t - o\,S_t - V_t",
            r"V_{\text{restreint}} = V_{\text{ess}}"
            r" + (1-c_{\text{int}})\,(V_{\text{int}} - V_{\text{ess}})^{+}"
            r" + (1-c_{\text{ext}})\,V_{\text{ext}}",
        ),
        "en": (
            r"S_{t+1} = S_t + R_t - o\,S_t - V_t",
            r"V_{\text{restricted}} = V_{\text{ess}}"
            r" + (1-c_{\text{in}})\,(V_{\text{in}} - V_{\text{ess}})^{+}"
            r" + (1-c_{\text{out}})\,V_{\text{out}}",
        ),
    },
}


def _mechanism_fields(lang: str) -> dict[str, dict[str, str]]:
    """Default figures quoted in each mechanism's text, formatted for ``lang``."""

    h, n = Households(), Network()
    effect = 100.0 * (1.1**h.price_elasticity - 1.0)
    per_day = t("unit.l_per_person_day", lang)
    return {
        "uarl": {
            "pressure": fmt_number(n.pressure_m, lang),
            "ili": fmt_number(n.background_ili, lang, 1),
        },
        "breaks": {"renewal": fmt_pct(n.renewal_rate_pct, lang, 1)},
        "demand": {
            "consumption": f"{fmt_number(h.consumption_l_per_person_day, lang)} {per_day}",
            "elasticity": fmt_number(h.price_elasticity, lang, 2),
            "effect": fmt_pct(effect, lang, 1),
        },
        "unpaid": {
            "base": fmt_pct(100.0 * h.unpaid_base_probability, lang, 1),
            "slope": fmt_number(h.unpaid_burden_slope, lang, 2),
        },
        "cap": {"urban": fmt_pct(30, lang, 0), "rural": fmt_pct(40, lang, 0)},
        "restrictions": {"essential": f"{fmt_number(h.essential_l_per_person_day, lang)} {per_day}"},
    }


def restriction_table(lang: str) -> pd.DataFrame:
    """Thresholds and default usage cuts of the four restriction levels, from the schema."""

    r = Resource()
    rows = []
    for level, threshold in zip(RESTRICTION_LEVELS[1:], r.thresholds, strict=True):
        rule = r.usage_rules[level]
        rows.append(
            {
                t("mech.restrictions.col.level", lang): t(f"level.{level}", lang),
                t("mech.restrictions.col.threshold", lang): fmt_pct(100 * threshold, lang, 0),
                t("mech.restrictions.col.outdoor", lang): fmt_pct(rule.outdoor_cut_pct, lang, 0),
                t("mech.restrictions.col.indoor", lang): fmt_pct(rule.indoor_cut_pct, lang, 0),
            }
        )
    return pd.DataFrame(rows)


#: the sections of ``docs/electricity.<lang>.md`` that explain a mechanism or a rule (the others
#: tell the pages, the workshop and the tests)
ELECTRICITY_DOC = ROOT / "docs" / "electricity.{lang}.md"
ELECTRICITY_MECHANISMS = re.compile(
    r"sim\.electricity\.|loi fixe|law fixes|[Tt]axes|tarif et la facture|tariff and the bill|"
    r"ménages de la commune|town's households|mois par mois|month by month"
)


@functools.lru_cache(maxsize=4)
def electricity_mechanisms(lang: str) -> list[tuple[str, str]]:
    """(title, markdown) of each mechanism section of the electricity documentation in ``lang``:
    the page shows the explanations the docs give, so the two cannot drift apart (read once per
    server and language)."""
    text = Path(str(ELECTRICITY_DOC).format(lang=normalise_lang(lang))).read_text(encoding="utf-8")
    out = []
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = part.partition("\n")
        if ELECTRICITY_MECHANISMS.search(title):
            out.append((title.strip(), body.strip()))
    return out


def _electricity_mechanisms(lang: str) -> None:
    st.caption(t("sources.mechanisms.electricity", lang))
    for title, body in electricity_mechanisms(lang):
        with st.expander(title):
            st.markdown(body)


# ------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------
def render() -> None:
    """Draw the page in the session's language."""
    lang = common.current_lang()
    st.title(t("sources.title", lang))
    st.markdown(t("sources.intro", lang))
    share.service_select(lang)

    st.header(t("sources.params.header", lang))
    share.show_flash()
    current = share.current()
    table = cached_table(lang, st.session_state[share.CURRENT])
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    query = left.text_input(
        t("sources.filter.label", lang),
        key="sources.filter",
        placeholder=t("sources.filter.placeholder", lang),
    )
    only = right.checkbox(t("sources.only_assumptions", lang), key="sources.only_assumptions")
    shown = filter_table(table, query or "", assumptions_only=only, lang=lang)
    n_assumptions = int((shown["status"] == t("sources.status.assumption", lang)).sum())
    count = t("sources.count", lang, shown=len(shown), total=len(table), assumptions=n_assumptions)
    st.markdown(f":orange-badge[{t('sources.status.assumption', lang)}] {count}")
    selected = None
    if shown.empty:
        st.info(t("sources.none", lang))
    else:
        config: dict[str, Any] = {
            t(f"sources.col.{col}", lang): st.column_config.TextColumn(width=px)
            for col, px in COLUMN_WIDTHS_PX.items()
        }
        config[t("sources.col.link", lang)] = st.column_config.LinkColumn(
            width=LINK_WIDTH_PX, display_text=LINK_TEXT, help=t("sources.col.link.help", lang)
        )
        event = st.dataframe(
            display_table(shown, lang),
            hide_index=True,
            width="stretch",
            column_order=[t(f"sources.col.{col}", lang) for col in SHOWN_ORDER],
            column_config=config,
            on_select="rerun",
            selection_mode="single-row",
            key=TABLE_KEY,
        )
        rows = list(event.selection.rows) if event is not None and hasattr(event, "selection") else []
        if rows:
            selected = str(shown["path"].iloc[rows[0]])
    st.download_button(
        t("sources.download", lang),
        data=to_csv(table, lang),
        file_name=t("sources.download.file", lang),
        mime="text/csv",
        icon=":material/download:",
    )
    _editor(current, shown, selected, lang)
    st.caption(t("sources.refs_note", lang))

    st.header(t("sources.mechanisms.header", lang))
    st.markdown(t("sources.mechanisms.intro", lang))
    if share.service_of(current) == "electricity":
        _electricity_mechanisms(lang)
        return
    fields = _mechanism_fields(lang)
    for key, formula in FORMULAS.items():
        st.subheader(t(f"mech.{key}.title", lang))
        st.markdown(t(f"mech.{key}.text", lang, **fields.get(key, {})))
        for line in formula[normalise_lang(lang)]:
            st.latex(line)
        if key == "restrictions":
            st.dataframe(restriction_table(lang), hide_index=True)

    # "How each regime works": generated from the schema (sim.scenario.docs), as docs/regimes.*.md
    with st.expander(t("sources.regimes.header", lang), expanded=False):
        st.markdown(regimes_markdown(lang).split("\n", 1)[1])


if __name__ == "__main__":  # run by st.navigation as a page
    render()
