"""The workshop's debrief: what the room decided, and what it changed.

The room's run replays the session's decision log over the whole horizon; the baseline is the
same scenario and seed without the log (the committee's procedure decides). Both runs share their
random numbers (weather, breaks, demand), so every difference comes from the decisions.

Outputs: a :class:`Debrief` (tables), a self-contained printable HTML page (every name and comment
escaped with :func:`html.escape`; figures are plotly with plotly.js inlined once, and every figure
has a table beside it for print), and a ZIP of CSV files with the scenario that reproduces the run
(``regie-sim run scenario.yaml``).
"""

from __future__ import annotations

import io
import math
import textwrap
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any, Protocol

import pandas as pd
import plotly.graph_objects as go

from sim.core.result import Result
from sim.scenario.model import dumps_scenario
from sim.show.report import service_of
from sim.workshop.store import COLLEGES, Store
from sim.workshop.strings import item_label, t, ts, variant_summary

#: yearly indicators compared (Result.years columns)
INDICATORS: tuple[str, ...] = (
    "price_120m3_eur_per_m3",
    "share_households_above_3pct",
    "reserves_eur",
)
#: an electricity session's: the reference bill (6 kVA, 4,400 kWh, TTC), energy poverty (ONPE),
#: SAIDI (all events), compensation paid for cuts over 5 hours, reserves
ELECTRICITY_INDICATORS: tuple[str, ...] = (
    "bill_ref_eur",
    "energy_poverty_pct",
    "saidi_min",
    "compensation_eur",
    "reserves_eur",
)
INDICATORS_BY_SERVICE: dict[str, tuple[str, ...]] = {
    "water": INDICATORS,
    "electricity": ELECTRICITY_INDICATORS,
}
#: decimals of each indicator in the printable tables
DIGITS: dict[str, int] = {
    "price_120m3_eur_per_m3": 2,
    "share_households_above_3pct": 1,
    "reserves_eur": 0,
    "bill_ref_eur": 0,
    "energy_poverty_pct": 1,
    "saidi_min": 0,
    "compensation_eur": 0,
}
ROOM_COLOUR, BASE_COLOUR = "#0072B2", "#E69F00"  # Okabe-Ito blue and orange
GAIN_COLOUR, LOSS_COLOUR = "#009E73", "#D55E00"
#: a decile "pays the same" within this many euros a year
SAME_BILL_EUR = 0.5


@dataclass
class Debrief:
    """Everything the debrief shows, as plain data."""

    session: dict[str, Any]
    decisions: list[dict[str, Any]]
    log: list[dict[str, Any]]
    outcomes: pd.DataFrame  # year, run (room|baseline), one column per INDICATORS
    deciles: pd.DataFrame  # year, decile, mean_bill_room_eur, mean_bill_baseline_eur, difference_eur
    comments: list[dict[str, Any]] = field(default_factory=list)
    variants: list[dict[str, Any]] = field(default_factory=list)
    scenario_yaml: str = ""
    service: str = "water"
    indicators: tuple[str, ...] = INDICATORS  # the columns of ``outcomes``, in order

    @property
    def gained(self) -> list[int]:
        """Deciles whose mean bill is lower with the room's decisions (last year)."""
        return [int(r.decile) for r in self.deciles.itertuples() if r.difference_eur < -SAME_BILL_EUR]

    @property
    def lost(self) -> list[int]:
        """Deciles whose mean bill is higher with the room's decisions (last year)."""
        return [int(r.decile) for r in self.deciles.itertuples() if r.difference_eur > SAME_BILL_EUR]


class Room(Protocol):
    """What the debrief reads of a workshop (:class:`sim.workshop.session.Workshop`)."""

    store: Store

    def log(self, code: str) -> list[dict[str, Any]]: ...

    def run(
        self,
        code: str,
        *,
        with_log: bool = True,
        stop_at: int | None = None,
        log: list[dict[str, Any]] | None = None,
        variants: list[dict[str, Any]] | None = None,
    ) -> Result: ...


