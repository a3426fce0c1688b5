"""Hand a workshop's material over: everything the store holds about one session, as files.

``regie-sim workshop export CODE`` writes them (a ZIP, or a folder), so the facilitator can give
the room's words to the group that asked for the workshop, then delete the session from the server
(``regie-sim workshop purge``). The files:

- ``session.json``: code, regime, rounds, state, dates, seats, and every table below as JSON;
- ``participants.csv``, ``votes.csv``, ``comments.csv``, ``variants.csv``, ``decisions.csv``;
- ``scenario.yaml``: the session's scenario (``regie-sim run scenario.yaml`` runs it again);
- ``cahier.txt``: the same material as plain text to read or print, in the chosen language.

Names and texts people typed go into CSV cells defused against spreadsheet formulas, as in the
debrief's archive. Tokens are never stored, so never exported.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim._version import __version__
from sim.scenario.loader import read_mapping
from sim.workshop.debrief import DECISION_COLUMNS, label, reason_text, safe_cell, shown_votes
from sim.workshop.store import COLLEGES, Store
from sim.workshop.strings import item_label, t, variant_summary

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "participants": ("id", "name", "college", "joined"),
    "votes": ("round", "item", "option", "participant_id", "name", "college", "updated"),
    "comments": ("round", "participant_id", "name", "college", "text", "created"),
    "variants": ("round", "item", "participant_id", "name", "college", "text", "tariff", "created"),
    "decisions": (*DECISION_COLUMNS, "decided"),
}


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        cells = []
        for c in columns:
            v = r.get(c)
            if isinstance(v, dict | list):
                v = json.dumps(v, sort_keys=True, ensure_ascii=False)
            cells.append("" if v is None else safe_cell(v))
        w.writerow(cells)
    return buf.getvalue()


def _variant_text(v: Mapping[str, Any], lang: str) -> str:
    """A tariff variant summarised in ``lang``; its stored text when it cannot be (never fails)."""
    if v.get("tariff"):
        try:
            return variant_summary(v["tariff"], lang)
        except (KeyError, TypeError, ValueError):
            pass
    return str(v["text"])


def service_of_yaml(scenario_yaml: str) -> str:
    """The service a session's stored scenario names (``water`` when it names none)."""
    try:
        value = read_mapping(scenario_yaml, "<session>").get("service", "water")
    except ValueError:  # the store only holds validated scenarios; never fail an export for it
        return "water"
    return value if isinstance(value, str) else "water"


def _when(iso: str) -> str:
    """A stored UTC time for people: ``2026-12-05 00:13 UTC`` (not ``2026-12-05T00:13:03.962+00:00``)."""
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso


def _readable(data: Mapping[str, Any], lang: str) -> str:
    """The session as plain text: who took part, what was decided, what was written."""
    s = data["session"]
    svc = str(s.get("service", "water"))
    lines = [
        t("export_title", lang, code=s["code"]),
        t(
            "export_meta_one" if int(s["rounds"]) == 1 else "export_meta",
            lang,
            regime=t("regime_" + s["regime"], lang),
            rounds=s["rounds"],
            created=_when(str(s["created"])),
        ),
        "",
        t("export_participants", lang, n=len(data["participants"])),
    ]
    for c in COLLEGES:
        names = [p["name"] for p in data["participants"] if p["college"] == c]
        lines.append(f"- {t('college_' + c, lang)} ({len(names)}){t('sep', lang)}{', '.join(names)}")
    lines += ["", t("export_decisions", lang)]
    if not data["decisions"]:
        lines.append("- " + t("no_decisions", lang))
    for d in data["decisions"]:
        votes = " / ".join("—" if v is None else str(v) for v in shown_votes(d))
        lines.append(
            f"- {t('round_n', lang, n=d['round'])} ({d['year']}) · {item_label(d['item'], lang, svc)}"
            f"{t('sep', lang)}{label(d, lang)} · {votes} · {reason_text(d, lang)}"
        )
    lines += ["", t("cahier_title", lang)]
    if not data["comments"] and not data["variants"]:
        lines.append("- " + t("cahier_empty", lang))
    for v in data["variants"]:
        text = _variant_text(v, lang)
        lines.append(
            f"- {t('round_n', lang, n=v['round'])} · {item_label(v['item'], lang, svc)} · {v['name']}"
            f" ({t('college_short_' + v['college'], lang)}){t('sep', lang)}{text}"
        )
    for c in data["comments"]:
        lines.append(
            f"- {t('round_n', lang, n=c['round'])} · {c['name']}"
            f" ({t('college_short_' + c['college'], lang)}){t('sep', lang)}{c['text']}"
        )
    return "\n".join(lines) + "\n"


def export_files(store: Store, code: str, lang: str = "fr") -> dict[str, bytes]:
    """The files of the hand-over of session ``code``: name -> content (UTF-8)."""
    data = store.export_session(code)
    scenario_yaml = data["session"].pop("scenario_yaml")
    data["session"]["service"] = service_of_yaml(scenario_yaml)
    meta = {
        "exported": datetime.now(UTC).isoformat(timespec="seconds"),
        "regie_sim_version": __version__,
        **data,
    }
    files = {
        "session.json": json.dumps(meta, indent=2, ensure_ascii=False, sort_keys=False),
        **{f"{name}.csv": _csv(data[name], cols) for name, cols in CSV_COLUMNS.items()},
        "scenario.yaml": scenario_yaml,
        "cahier.txt": _readable(data, lang),
    }
    return {name: text.encode("utf-8") for name, text in files.items()}


def write_export(files: Mapping[str, bytes], out: Path) -> Path:
    """Write ``files`` as a ZIP (``out`` ends in ``.zip``) or into the folder ``out``."""
    if out.suffix.lower() == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, content in files.items():
                zf.writestr(name, content)
        tmp.replace(out)
        return out
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out / name).write_bytes(content)
    return out
