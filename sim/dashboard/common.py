"""What every dashboard page shares: the language, numbers, widgets from the schema, cached runs.

- **Language.** ``app.py`` draws :func:`language_switch` in the sidebar on every run. The choice is
  kept in ``st.session_state["lang"]`` and mirrored in the URL query parameter ``?lang=fr|en``, so
  a link opens in the language it was shared in. Pages read it with :func:`current_lang`.
- **Schema.** :func:`iter_params` walks the Scenario's pydantic models (nested blocks, dicts and
  tuples of blocks) and yields each parameter with its dotted path, unit, bounds, meaning and
  source; :func:`param_at` finds one by path. :func:`widgets_for` turns parameters into widgets.
- **Runs.** :func:`cached_simulate` is the one place the dashboard runs the model, cached on the
  scenario's YAML text and the seed; :func:`run` wraps it with a spinner and located errors.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import streamlit as st
from pydantic import BaseModel

from sim import ScenarioError, dumps_scenario, i18n, loads_scenario, simulate
from sim.i18n import LANG_NAMES, LANGS, has_key, normalise_lang, reason_text, t
from sim.scenario.schema import (  # noqa: F401 - re-exported: pages and tests use them from here
    ParamInfo,
    _strip_optional,
    get_path,
    iter_params,
    param_at,
    split_path,
)

if TYPE_CHECKING:
    import pandas as pd

    from sim.core.result import Result
    from sim.scenario.model import Scenario

LANG_KEY = "lang"  # st.session_state key holding the current language
LANG_WIDGET_KEY = "lang_switch"  # key of the sidebar switch
#: prefixes of widget keys that mirror the current scenario: dropped when it is replaced, so the
#: widgets are drawn again from the new scenario (a language switch keeps them: what the user typed
#: and has not run yet stays, see :func:`initial`)
SCENARIO_WIDGET_PREFIXES: tuple[str, ...] = ("explorer.w.", "sources.w.")
LANG_QUERY = "lang"  # URL query parameter


# ------------------------------------------------------------------------------------------
# language and numbers
# ------------------------------------------------------------------------------------------
ENV_LANG = "REGIE_SIM_LANG"  # the server's language, as for the command line


def _lang_from_url() -> str:
    raw = st.query_params.get(LANG_QUERY)
    # no ?lang=: the server's language (``regie-sim serve --lang``), else French
    return normalise_lang(raw if isinstance(raw, str) else os.environ.get(ENV_LANG))


def current_lang() -> str:
    """The language of this session: the switch's choice, else ``?lang=``, else French."""
    lang = st.session_state.get(LANG_KEY)
    return lang if lang in LANGS else _lang_from_url()


def language_switch() -> str:
    """Draw the FR/EN switch in the sidebar and return the chosen language.

    Called by ``app.py`` on every run, before the pages are built. The first run of a session
    starts from ``?lang=`` (French if absent or unknown); afterwards the switch's state rules, and
    the URL is rewritten to match, including after a page change (Streamlit clears query
    parameters when the page changes).
    """
    if LANG_WIDGET_KEY not in st.session_state:
        st.session_state[LANG_WIDGET_KEY] = current_lang()
    # the label is the same in both languages: a widget whose label changes is a new widget
    choice = st.sidebar.segmented_control(
        t("lang.label"),
        options=list(LANGS),
        format_func=LANG_NAMES.__getitem__,
        key=LANG_WIDGET_KEY,
        required=True,
    )
    lang = normalise_lang(choice)
    st.session_state[LANG_KEY] = lang
    widget_texts(lang)
    if st.query_params.get(LANG_QUERY) != lang:
        st.query_params[LANG_QUERY] = lang
    return lang


#: the column picker of a table (toolbar « Show/hide columns »)
_COLUMN_MENU = '[data-testid="stDataFrameColumnVisibilityMenu"]'


#: a table toolbar's buttons: their English label (``aria-label``, fixed in Streamlit's frontend)
#: -> the catalogue key of the tooltip shown in French
TOOLBAR_TIPS: dict[str, str] = {
    "Show/hide columns": "table.tip.columns",
    "Download as CSV": "table.tip.download",
    "Search": "table.tip.search",
    "Fullscreen": "table.tip.fullscreen",
    "Close fullscreen": "table.tip.close_fullscreen",
}
_TIP = '[data-testid="stTooltipContent"] [data-testid="stMarkdownContainer"] p'


