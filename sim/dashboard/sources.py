"""Page « Hypothèses et sources »: every parameter with its source, and every mechanism explained.

The table is built from the Scenario schema itself (:func:`sim.dashboard.common.iter_params`), so
it cannot drift from what the model uses: a new parameter appears here the moment it is declared.
The mechanisms are explained in plain words with their formula; the figures quoted in the text
are the schema's defaults.
"""

from __future__ import annotations

import unicodedata

import pandas as pd
import streamlit as st

from sim.dashboard import common
from sim.dashboard.common import ParamInfo
from sim.i18n import fmt_number, fmt_pct, normalise_lang, t
from sim.scenario.docs import regimes_markdown
from sim.scenario.model import RESTRICTION_LEVELS, Households, Network, Resource
from sim.scenario.references import citations

# the value and its unit side by side, then where it comes from
COLUMNS = ("path", "meaning", "default", "unit", "reference", "source", "status", "bounds")
#: the order on screen: on a laptop (1366 px) the meaning, the value, its unit, the reference
#: section and the source fit; the key, for whoever edits scenario files, comes last
SHOWN_ORDER = ("meaning", "default", "unit", "reference", "source", "status", "bounds", "path")
COLUMN_WIDTHS_PX = {
    "meaning": 240,
    "default": 90,
    "unit": 80,
    "reference": 200,
    "source": 300,
    "status": 140,
    "bounds": 110,
    "path": 230,
}
CHOICE_SOURCES = ("tariff", "scenario")  # values the scenario author sets, not facts


def status(info: ParamInfo) -> str:
    """``"assumption"``, ``"choice"`` (set by the scenario) or ``"reference"`` (published)."""
    if info.assumption:
        return "assumption"
    src = info.source.strip().lower()
    if src in CHOICE_SOURCES or src.startswith("see ") or not src:
        return "choice"
    return "reference"


def parameter_table(lang: str = "fr") -> pd.DataFrame:
    """One row per parameter: path, meaning, default, unit, the reference sections its source
    cites (:mod:`sim.scenario.references`), source, status and bounds (all text).

    Column names are the language-neutral :data:`COLUMNS`; :func:`display_table` renames them.
    """
    rows = []
    for info in common.iter_params():
        rows.append(
            {
                "path": info.path,
                "meaning": info.meaning(lang),
                "unit": info.unit_in(lang),
                "default": common.format_value(info.default, lang, year=info.unit == "year"),
                "bounds": common.format_bounds(info, lang),
                "status": t(f"sources.status.{status(info)}", lang),
                "reference": "\n".join(c.text(lang) for c in citations(info.source)) or "—",
                "source": info.source_in(lang),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def display_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table with its column headers in ``lang``."""
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


# ------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------
def render() -> None:
    """Draw the page in the session's language."""
    lang = common.current_lang()
    st.title(t("sources.title", lang))
    st.markdown(t("sources.intro", lang))

    st.header(t("sources.params.header", lang))
    table = parameter_table(lang)
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
    if shown.empty:
        st.info(t("sources.none", lang))
    else:
        st.dataframe(
            display_table(shown, lang),
            hide_index=True,
            width="stretch",
            column_order=[t(f"sources.col.{col}", lang) for col in SHOWN_ORDER],
            column_config={
                t(f"sources.col.{col}", lang): st.column_config.TextColumn(width=px)
                for col, px in COLUMN_WIDTHS_PX.items()
            },
        )
    st.download_button(
        t("sources.download", lang),
        data=to_csv(table, lang),
        file_name=t("sources.download.file", lang),
        mime="text/csv",
        icon=":material/download:",
    )
    st.caption(t("sources.refs_note", lang))

    st.header(t("sources.mechanisms.header", lang))
    st.markdown(t("sources.mechanisms.intro", lang))
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