def build_debrief(ws: Room, code: str) -> Debrief:
    s = ws.store.session(code)
    log = ws.log(code)
    room = ws.run(code)
    base = ws.run(code, with_log=False)
    service = service_of(room)
    indicators = INDICATORS_BY_SERVICE.get(service, INDICATORS)
    frames = []
    for name, res in (("room", room), ("baseline", base)):
        df = res.years[["year", *indicators]].copy()
        df.insert(1, "run", name)
        frames.append(df)
    outcomes = pd.concat(frames, ignore_index=True)
    last = int(room.deciles["year"].max())
    r = room.deciles[room.deciles["year"] == last].set_index("decile")["mean_bill_eur"]
    b = base.deciles[base.deciles["year"] == last].set_index("decile")["mean_bill_eur"]
    deciles = pd.DataFrame(
        {
            "year": last,
            "decile": r.index.astype(int),
            "mean_bill_room_eur": r.to_numpy(),
            "mean_bill_baseline_eur": b.reindex(r.index).to_numpy(),
        }
    )
    deciles["difference_eur"] = deciles["mean_bill_room_eur"] - deciles["mean_bill_baseline_eur"]
    scen = room.scenario
    info = {
        "code": s["code"],
        "regime": s["regime"],
        "rounds": s["rounds"],
        "state": s["state"],
        "current_round": s["current_round"],
        "town": scen.town.name,
        "start_year": scen.town.start_year,
        "households": scen.households.count,
        "seed": scen.seed,
        "participants": len(ws.store.participants(code)),
        "service": service,
    }
    return Debrief(
        session=info,
        decisions=ws.store.decisions(code),
        log=log,
        outcomes=outcomes,
        deciles=deciles.reset_index(drop=True),
        comments=ws.store.comments(code),
        variants=ws.store.variants(code),
        scenario_yaml=dumps_scenario(scen),
        service=service,
        indicators=indicators,
    )


# ---------------------------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------------------------
def fmt(x: Any, lang: str, digits: int = 0) -> str:
    """A number in the language's convention (``1 234,5`` in French, ``1,234.5`` in English)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    s = f"{float(x):,.{digits}f}"
    if lang == "fr":
        s = s.replace(",", "\u202f").replace(".", ",")
    return s.replace("-", "\u2212")


def label(d: dict[str, Any], lang: str) -> str:
    return str(d.get("label_en" if lang == "en" else "label_fr") or d.get("option", ""))


def reason_text(d: dict[str, Any], lang: str) -> str:
    text = t(f"reason_{d['reason']}", lang)
    if not d.get("binding", True):
        text = f"{t('reason_consultative', lang)} — {text}"
    return text


def who_gained_text(d: Debrief, lang: str) -> tuple[str, str]:
    """Two sentences: the deciles that pay less, and those that pay more, with the room's log."""
    out = []
    for key, deciles in (("gained", d.gained), ("lost", d.lost)):
        if deciles:
            out.append(t(key, lang, deciles=", ".join(str(x) for x in deciles)))
        else:
            out.append(t(f"{key}_none", lang))
    return out[0], out[1]


#: a college's count is shown only when at least this many of its members voted on the item, so
#: no one's vote can be read off the results
MIN_VOTERS_SHOWN = 3


def shown_votes(d: dict[str, Any]) -> list[int | None]:
    """Votes for the option taken, per college, ``None`` where fewer than 3 voted (or unknown)."""
    counts = (d.get("tally") or {}).get("counts") or {}
    out: list[int | None] = []
    for c in COLLEGES:
        v = d.get(f"votes_{c}")
        voters = sum(int(per.get(c, 0) or 0) for per in counts.values())
        out.append(None if v is None or voters < MIN_VOTERS_SHOWN else int(v))
    return out


def _votes(d: dict[str, Any]) -> str:
    return " / ".join("—" if v is None else str(v) for v in shown_votes(d))


# ---------------------------------------------------------------------------------------------
# figures (plotly; no user text is ever put in a figure)
# ---------------------------------------------------------------------------------------------
#: a chart title's longest line: a debrief chart is 291 px wide on a 1366 px laptop (three a row)
#: and 358 px on a 390 px phone, where a one-line title of 40 characters or more was cut off
TITLE_CHARS = 36


def _title(text: str) -> tuple[str, int]:
    """A chart title on lines of at most TITLE_CHARS characters (catalogue text only: the figures
    never hold user text) and the top margin that leaves room for them."""
    lines = textwrap.wrap(text, TITLE_CHARS, break_long_words=False, break_on_hyphens=False) or [""]
    return "<br>".join(lines), 22 + 20 * len(lines)