def toolbar_css(lang: str) -> str:
    """Style rules that write a table toolbar's tooltips in ``lang``.

    Streamlit draws them from English strings fixed in its frontend (no option of ``st.dataframe``
    sets them, up to 1.67; Streamlit's own texts are not translatable: streamlit/streamlit#1353,
    open since 2020, and #10380). The buttons' ``aria-label`` stays English (read by screen
    readers, not shown). A button whose tooltip is open carries ``aria-describedby``; while it
    does, the open tooltip's text is hidden and the French text is drawn in its place. The search
    box's English count of matches is hidden."""
    rules = []
    for label, key in TOOLBAR_TIPS.items():
        # the button's label is English until the page's script (:func:`a11y_script`) writes it
        # in the page's language
        button = f'button:is([aria-label="{label}"],[aria-label="{t(key, lang)}"])'
        open_ = f"body:has(.stTooltipHoverTarget[aria-describedby] > {button})"
        rules.append(f"{open_} {_TIP}{{font-size:0}}")
        rules.append(f'{open_} {_TIP}::after{{content:"{t(key, lang)}";font-size:.875rem}}')
    # the search box's count (« 121 results ») holds a number no style can reuse: not shown; the
    # table marks the matching cells itself
    rules.append('[data-testid="stDataFrame"] [data-testid="search-result-area"]{display:none}')
    return "".join(rules)


#: Streamlit's (and Plotly's) own screen-reader texts, fixed in English in its frontend: the
#: ``aria-label``, ``placeholder`` or ``data-title`` as Streamlit 1.67 writes it -> catalogue key
A11Y_TEXTS: dict[str, str] = {
    **TOOLBAR_TIPS,
    "App pages": "a11y.app_pages",
    "Autoscale": "a11y.autoscale",
    "Choose an option": "a11y.choose_option",
    "Choose options": "a11y.choose_options",
    "Clear all": "a11y.clear_all",
    "Clear value": "a11y.clear_value",
    "Close": "a11y.close",
    "Close Search": "a11y.close_search",
    "Collapse sidebar": "a11y.collapse_sidebar",
    "Copy to clipboard": "a11y.copy",
    "Decrement": "a11y.decrement",
    "Download plot as a PNG": "a11y.download_png",
    "Expand sidebar": "a11y.expand_sidebar",
    "file upload": "a11y.file_upload",
    "Increment": "a11y.increment",
    "Link to heading": "a11y.link_to_heading",
    "Main menu": "a11y.main_menu",
    "Open": "a11y.open",
    "Pan": "a11y.pan",
    "Reset axes": "a11y.reset_axes",
    "Running...": "a11y.running",
    "Scroll tabs left": "a11y.scroll_tabs_left",
    "Scroll tabs right": "a11y.scroll_tabs_right",
    "Select all": "a11y.select_all",
    "Selected values": "a11y.selected_values",
    "Sidebar": "a11y.sidebar",
    "Stop script": "a11y.stop",
    "Zoom": "a11y.zoom",
    "Zoom in": "a11y.zoom_in",
    "Zoom out": "a11y.zoom_out",
}
#: texts Streamlit builds around a label of ours: its English start -> catalogue key
A11Y_PREFIXES: dict[str, str] = {"Help for ": "a11y.help_for", "Remove ": "a11y.remove"}
A11Y_ICON = "a11y.icon"  # « school icon »: a Material icon's name and "icon"
#: Streamlit's messages for a number typed outside a field's bounds (NumberInput), in English
#: only: pattern (its bounds as groups) -> catalogue key (``{lo}``, ``{hi}``: the bounds, with the
#: page's decimal mark). Shown in the tooltip of the field's error icon and read out by its
#: screen-reader text (« Error: … »).
RANGE_MESSAGES: dict[str, str] = {
    r"^Number is outside the allowed range\. "
    r"Please enter a value between (\S+) and (\S+)\.$": "input.range.between",
    r"^Number is below the allowed range\. "
    r"Please enter a value greater than or equal to (\S+)\.$": "input.range.min",
    r"^Number is below the allowed range\.$": "input.range.below",
    r"^Number is above the allowed range\. "
    r"Please enter a value less than or equal to (\S+)\.$": "input.range.max",
    r"^Number is above the allowed range\.$": "input.range.above",
}

