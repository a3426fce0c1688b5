"""What the Explorer and Compare pages share: the current scenario, its link, its files, its runs.

- **The current scenario** lives in ``st.session_state`` as YAML text (:data:`CURRENT`), with the
  shipped scenario it started from (:data:`PRESET`, None for an upload) and the name the reader
  knows it by (:data:`SOURCE`). Only a valid scenario replaces it — a shipped one, an upload, a
  share link or the Explorer's widgets; anything invalid shows a located message in the page's
  language and changes nothing.
- **Dashboard limits.** Uploads are at most :data:`MAX_UPLOAD_BYTES`; a scenario reaching the
  dashboard has at most :data:`MAX_HOUSEHOLDS` households and :data:`MAX_HORIZON_YEARS` years
  (the command line has no such limits). An upload may ``extends:`` a shipped scenario only, by
  its file name, and may not use YAML aliases.
- **Services.** The current scenario is of one service, water or electricity (its ``service``
  key); the Explorer and Compare pages draw a selector (:func:`service_select`) and list the
  shipped scenarios of that service (``scenarios/*.yaml`` for water, ``scenarios/electricity/*.yaml``
  for electricity, named ``electricity/town`` and so on). Uploads and links of an electricity
  scenario go through the same safe loader, with ``other_services=`` :data:`OTHER_SERVICES`.
- **Share links** ``?p=<preset>&c=<changes>&page=<page>&lang=<lang>``: ``c`` is the url-safe base64
  (padding dropped) of the compact JSON ``{dotted.path: value}`` of every value that differs from
  the shipped scenario ``p`` (:func:`link_changes`). The pages keep the address bar equal to the
  link of what they show (:func:`sync_url`), and the first run of a session restores a link
  (:func:`init`).
- **Files**: the scenario as YAML, the run folder (:meth:`sim.core.result.Result.to_dir`) as a zip,
  and the printable HTML report of :mod:`sim.show.report`.
- **Runs** draw a progress bar fed by ``simulate(progress=…)`` and are kept in a process-wide
  store keyed by the scenario's YAML text and the seed, with their figures per language, so a
  rerun with unchanged inputs is instant. (``st.cache_data`` cannot be used here: a cached
  function may not update a progress bar drawn outside it.) Stored results are shared between
  sessions and never modified.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import io
import json
import logging
import re
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from sim import ScenarioError, dumps_scenario, load_scenario, loads_scenario, simulate
from sim.dashboard.common import SCENARIO_WIDGET_PREFIXES, current_lang, get_path
from sim.dashboard.pages import BY_URL
from sim.experiments.compare import compare
from sim.i18n import fmt_number, has_key, t
from sim.scenario.errors import Problem
from sim.scenario.loader import MAX_FILE_BYTES, builtin_names
from sim.scenario.model import (
    Scenario,
    apply_overrides,
    scenario_from_dict,
    scenario_to_dict,
    scenarios_dir,
)
from sim.show import report
from sim.show.report import report_html

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from sim.core.result import Result
    from sim.experiments.compare import Comparison
    from sim.experiments.ensemble import Ensemble

_log = logging.getLogger(__name__)
T = TypeVar("T")

# session-state keys
CURRENT = "share.current"  # YAML text of the current scenario
PRESET = "share.preset"  # the shipped scenario it started from (file stem), None for an upload
SOURCE = "share.source"  # the name shown to the reader ("town.yaml", "mon-scenario.yaml")
LINK_DONE = "share.link_done"  # the URL's share link has been read in this session
FLASH = "share.flash"  # (kind, text) shown once by the next page run
PRESET_WIDGET = "share_preset"  # the shipped-scenario select box
UPLOAD_WIDGET = "share_upload"  # the file uploader
UPLOADED = "(upload)"  # the select box's entry for an uploaded scenario
#: prefixes of widget keys that mirror the current scenario (see common.SCENARIO_WIDGET_PREFIXES)
RESET_PREFIXES: tuple[str, ...] = SCENARIO_WIDGET_PREFIXES

DEFAULT_PRESET = "town"
#: the services a scenario on the Explorer and Compare pages can be of, the default first
SERVICES: tuple[str, ...] = ("water", "electricity")
#: the services other than water the safe loader lets through here (``loads_scenario``)
OTHER_SERVICES: tuple[str, ...] = ("electricity",)
#: the folder of scenarios/ holding each service's shipped scenarios ("": scenarios/ itself)
SERVICE_FOLDERS: dict[str, str] = {"water": "", "electricity": "electricity"}
SERVICE_WIDGET = "share_service"  # the service selector
MAX_UPLOAD_BYTES = MAX_FILE_BYTES  # the one limit of every door
MAX_HOUSEHOLDS = 200_000
MAX_HORIZON_YEARS = 60
MAX_SEED = 2**31 - 1  # the schema allows 2**63 - 1; a browser's number input cannot hold it
MAX_LINK_CHARS = 30_000  # an upload shared as changes to the base town can be long
MAX_STORED = 48  # runs, comparisons and figure sets kept by the process
#: the pages a share link can open (by URL path)
LINKED_PAGES: tuple[str, ...] = ("explorer", "comparer")


# ------------------------------------------------------------------------------------------
# shipped scenarios
# ------------------------------------------------------------------------------------------
def presets() -> tuple[str, ...]:
    """File stems of the shipped scenarios, the base town first."""
    # water scenarios only: a multi-service file (a `services:` block) is not one
    names = sorted(n.removesuffix(".yaml") for n in builtin_names() if not n.startswith("_"))
    return tuple(sorted(names, key=lambda n: (n != DEFAULT_PRESET, n)))


def service_presets(service: str) -> tuple[str, ...]:
    """Names of the shipped scenarios of ``service``, its base town first: the water ones as
    :func:`presets`, the others with their folder (``electricity/town``)."""
    folder = SERVICE_FOLDERS.get(service)
    if folder is None:
        return ()
    if not folder:
        return presets()
    names = sorted(p.stem for p in (scenarios_dir() / folder).glob("*.yaml") if not p.name.startswith("_"))
    return tuple(f"{folder}/{n}" for n in sorted(names, key=lambda n: (n != DEFAULT_PRESET, n)))


def all_presets() -> tuple[str, ...]:
    """The shipped scenarios of every service (what a share link's ``p`` may name)."""
    return tuple(name for service in SERVICES for name in service_presets(service))


def default_preset(service: str) -> str:
    """The base town of ``service`` (``town``, ``electricity/town``)."""
    folder = SERVICE_FOLDERS.get(service) or ""
    return f"{folder}/{DEFAULT_PRESET}" if folder else DEFAULT_PRESET


def regime_preset(service: str, regime: str) -> str:
    """The shipped scenario of ``regime`` for ``service`` (``regie``, ``electricity/regie``)."""
    folder = SERVICE_FOLDERS.get(service) or ""
    return f"{folder}/{regime}" if folder else regime


def service_of(s: Scenario) -> str:
    """The service a scenario simulates (``water`` or ``electricity``)."""
    return str(getattr(s, "service", "water"))


@functools.lru_cache(maxsize=32)
def load_preset(name: str) -> Scenario:
    """The shipped scenario ``scenarios/<name>.yaml`` (read once per process)."""
    if name not in all_presets():
        raise ScenarioError([Problem(f"{name}.yaml", "", "file_missing", {})])
    return load_scenario(scenarios_dir() / f"{name}.yaml")


def preset_label(name: str, lang: str) -> str:
    """``"Ville-sur-Eau, commune de base (town.yaml)"``; the file name for an unknown preset."""
    key = f"share.preset.{name.replace('/', '.')}"
    return t(key, lang, file=f"{name}.yaml") if has_key(key, lang) else f"{name}.yaml"


# ------------------------------------------------------------------------------------------
# checks shared by uploads, links and widgets
# ------------------------------------------------------------------------------------------
def check_limits(s: Scenario, origin: str, lang: str) -> None:
    """Raise a located :class:`ScenarioError` if ``s`` is too large for the dashboard."""
    problems = []
    for path, value, limit in (
        ("households.count", s.households.count, MAX_HOUSEHOLDS),
        ("horizon_years", s.horizon_years, MAX_HORIZON_YEARS),
        ("seed", s.seed, MAX_SEED),
    ):
        if value > limit:
            ctx = {"found": fmt_number(value, lang), "limit": fmt_number(limit, lang)}
            problems.append(Problem(origin, path, "less_than_equal", ctx))
    if problems:
        raise ScenarioError(problems)


def apply_changes(s: Scenario, changes: Mapping[str, Any], origin: str) -> Scenario:
    """``s`` with dotted-path changes, validated; a located :class:`ScenarioError` otherwise.

    Like :func:`sim.with_changes`, but text values are kept as text (``with_changes`` reads a
    string as YAML, so a town named « 2026 » would become a number) and errors name ``origin``.
    """
    literal = {
        k: json.dumps(v, ensure_ascii=False) if isinstance(v, str) else v for k, v in changes.items()
    }  # JSON is YAML: a quoted string reads back as itself
    data = apply_overrides(scenario_to_dict(s), literal, origin)
    return scenario_from_dict(data, origin)


def _generic(origin: str, path: str, detail: str) -> ScenarioError:
    return ScenarioError([Problem(origin, path, "generic", {"detail": detail})])


def scenario_from_upload(data: bytes, name: str, lang: str) -> Scenario:
    """Read an uploaded scenario file, within the dashboard's limits.

    Raises
    ------
    ScenarioError
        Located, for a file too large, not UTF-8 text, with YAML aliases, extending anything but
        a shipped scenario, invalid, or too large a model.
    """
    origin = Path(name or "upload.yaml").name or "upload.yaml"
    # the one safe loader (sim.scenario.loader): size, UTF-8, no alias, depth, duplicate keys,
    # finite numbers, and extends: only a built-in scenario, by name
    s = loads_scenario(bytes(data), origin=origin, other_services=OTHER_SERVICES)
    check_limits(s, origin, lang)
    return s


# ------------------------------------------------------------------------------------------
# share links
# ------------------------------------------------------------------------------------------
def _diff(base: Any, new: Any, path: str, out: dict[str, Any]) -> None:
    if base == new:
        return
    if isinstance(base, dict) and isinstance(new, dict) and set(base) == set(new):
        for k in new:
            _diff(base[k], new[k], f"{path}.{k}" if path else str(k), out)
        return
    if (
        isinstance(base, list)
        and isinstance(new, list)
        and len(base) == len(new)
        and all(isinstance(x, dict) for x in base + new)
    ):
        for i, (b, n) in enumerate(zip(base, new, strict=True)):
            _diff(b, n, f"{path}[{i}]", out)
        return
    out[path] = new  # a changed leaf, or a block whose shape changed: sent whole


def link_changes(s: Scenario, base: Scenario) -> dict[str, Any]:
    """The dotted-path changes that turn ``base`` into ``s`` (``apply_changes`` inverts it)."""
    out: dict[str, Any] = {}
    _diff(scenario_to_dict(base), scenario_to_dict(s), "", out)
    return out


def encode_changes(changes: Mapping[str, Any]) -> str:
    """URL-safe base64 (no padding) of the compact JSON of ``changes``; ``""`` if none."""
    if not changes:
        return ""
    raw = json.dumps(dict(changes), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("duplicate key")
    return out


def decode_changes(text: str, origin: str, lang: str) -> dict[str, Any]:
    """The changes encoded by :func:`encode_changes`; a located error if they cannot be read."""
    if not text:
        return {}
    try:
        if len(text) > MAX_LINK_CHARS:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise _generic(origin, "c", t("share.link.unreadable", lang)) from None
    if not isinstance(data, dict):
        raise _generic(origin, "c", t("share.link.unreadable", lang))
    return data


def link_params(
    s: Scenario, preset: str | None, page: str, extra: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """Query parameters of the link to ``s`` on ``page`` (the language is added by the app);
    ``extra`` adds the page's own, a None value leaving one out."""
    service = service_of(s)
    p = preset if preset in service_presets(service) else default_preset(service)
    params = {"p": p}
    c = encode_changes(link_changes(s, load_preset(p)))
    if c:
        params["c"] = c
    params["page"] = page
    params.update({k: v for k, v in (extra or {}).items() if v is not None})
    return params


def scenario_from_link(params: Mapping[str, str], lang: str) -> Scenario:
    """The scenario a share link names; a located :class:`ScenarioError` if it cannot be used."""
    origin = t("share.link.origin", lang)
    p = params.get("p", "")
    if p not in all_presets():
        names = ", ".join(all_presets())
        raise _generic(origin, "p", t("share.link.unknown_preset", lang, found=p, names=names))
    s = apply_changes(load_preset(p), decode_changes(params.get("c", ""), origin, lang), origin)
    check_limits(s, origin, lang)
    return s


def share_url(params: Mapping[str, str], lang: str) -> str:
    """The full address of the link (relative when the browser's address is unknown)."""
    query = urlencode({**params, "lang": lang})
    base = st.context.url
    if not base:
        return f"?{query}"
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


# ------------------------------------------------------------------------------------------
# the current scenario, in the session
# ------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _parse(text: str) -> Scenario:
    return loads_scenario(text, origin="<session>", other_services=OTHER_SERVICES)


def session_values(s: Scenario, preset: str | None, source: str) -> dict[str, Any]:
    """The session-state entries that make ``s`` the current scenario (tests set these)."""
    return {CURRENT: dumps_scenario(s), PRESET: preset, SOURCE: source}


def current() -> Scenario:
    """The current scenario (the base town until something else was chosen)."""
    if CURRENT not in st.session_state:
        set_current(load_preset(DEFAULT_PRESET), DEFAULT_PRESET, f"{DEFAULT_PRESET}.yaml")
    return _parse(st.session_state[CURRENT])


def current_service() -> str:
    """The service of the current scenario (``water`` when none was chosen yet)."""
    if CURRENT not in st.session_state:
        return SERVICES[0]
    return service_of(current())


def water_only_note(lang: str) -> None:
    """On a page that simulates water only: say so, in the page's language, when the scenario
    chosen on the Explorer is of another service (the page does not use it)."""
    if current_service() != "water":
        st.info(t("page.water_only", lang), icon=":material/water_drop:")


def current_preset() -> str | None:
    return st.session_state.get(PRESET)


def current_source() -> str:
    return str(st.session_state.get(SOURCE) or f"{DEFAULT_PRESET}.yaml")


def current_caption(s: Scenario, lang: str) -> str:
    """« Scénario en cours : town.yaml — Ville-sur-Eau » (names escaped for markdown)."""
    return t(
        "explorer.current",
        lang,
        source=md_escape(current_source()),
        town=md_escape(s.town.name),
    )


def set_current(s: Scenario, preset: str | None, source: str, *, reset: bool = True) -> None:
    """Make ``s`` the current scenario.

    ``reset`` drops the widget states that mirror the scenario (:data:`RESET_PREFIXES`), so they
    are drawn again from it; the Explorer's own widgets pass False.
    """
    ss = st.session_state
    ss.update(session_values(s, preset, source))
    shown = preset or UPLOADED
    if ss.get(PRESET_WIDGET) != shown:  # the Explorer's own changes keep the preset
        ss[PRESET_WIDGET] = shown
    if reset:
        # the widgets that mirror the scenario take its values: deleting their state is not
        # enough, a browser keeps showing (and sends back) what it last showed (issue 11)
        for key in [k for k in ss if isinstance(k, str) and k.startswith(RESET_PREFIXES)]:
            prefix = next(p for p in RESET_PREFIXES if key.startswith(p))
            old = ss[key]
            try:
                value = get_path(s, key[len(prefix) :])
            except (KeyError, IndexError, AttributeError, TypeError, ValueError):
                del ss[key]
                continue
            if isinstance(old, float) and isinstance(value, int | float):
                value = float(value)
            ss[key] = value


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~$:=-])")


def md_escape(text: str) -> str:
    """``text`` shown as itself in Streamlit markdown (a file or town name, a value from a
    file or a link): no link, image, emphasis or colour directive can come through."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def error_text(header: str, exc: ScenarioError, lang: str) -> str:
    """Markdown for a located error: ``header``, then one bullet per problem, escaped."""
    lines = []
    for line in exc.format(lang).splitlines():
        bullet = line.startswith("  - ")
        lines.append(("- " if bullet else "") + md_escape(line[4:] if bullet else line))
    return header + "\n\n" + "\n".join(lines)


def flash(kind: str, text: str) -> None:
    """Keep a message (``"error"``, ``"success"``…) for the next page run to show once."""
    st.session_state[FLASH] = [(kind, text)]


def say_once(kind: str, text: str) -> None:
    """Show a message this run only (a link's refused value…)."""
    getattr(st, kind)(text)


def show_flash() -> None:
    for kind, text in st.session_state.pop(FLASH, None) or []:
        say_once(kind, text)


def init(lang: str) -> str | None:
    """Set up the session's current scenario; on its first run, restore the URL's share link.

    Returns the page the link asked for (``"explorer"``, ``"comparer"``) on the first run, else
    None. A link that cannot be used leaves the scenario as it was and says why.
    """
    ss = st.session_state
    current()
    if ss.get(LINK_DONE):
        return None
    ss[LINK_DONE] = True
    params = {k: st.query_params.get(k, "") for k in ("p", "c", "page")}
    if not params["p"]:
        return None
    try:
        s = scenario_from_link(params, lang)
    except ScenarioError as exc:
        flash("error", error_text(t("share.link.error", lang), exc, lang))
        return None
    set_current(s, params["p"], t("share.link.source", lang, file=f"{params['p']}.yaml"))
    return params["page"] or None


def follow_link(page: str, this_page: str) -> None:
    """Go to ``page`` (a page name of a share link) if it is not ``this_page``."""
    if page in LINKED_PAGES and page != this_page:
        st.switch_page(BY_URL[page].path, query_params=st.query_params.to_dict())


def sync_url(page: str, extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """Make the address bar the share link of the current view; return its parameters.

    Only the keys of the link and of ``extra`` are touched (a None value removes its key)."""
    params = link_params(current(), current_preset(), page)
    _set_query(params, ("p", "c", "page"))
    return sync_extra(params, extra or {})


def sync_extra(params: Mapping[str, str], extra: Mapping[str, str | None]) -> dict[str, str]:
    """Add a page's own parameters (known later in the page, e.g. the number of futures) to
    the link :func:`sync_url` made, in the address bar too; a None value removes its key."""
    merged = dict(params)
    for key, value in extra.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    _set_query(merged, tuple(extra))
    return merged


def _set_query(params: Mapping[str, str], keys: Sequence[str]) -> None:
    qp = st.query_params
    for key in keys:
        want = params.get(key)
        if want is None:
            if key in qp:
                del qp[key]
        elif qp.get(key) != want:
            qp[key] = want


# ------------------------------------------------------------------------------------------
# widgets: choose, upload, download, share
# ------------------------------------------------------------------------------------------
def _on_preset() -> None:
    name = st.session_state.get(PRESET_WIDGET)
    if name and name in all_presets() and name != current_preset():
        set_current(load_preset(name), name, f"{name}.yaml")


def _on_upload() -> None:

    lang = current_lang()
    up = st.session_state.get(UPLOAD_WIDGET)
    if up is None:
        return
    try:
        s = scenario_from_upload(up.getvalue(), up.name, lang)
    except ScenarioError as exc:
        flash("error", error_text(t("share.upload.error", lang), exc, lang))
        return
    set_current(s, None, Path(up.name).name)
    flash("success", t("share.upload.done", lang, name=md_escape(Path(up.name).name)))


def _on_service() -> None:
    service = st.session_state.get(SERVICE_WIDGET)
    if service in SERVICES and service != current_service():
        name = default_preset(service)
        set_current(load_preset(name), name, f"{name}.yaml")


def service_select(lang: str) -> str:
    """The « Eau / Électricité » selector: choosing a service loads its base town. Returns the
    service of the current scenario."""
    service = current_service()
    st.session_state[SERVICE_WIDGET] = service  # an upload or a link may have changed it
    st.segmented_control(
        t("service.label", lang),
        options=list(SERVICES),
        format_func=lambda v: t(f"service.{v}", lang),
        key=SERVICE_WIDGET,
        on_change=_on_service,
        required=True,
        help=t("service.help", lang),
    )
    return current_service()


def preset_select(lang: str) -> None:
    """The shipped-scenario select box of the current service (an uploaded scenario shows as
    its own entry)."""
    options = list(service_presets(current_service()))
    if current_preset() is None:
        options.insert(0, UPLOADED)
    if st.session_state.get(PRESET_WIDGET) not in options:
        st.session_state[PRESET_WIDGET] = current_preset() or UPLOADED
    # labels fixed when drawn: a format function reading the session later could name another file
    labels = {
        n: t("share.preset.uploaded", lang, name=current_source()) if n == UPLOADED else preset_label(n, lang)
        for n in options
    }
    st.selectbox(
        t("share.preset.label", lang),
        options,
        format_func=labels.__getitem__,
        key=PRESET_WIDGET,
        on_change=_on_preset,
        help=t("share.preset.help", lang),
    )


def upload_widget(lang: str) -> None:
    """The scenario uploader; its outcome is shown by :func:`show_flash`."""
    st.file_uploader(
        t("share.upload.label", lang),
        type=["yaml", "yml"],
        key=UPLOAD_WIDGET,
        on_change=_on_upload,
        max_upload_size=1,  # MB; the 200 kB limit is checked with a message
        help=t("share.upload.help", lang, max=fmt_number(MAX_UPLOAD_BYTES // 1000, lang)),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", Path(text).stem).strip("-") or "scenario"


def source_slug() -> str:
    """The current scenario's name, fit for a file name."""
    return _slug(current_source())


def yaml_button(s: Scenario, lang: str, *, key: str) -> None:
    """Download the scenario as YAML (it loads back as the same scenario)."""
    st.download_button(
        t("share.download.yaml", lang),
        data=dumps_scenario(s),
        file_name=f"{_slug(current_source())}.yaml",
        mime="application/x-yaml",
        icon=":material/description:",
        on_click="ignore",
        key=key,
    )


def zipped_folder(folder: str, write: Callable[[Path], object]) -> bytes:
    """A zip of the folder ``folder`` that ``write(path)`` fills in a temporary directory; every
    file sits under ``folder/`` in the zip."""
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="regie-sim-") as tmp:
        root = Path(tmp) / folder
        root.mkdir(parents=True)
        write(root)
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(root.rglob("*")):
                if f.is_file():
                    zf.write(f, f"{folder}/{f.relative_to(root).as_posix()}")
    return buf.getvalue()


def results_zip(result: Result, folder: str = "regie-sim-run") -> bytes:
    """The run folder written by ``Result.to_dir`` (CSV tables, summary, scenario), zipped."""
    return zipped_folder(folder, result.to_dir)


def results_buttons(result: Result, lang: str, *, key: str, ensemble: Ensemble | None = None) -> None:
    """Download the results as a zip of CSV files, and the printable HTML report (with the
    simulated futures' odds and fan charts when ``ensemble`` is given).

    Both files are made only when their button is pressed.
    """

    name = f"{_slug(current_source())}-seed{result.seed}"
    source = current_source()
    left, right = st.columns(2)
    with left:
        st.download_button(
            t("share.download.csv", lang),
            data=lambda: results_zip(result, f"regie-sim-{name}"),
            file_name=f"regie-sim-{name}.zip",
            mime="application/zip",
            icon=":material/folder_zip:",
            on_click="ignore",
            key=f"{key}_csv",
        )
    with right:
        st.download_button(
            t("share.download.report", lang),
            data=lambda: report_html(result, lang, name=source, ensemble=ensemble).encode("utf-8"),
            file_name=f"{t('share.report.file', lang)}-{name}.html",
            mime="text/html",
            icon=":material/print:",
            on_click="ignore",
            key=f"{key}_report",
        )


def link_box(params: Mapping[str, str], lang: str) -> None:
    """The share link, with a copy button."""
    st.markdown(f"**{t('share.link.label', lang)}**")
    st.code(share_url(params, lang), language=None, wrap_lines=True)
    st.caption(t("share.link.help", lang))


# ------------------------------------------------------------------------------------------
# runs with a progress bar, kept per process
# ------------------------------------------------------------------------------------------
class RunStore:
    """A small thread-safe LRU map of finished runs (shared by every session of the process)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


@st.cache_resource(show_spinner=False)
def store() -> RunStore:
    """The process-wide store of runs."""
    return RunStore(MAX_STORED)


def run_key(s: Scenario, seed: int | None = None) -> str:
    """The store key of a run: a hash of the scenario's YAML text, and the seed."""
    digest = hashlib.sha256(dumps_scenario(s).encode("utf-8")).hexdigest()
    return f"run:{digest}:{int(s.seed if seed is None else seed)}"


@dataclass(frozen=True)
class Run:
    key: str
    result: Result


def _with_progress(key: Hashable, compute: Callable[[Callable[[float], None]], T], lang: str) -> T:
    hit = store().get(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    text = t("run.spinner", lang)
    bar = st.progress(0.0, text=text)
    shown = [0.0]

    def progress(fraction: float) -> None:
        f = min(max(float(fraction), 0.0), 1.0)
        if f - shown[0] >= 0.02 or (f >= 1.0 > shown[0]):  # a few dozen updates, not hundreds
            shown[0] = f
            bar.progress(f, text=f"{text} {round(100 * f)} %")

    try:
        value = compute(progress)
    finally:
        bar.empty()
    store().put(key, value)
    return value


def run_kept(key: Hashable, compute: Callable[[Callable[[float], None]], T], lang: str) -> T:
    """``compute(progress)`` with a progress bar, kept under ``key`` like runs and comparisons
    (the multi-service comparison of the Compare page uses it)."""
    return _with_progress(key, compute, lang)


def run_scenario(s: Scenario, lang: str) -> Run | None:
    """Run ``s`` on its own seed with a progress bar; kept, so unchanged inputs are instant.

    Returns None, with a message on the page, if the run fails.
    """

    key = run_key(s)
    try:
        result = _with_progress(key, lambda cb: simulate(s, seed=s.seed, progress=cb), lang)
    except Exception as exc:  # the page stays usable; the log keeps the traceback
        _log.exception("run failed")
        st.error(t("share.run.failed", lang, detail=str(exc)))
        return None
    return Run(key, result)


def comparison_key(scenarios: Mapping[str, Scenario], seed: int) -> Hashable:
    """The store key of a comparison: its scenarios' run keys, by name."""
    return ("compare", tuple((name, run_key(s, seed)) for name, s in scenarios.items()))


def run_comparison(scenarios: Mapping[str, Scenario], seed: int, lang: str) -> Comparison | None:
    """``sim.experiments.compare.compare`` with a progress bar; kept like single runs."""

    key = comparison_key(scenarios, seed)
    try:
        return _with_progress(key, lambda cb: compare(scenarios, seed=seed, progress=cb), lang)
    except Exception as exc:
        _log.exception("comparison failed")
        st.error(t("share.run.failed", lang, detail=str(exc)))
        return None


def memo(key: Hashable, build: Callable[[], T]) -> T:
    """``build()``, kept in the store under ``key`` (figures of a run, in one language)."""
    value = store().get(key)
    if value is None:
        value = build()
        store().put(key, value)
    return value  # type: ignore[no-any-return]


def figures(run: Run, lang: str) -> dict[str, go.Figure]:
    """The charts of :func:`sim.show.report.figures` for ``run`` in ``lang``, built once."""
    return memo(("figures", run.key, lang), lambda: report.figures(run.result, lang))