def outcome_figure(outcomes: pd.DataFrame, indicator: str, lang: str, service: str = "water") -> go.Figure:
    fig = go.Figure()
    for run, colour, dash in (("room", ROOM_COLOUR, "solid"), ("baseline", BASE_COLOUR, "dash")):
        df = outcomes[outcomes["run"] == run]
        fig.add_trace(
            go.Scatter(
                x=df["year"],
                y=df[indicator],
                name=t(f"run_{run}", lang),
                mode="lines+markers",
                line={"color": colour, "dash": dash},
                meta=indicator,
            )
        )
    title, top = _title(ts(f"ind_{indicator}", lang, service))
    fig.update_layout(
        title=title,
        height=280 + top,
        margin={"l": 50, "r": 10, "t": top, "b": 40},
        template="plotly_white",
        separators=",\u202f" if lang == "fr" else ".,",
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_xaxes(title=t("col_year", lang), dtick=1)
    return fig


def deciles_figure(deciles: pd.DataFrame, lang: str) -> go.Figure:
    colours = [LOSS_COLOUR if v > 0 else GAIN_COLOUR for v in deciles["difference_eur"]]
    fig = go.Figure(
        go.Bar(
            x=deciles["decile"],
            y=deciles["difference_eur"],
            marker_color=colours,
            meta="difference_eur",
        )
    )
    title, top = _title(t("fig_deciles", lang))
    fig.update_layout(
        title=title,
        height=280 + top,
        template="plotly_white",
        margin={"l": 50, "r": 10, "t": top, "b": 40},
        separators=",\u202f" if lang == "fr" else ".,",
    )
    fig.update_xaxes(title=t("col_decile", lang), dtick=1)
    fig.update_yaxes(title=t("col_difference", lang))
    return fig


def _fig_html(fig: go.Figure, div_id: str, first: bool) -> str:
    return fig.to_html(
        full_html=False,
        include_plotlyjs=first,
        div_id=div_id,
        config={"displayModeBar": False, "responsive": True},
    )


# ---------------------------------------------------------------------------------------------
# the printable page
# ---------------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:60rem;color:#1a1a1a;line-height:1.4;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}
h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #0072B2}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#eef4fa}td.num{text-align:right;white-space:nowrap}
.muted{color:#555}.gain{color:#006b4f}.loss{color:#a13f00}.note{background:#fff7e0;padding:.5rem}
.fig{page-break-inside:avoid}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}tr{page-break-inside:avoid}
}
"""


def render_html(d: Debrief, lang: str = "fr") -> str:
    """The debrief as one self-contained HTML page (works offline, prints on A4)."""
    lang = "en" if lang == "en" else "fr"
    s = d.session
    svc = d.service
    e = escape
    parts: list[str] = [
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(t('debrief_title', lang))} — {e(s['code'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(t('debrief_title', lang))}</h1>",
        "<p class='muted'>"
        + e(
            t(
                "debrief_subtitle",
                lang,
                code=s["code"],
                town=s["town"],
                regime=t(f"regime_{s['regime']}", lang),
                rounds=s["rounds"],
                participants=s["participants"],
                households=s["households"],
                seed=s["seed"],
            )
        )
        + "</p>",
    ]
    if s["regime"] != "commons":
        parts.append(f"<p class='note'>{e(ts('note_consultative', lang, svc))}</p>")

    # decisions
    parts.append(f"<h2>{e(t('sec_decisions', lang))}</h2>")
    parts.append(f"<p class='muted'>{e(t('votes_legend', lang))}</p>")
    if d.decisions:
        head = [
            "col_round",
            "col_year",
            "col_item",
            "col_option",
            "col_votes",
            "col_veto",
            "col_reason",
        ]
        parts.append("<table><tr>" + "".join(f"<th>{e(t(h, lang))}</th>" for h in head) + "</tr>")
        for r in d.decisions:
            parts.append(
                "<tr>" + f"<td class='num'>{r['round']}</td><td class='num'>{r['year']}</td>"
                f"<td>{e(item_label(r['item'], lang, svc))}</td><td>{e(label(r, lang))}</td>"
                f"<td class='num'>{e(_votes(r))}</td>"
                f"<td>{e(t('yes' if r['veto'] else 'no', lang))}</td>"
                f"<td>{e(reason_text(r, lang))}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append(f"<p>{e(t('no_decisions', lang))}</p>")

    # outcomes
    parts.append(f"<h2>{e(t('sec_outcomes', lang))}</h2>")
    parts.append(f"<p class='muted'>{e(ts('outcomes_intro', lang, svc))}</p>")
    room = d.outcomes[d.outcomes["run"] == "room"].set_index("year")
    base = d.outcomes[d.outcomes["run"] == "baseline"].set_index("year")
    digits = DIGITS
    for k, ind in enumerate(d.indicators):
        fig = _fig_html(outcome_figure(d.outcomes, ind, lang, svc), f"fig-{ind}", k == 0)
        parts.append(f"<div class='fig'>{fig}</div>")
    head = [t("col_year", lang)] + [
        f"{ts('ind_' + ind, lang, svc)} — {t('run_' + r, lang)}"
        for ind in d.indicators
        for r in ("room", "baseline")
    ]
    parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>")
    for year in room.index:
        cells = [f"<td class='num'>{int(year)}</td>"]
        for ind in d.indicators:
            for tab in (room, base):
                cells.append(f"<td class='num'>{e(fmt(tab.at[year, ind], lang, digits.get(ind, 0)))}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")

    # deciles
    parts.append(f"<h2>{e(t('sec_deciles', lang, year=int(d.deciles['year'].iloc[0])))}</h2>")
    gained, lost = who_gained_text(d, lang)
    parts.append(f"<p><span class='gain'>{e(gained)}</span><br><span class='loss'>{e(lost)}</span></p>")
    parts.append(f"<div class='fig'>{_fig_html(deciles_figure(d.deciles, lang), 'fig-deciles', False)}</div>")
    head = ["col_decile", "col_bill_room", "col_bill_baseline", "col_difference"]
    parts.append("<table><tr>" + "".join(f"<th>{e(t(h, lang))}</th>" for h in head) + "</tr>")
    for r in d.deciles.itertuples():
        cls = (
            "loss"
            if r.difference_eur > SAME_BILL_EUR
            else "gain"
            if r.difference_eur < -SAME_BILL_EUR
            else ""
        )
        parts.append(
            f"<tr><td class='num'>{int(r.decile)}</td>"
            f"<td class='num'>{e(fmt(r.mean_bill_room_eur, lang))}</td>"
            f"<td class='num'>{e(fmt(r.mean_bill_baseline_eur, lang))}</td>"
            f"<td class='num {cls}'>{e(fmt(r.difference_eur, lang))}</td></tr>"
        )
    parts.append("</table>")

    # the cahier
    parts.append(f"<h2>{e(t('sec_cahier', lang))}</h2>")
    if not d.comments and not d.variants:
        parts.append(f"<p>{e(t('cahier_empty', lang))}</p>")
    if d.variants:
        parts.append(f"<h3>{e(t('variants', lang))}</h3><ul>")
        for v in d.variants:
            parts.append(
                f"<li><b>{e(v['name'])}</b> ({e(t('college_' + v['college'], lang))}, "
                f"{e(t('round_n', lang, n=v['round']))}, {e(item_label(v['item'], lang, svc))})"
                f"{e(t('sep', lang))}"
                f"{e(variant_summary(v['tariff'], lang) if v.get('tariff') else v['text'])}</li>"
            )
        parts.append("</ul>")
    if d.comments:
        parts.append(f"<h3>{e(t('comments', lang))}</h3><ul>")
        for c in d.comments:
            parts.append(
                f"<li><b>{e(c['name'])}</b> ({e(t('college_' + c['college'], lang))}, "
                f"{e(t('round_n', lang, n=c['round']))}){e(t('sep', lang))}{e(c['text'])}</li>"
            )
        parts.append("</ul>")

    parts.append(f"<h2>{e(t('sec_reproduce', lang))}</h2><p>{e(t('reproduce', lang))}</p>")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<p class='muted'>{e(t('printed', lang, when=stamp))}</p></body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# the archive
# ---------------------------------------------------------------------------------------------
def safe_cell(v: Any) -> Any:
    """Defuse spreadsheet formulas in text people typed (=, +, -, @ at the start of a cell)."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