#: rewrites Streamlit's English screen-reader texts in the page's language, now and whenever
#: Streamlit draws or redraws an element (a MutationObserver on the page); the English text each
#: element was given is kept, so a switch back to English restores it
_A11Y_JS = r"""(() => {
  const w = window;
  w.__regieA11y = %s;
  const ATTRS = ['aria-label', 'placeholder', 'data-title'];
  const SEL = ATTRS.map(a => '[' + a + ']').join(',');
  const seen = w.__regieA11ySeen || (w.__regieA11ySeen = new WeakMap());
  const range = (en) => {
    const m = w.__regieA11y;
    for (const [p, q] of m.range) {
      const g = en.match(new RegExp(p));
      if (!g) continue;
      const num = (x) => (x || '').replace(/\.$/, '').replace('.', m.decimal);
      return q.replace('{lo}', num(g[1])).replace('{hi}', num(g[g.length - 1]));
    }
    return null;
  };
  const say = (en) => {
    const m = w.__regieA11y;
    if (Object.prototype.hasOwnProperty.call(m.exact, en)) return m.exact[en];
    if (en.startsWith('Error: ')) { const r = range(en.slice(7)); if (r !== null) return m.error + r; }
    for (const [p, q] of m.prefix) if (en.startsWith(p)) return q + en.slice(p.length);
    if (/^[a-z_]+ icon$/.test(en)) return m.icon;
    return en;
  };
  // the error icon's tooltip: « **Error**: Number is … » drawn as text, not as an attribute
  const TIP = '[data-testid="stTooltipErrorContent"],[data-testid="stTooltipContent"]';
  const ALERT = '[id$="-validation-error"]';
  const fixTip = (tip) => {
    const walk = document.createTreeWalker(tip, NodeFilter.SHOW_TEXT);
    const texts = [];
    while (walk.nextNode()) texts.push(walk.currentNode);
    for (const n of texts) {
      const raw = n.nodeValue;
      const lead = raw.match(/^(:\s*)/);
      const r = range(lead ? raw.slice(lead[0].length) : raw);
      if (r === null) continue;
      // written only when it changes: each write is a mutation the observer sees again
      const now = (lead ? w.__regieA11y.colon : '') + r;
      if (now !== raw) n.nodeValue = now;
      const prev = n.previousSibling, word = w.__regieA11y.errorWord;
      if (prev && prev.textContent === 'Error' && word !== 'Error') prev.textContent = word;
    }
  };
  const fix = (el) => {
    let rec = seen.get(el);
    if (!rec) { rec = {}; seen.set(el, rec); }
    for (const a of ATTRS) {
      const now = el.getAttribute(a);
      if (now === null) continue;
      if (!rec[a] || now !== rec[a].shown) rec[a] = {en: now};  // a text Streamlit wrote
      rec[a].shown = say(rec[a].en);
      if (now !== rec[a].shown) el.setAttribute(a, rec[a].shown);
    }
  };
  const sweep = (node) => {
    if (node.nodeType === 3) node = node.parentElement;  // a tooltip's text redrawn
    if (!node || node.nodeType !== 1) return;
    if (node.matches(SEL)) fix(node);
    node.querySelectorAll(SEL).forEach(fix);
    if (node.textContent.includes('allowed range')) {
      const tip = node.closest(TIP);
      if (tip) fixTip(tip);
      node.querySelectorAll(TIP).forEach(fixTip);
      // the field's alert, read out by a screen reader: « Error: Number is … »
      const alerts = node.matches(ALERT) ? [node] : [...node.querySelectorAll(ALERT)];
      for (const a of alerts) { const r = say(a.textContent); if (r !== a.textContent) a.textContent = r; }
    }
  };
  if (!w.__regieA11yObserver) {
    w.__regieA11yObserver = new MutationObserver((changes) => {
      for (const c of changes) {
        if (c.type === 'attributes') fix(c.target);
        else if (c.type === 'characterData') sweep(c.target);  // a message's text redrawn
        else c.addedNodes.forEach(sweep);
      }
    });
    w.__regieA11yObserver.observe(document.documentElement,
      {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS});
  }
  sweep(document.documentElement);
  // a decimal comma typed in a number field (« 0,21 », as French is written) is a decimal point
  // for the browser, which otherwise drops it silently (« 021 »)
  if (!w.__regieComma) {
    w.__regieComma = true;
    document.addEventListener('keydown', (e) => {
      const el = e.target;
      if (e.key !== ',' || !el || !el.matches || !el.matches('input[type="number"]')) return;
      e.preventDefault();
      document.execCommand('insertText', false, '.');
    }, true);
  }
})();"""


def a11y_script(lang: str) -> str:
    """The script that writes Streamlit's screen-reader texts in ``lang`` (see :data:`A11Y_TEXTS`).

    Streamlit has no option for them (streamlit/streamlit#1353); ``st.html`` runs a script in the
    page itself since Streamlit 1.52 (``unsafe_allow_javascript``), with no iframe, so one observer
    per browser tab serves every page of the app. The script holds only catalogue texts."""
    table = {
        "exact": {en: t(key, lang) for en, key in A11Y_TEXTS.items()},
        "prefix": [[en, t(key, lang)] for en, key in A11Y_PREFIXES.items()],
        "icon": t(A11Y_ICON, lang),
        "range": [[p, t(key, lang)] for p, key in RANGE_MESSAGES.items()],
        "decimal": "," if lang == "fr" else ".",
        "error": t("input.range.error", lang) + " ",
        "errorWord": t("input.range.error_word", lang),
        "colon": " : " if lang == "fr" else ": ",
    }
    # the texts are ours (the catalogues) and JSON-escaped; "</" cannot close the script tag
    return "<script>" + _A11Y_JS % json.dumps(table, ensure_ascii=False).replace("</", "<\\/") + "</script>"


def widget_texts(lang: str) -> None:
    """Streamlit's own file-uploader texts (« Drag and drop file here », « Limit 200MB per file »,
    « Upload ») are English only and cannot be set (streamlit/streamlit#13500): in French they are
    hidden by a style sheet and written again in French.

    The same holds for the « Select all » box of a table's column picker and for the tooltips
    of a table's toolbar (:func:`toolbar_css`); the picker's « (index) » box, a column every table
    here hides, is not shown at all.

    Their screen-reader texts (``aria-label``) and the « Choose an option » of an empty box are
    written in the page's language by :func:`a11y_script`, in the sidebar (in English too: it
    gives back the English texts after a switch from French)."""
    st.sidebar.html(a11y_script(lang), unsafe_allow_javascript=True)
    if lang != "fr":
        return
    drop, limit, button = (t(k, lang) for k in ("upload.drop", "upload.limit", "upload.button"))
    select_all = t("table.select_all", lang)
    st.html(
        "<style>"
        '[data-testid="stFileUploaderDropzoneInstructions"] span,'
        '[data-testid="stFileUploaderDropzoneInstructions"] small{display:none}'
        '[data-testid="stFileUploaderDropzoneInstructions"]>div::before'
        f'{{content:"{drop}";display:block}}'
        '[data-testid="stFileUploaderDropzoneInstructions"]>div::after'
        f'{{content:"{limit}";display:block;font-size:.8em;opacity:.7}}'
        '[data-testid="stFileUploaderDropzone"] button{font-size:0}'
        '[data-testid="stFileUploaderDropzone"] button *{display:none}'
        '[data-testid="stFileUploaderDropzone"] button::after'
        f'{{content:"{button}";font-size:.875rem}}'
        f"{_COLUMN_MENU}>div>label:first-child>span:last-child{{font-size:0}}"
        f"{_COLUMN_MENU}>div>label:first-child>span:last-child::after"
        f'{{content:"{select_all}";font-size:.875rem}}'
        f'{_COLUMN_MENU} label:has(input[aria-label="(index)"]){{display:none}}'
        f"{toolbar_css(lang)}"
        f"{input_hint_css(lang)}"
        "</style>"
    )


#: the widgets whose first hint under the field is Streamlit's « Press Enter to apply » (or
#: « … to submit form » in a form): a number input never counts characters, and no text input
#: here counts them in a form without Enter (the count would then come first)
_HINTED = ("stNumberInput", "stTextInput", "stTextArea")