#: the columns of a decision in the debrief's tables (the export adds when it was decided)
DECISION_COLUMNS: tuple[str, ...] = (
    "round",
    "year",
    "item",
    "option",
    "label_fr",
    "label_en",
    "votes_public",
    "votes_operators",
    "votes_citizens",
    "veto",
    "adopted",
    "binding",
    "reason",
)


def decisions_table(d: Debrief) -> pd.DataFrame:
    cols = list(DECISION_COLUMNS)
    rows = []
    for r in d.decisions:
        row = {k: r[k] for k in cols}
        for c, v in zip(COLLEGES, shown_votes(r), strict=True):
            row[f"votes_{c}"] = v  # fewer than 3 voters in a college: left empty
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def cahier_table(d: Debrief) -> pd.DataFrame:
    cols = ["kind", "round", "item", "name", "college", "text", "created"]
    rows = [{"kind": "variant", **v} for v in d.variants]
    rows += [{"kind": "comment", "item": "", **c} for c in d.comments]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("name", "text"):
        df[c] = df[c].map(safe_cell)
    return df


def csv_zip(d: Debrief) -> bytes:
    """decisions.csv, comments.csv, outcomes.csv, deciles.csv and the replayable scenario.yaml."""
    files = {
        "decisions.csv": decisions_table(d).to_csv(index=False),
        "comments.csv": cahier_table(d).to_csv(index=False),
        "outcomes.csv": d.outcomes.to_csv(index=False),
        "deciles.csv": d.deciles.to_csv(index=False),
        "scenario.yaml": d.scenario_yaml,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    return buf.getvalue()