def input_hint_css(lang: str) -> str:
    """Streamlit's English hint under a field being typed in (« Press Enter to apply »,
    « Press Enter to submit form », « Press Ctrl+Enter to apply » in a text area), hidden and
    written again in ``lang``, the way :func:`widget_texts` does for the uploader."""
    rules = []
    for widget in _HINTED:
        key = "input.hint.multiline" if widget == "stTextArea" else "input.hint"
        hint = f'[data-testid="{widget}"] [data-testid="InputInstructions"]>span:first-child'
        rules.append(f"{hint}{{font-size:0}}")
        rules.append(f'{hint}::after{{content:"{t(key + ".apply", lang)}";font-size:.75rem}}')
        rules.append(f'[data-testid="stForm"] {hint}::after{{content:"{t(key + ".submit", lang)}"}}')
    return "".join(rules)


def num(x: float | int | None, decimals: int = 0) -> str:
    """A number in the session's language (``1 234,5`` in French)."""
    return i18n.fmt_number(x, current_lang(), decimals)


def eur(x: float | int | None, decimals: int = 2) -> str:
    """An amount in euros in the session's language (``1 234,50 €`` / ``€1,234.50``)."""
    return i18n.fmt_eur(x, current_lang(), decimals)


def pct(x: float | int | None, decimals: int = 1) -> str:
    """A percentage (given in percent) in the session's language (``12,5 %``)."""
    return i18n.fmt_pct(x, current_lang(), decimals)


# ------------------------------------------------------------------------------------------
# the schema, walked
# ------------------------------------------------------------------------------------------
def decision_reasons(decisions: pd.DataFrame, lang: str) -> list[str]:
    """Why each decision was taken, in ``lang``: worded from its ``reason_code`` and
    ``reason_params`` (:func:`sim.i18n.reason_text`); a row without a code keeps its ``reason``."""
    if "reason_code" not in decisions:
        return [str(r) for r in decisions["reason"]] if "reason" in decisions else [""] * len(decisions)
    return [
        reason_text(str(code), str(params), lang) if isinstance(code, str) and code else str(said)
        for code, params, said in zip(
            decisions["reason_code"], decisions["reason_params"], decisions["reason"], strict=True
        )
    ]


def format_bounds(info: ParamInfo, lang: str) -> str:
    """Bounds in words a reader can check: ``[0 ; 1]``, ``]20 ; 600]``, ``≥ 0``, or the choices."""
    if info.choices:
        return t("common.choices", lang, values=", ".join(str(c) for c in info.choices))
    b = info.bounds
    fr = normalise_lang(lang) == "fr"

    def n(x: float) -> str:
        return format_value(x, lang, year=info.unit == "year")

    lo = ("ge", b["ge"]) if "ge" in b else ("gt", b["gt"]) if "gt" in b else None
    hi = ("le", b["le"]) if "le" in b else ("lt", b["lt"]) if "lt" in b else None
    if lo and hi:
        sep = " ; " if fr else ", "
        left = "[" if lo[0] == "ge" else ("]" if fr else "(")
        right = "]" if hi[0] == "le" else ("[" if fr else ")")
        return f"{left}{n(lo[1])}{sep}{n(hi[1])}{right}"
    if lo:
        return f"{'≥' if lo[0] == 'ge' else '>'} {n(lo[1])}"
    if hi:
        return f"{'≤' if hi[0] == 'le' else '<'} {n(hi[1])}"
    return "—"


def _decimals(x: float) -> int:
    text = repr(float(x))
    if "e" in text:
        return 6
    frac = text.split(".")[1].rstrip("0")
    return min(len(frac), 6)


def choice_label(path: str, value: Any, lang: str) -> str:
    """A named choice as people read it (« décisionnel » for ``deciding``), from the catalogue's
    ``choice.<last part of the path>.<value>``; a value without one is shown as it is written."""
    key = f"choice.{path.rsplit('.', 1)[-1]}.{value}"
    return t(key, lang) if has_key(key, lang) else format_value(value, lang)


def format_value(value: Any, lang: str, *, year: bool = False) -> str:
    """A parameter value as a reader sees it: numbers in the language's style, lists joined.

    ``year=True`` writes calendar years without a thousands separator (2026, not 2 026).
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return t("common.yes" if value else "common.no", lang)
    if year and isinstance(value, int | float):
        return str(int(value))
    if isinstance(value, int):
        return i18n.fmt_number(value, lang, 0)
    if isinstance(value, float):
        if math.isinf(value) or abs(value) >= 1e15:
            return f"{value:g}"
        return i18n.fmt_number(value, lang, _decimals(value))
    if isinstance(value, BaseModel):
        return ", ".join(f"{k}={format_value(v, lang)}" for k, v in value)
    if isinstance(value, Mapping):
        return t("common.items", lang, n=len(value)) if value else t("common.none", lang)
    if isinstance(value, list | tuple):
        if not value:
            return t("common.none", lang)
        if all(isinstance(v, BaseModel) for v in value):
            return t("common.items", lang, n=len(value))
        sep = " ; " if normalise_lang(lang) == "fr" else ", "
        return sep.join(format_value(v, lang) for v in value)
    return str(value)


# ------------------------------------------------------------------------------------------
# widgets from the schema
# ------------------------------------------------------------------------------------------
def _step(value: float | None, lo: float | None, hi: float | None) -> float:
    ref = abs(value) if value else ((hi - lo) / 1000 if lo is not None and hi is not None else 1.0)
    if hi is not None and lo is not None and hi - lo <= 1:
        ref = min(ref, 1.0)
    step = 10.0 ** (math.floor(math.log10(ref)) - (2 if value else 0)) if ref > 0 else 0.01
    return min(max(step, 0.001), 1e6)


def widget_label(info: ParamInfo, lang: str) -> str:
    """``"Meaning (unit)"`` in ``lang``."""
    unit = info.unit_in(lang)
    return f"{info.meaning(lang)} ({unit})" if unit else info.meaning(lang)


def widget_help(info: ParamInfo, lang: str) -> str:
    """The widget's help, in the page's language only: meaning, source, bounds."""
    return t(
        "widget.help",
        lang,
        meaning=info.meaning(lang),
        source=info.source_in(lang),
        bounds=format_bounds(info, lang),
    )


def widgets_for(
    model_cls: type[BaseModel],
    values: Mapping[str, Any] | BaseModel,
    keys: Iterable[str] | None,
    lang: str,
    *,
    container: Any = None,
    key_prefix: str = "w.",
    named_choices: bool = False,
) -> dict[str, Any]:
    """Draw one widget per parameter and return the values the user changed, by dotted path.

    Parameters
    ----------
    model_cls
        The pydantic model the paths start from (usually :class:`~sim.scenario.model.Scenario`).
    values
        The current values: the scenario itself or its ``model_dump()``.
    keys
        Dotted paths to show (``"tariff.standing_charge_eur_per_year"``,
        ``"tariff.blocks[0].price_eur_per_m3"``), or None for every parameter declared with
        ``widget=True``.
    lang
        Language of labels and help.
    container
        Where to draw (``st.sidebar``, a column…); the main area by default.
    key_prefix
        Prefix of the widgets' session-state keys, to keep pages apart.
    named_choices
        Show a named choice in words (:func:`choice_label`) rather than as its code.

    Returns
    -------
    dict
        ``{path: new_value}`` for each widget whose value differs from ``values``; feed it to
        :func:`sim.scenario.model.with_changes`.
    """
    where = container if container is not None else st
    if keys is None:
        # template rows of empty lists ("shocks[*].year") are not values one can edit
        infos = [p for p in iter_params(model_cls) if p.widget and not p.container and "[*]" not in p.path]
    else:
        infos = [param_at(model_cls, k) for k in keys]
    changes: dict[str, Any] = {}
    for info in infos:
        current = get_path(values, info.path)
        new = _draw(where, info, current, lang, key_prefix + info.path, named_choices)
        if new != current:
            changes[info.path] = new
    return changes


def initial(key: str, value: Any, options: list[Any] | None = None) -> dict[str, Any]:
    """The default a scenario widget is drawn with: its state if it has one, else ``value``.

    The default is passed at every drawing, never left out: a number box drawn without one
    carries its minimum as default, and the browser falls back to that default whenever it
    draws the box afresh (after a language switch, say): seed 0, one year, nothing charged —
    and the next run would use them. With the state as default, a fresh drawing shows what the
    user entered. For a select box, ``options`` turns the value into the ``index`` it wants.
    """
    current = st.session_state[key] if key in st.session_state else value
    if isinstance(value, float) and isinstance(current, int) and not isinstance(current, bool):
        current = float(current)  # a number box wants one numeric type
    if options is not None:
        return {"index": options.index(current) if current in options else 0}
    return {"value": current}


def _draw(where: Any, info: ParamInfo, current: Any, lang: str, key: str, named: bool = False) -> Any:
    label, help_ = widget_label(info, lang), widget_help(info, lang)
    kind = info.kind
    if kind == "bool":
        return where.checkbox(label, help=help_, key=key, **initial(key, bool(current)))
    if kind == "choice":
        options = list(info.choices)
        words = {"format_func": lambda v: choice_label(info.path, v, lang)} if named else {}
        return where.selectbox(label, options, help=help_, key=key, **words, **initial(key, current, options))
    if kind == "str":
        return where.text_input(label, help=help_, key=key, **initial(key, current or ""))
    if kind not in ("int", "float"):
        raise TypeError(f"{info.path}: no widget for a {info.field.annotation} parameter")
    b = info.bounds
    if kind == "int":
        lo_i = int(b["ge"]) if "ge" in b else int(b["gt"]) + 1 if "gt" in b else None
        hi_i = int(b["le"]) if "le" in b else int(b["lt"]) - 1 if "lt" in b else None
        value_i = None if current is None else int(current)
        return where.number_input(
            label,
            min_value=lo_i,
            max_value=hi_i,
            step=1,
            help=help_,
            key=key,
            **initial(key, value_i),
        )
    lo = b.get("ge", b.get("gt"))
    hi = b.get("le", b.get("lt"))
    step = _step(None if current is None else float(current), lo, hi)
    lo_f = None if lo is None else float(lo) + (step if "gt" in b else 0.0)
    hi_f = None if hi is None else float(hi) - (step if "lt" in b else 0.0)
    decimals = max(0, -math.floor(math.log10(step)))
    value_f = None if current is None else float(current)
    return where.number_input(
        label,
        min_value=lo_f,
        max_value=hi_f,
        **initial(key, value_f),
        step=float(step),
        format=f"%.{decimals}f",
        help=help_,
        key=key,
    )


# ------------------------------------------------------------------------------------------
# runs
# ------------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def cached_simulate(scenario_yaml: str, seed: int) -> Result:
    """Run the scenario given as YAML text on ``seed``; cached on (text, seed).

    The YAML text, not the Scenario object, is the cache key: it is exactly what defines the run,
    and hashing it is cheap and stable across sessions.
    """
    # the text is a Scenario the page built (dumps_scenario), of either service
    return simulate(
        loads_scenario(scenario_yaml, origin="<dashboard>", other_services=("electricity",)), seed=seed
    )


def run(scenario: Scenario, seed: int | None = None, lang: str | None = None) -> Result | None:
    """Run ``scenario`` through :func:`cached_simulate` with a spinner; errors shown, not raised.

    Returns None (and says why on the page) when the scenario is invalid or the engine is missing.
    """
    lang = lang or current_lang()
    try:
        with st.spinner(t("run.spinner", lang)):
            return cached_simulate(dumps_scenario(scenario), int(scenario.seed if seed is None else seed))
    except ScenarioError as exc:
        st.error(t("run.scenario_error", lang) + "\n\n" + exc.format(lang))
        return None


def signed(text: str, x: float) -> str:
    """``text`` (a formatted amount) with a « + » in front when ``x`` is a rise."""
    return f"+{text}" if x > 0 and not text.startswith(("+", "-")) else text


def who_pays_more_and_less(d: Any, lang: str, help_key: str) -> None:
    """The two cards of a tariff designer (water or electricity): the share of households who pay
    more than today, with the median rise, and the share who pay less, with the median fall.
    ``d`` has ``pays_more_pct``, ``pays_less_pct``, ``median_rise_eur`` and ``median_fall_eur``."""
    more, less = st.columns(2)
    for col, label, pct, amount in (
        (
            more,
            "tariff.metric.more",
            d.pays_more_pct,
            signed(i18n.fmt_eur(d.median_rise_eur, lang, 2), d.median_rise_eur),
        ),
        (less, "tariff.metric.less", d.pays_less_pct, i18n.fmt_eur(d.median_fall_eur, lang, 2)),
    ):
        col.metric(
            t(label, lang),
            i18n.fmt_pct(pct, lang, 0),
            t("tariff.metric.median", lang, amount=amount) if pct > 0 else None,
            delta_color="off",
            delta_arrow="off",
            border=True,
            help=t(help_key, lang),
        )
