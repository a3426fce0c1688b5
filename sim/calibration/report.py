"""The calibration report (each target, the model's value, the gap, what was assumed) and the
scenario file written with a comment for every source figure.

French by default, English with ``lang="en"``. No streamlit here: the dashboard page draws
:func:`report_rows` as a table.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from sim import dumps_scenario, loads_scenario
from sim.calibration.calibrate import Calibration, Row, figures_dict

STATUS = {
    "ok": ("atteint", "matched"),
    "not_matched": ("NON ATTEINT", "NOT MATCHED"),
    "assumed": ("hypothèse (chiffre absent)", "assumed (figure missing)"),
    "set": ("repris tel quel", "taken as given"),
    "info": ("valeur du modèle", "model value"),
}
HEAD = {
    "fr": (
        "Indicateur",
        "Cible",
        "Modèle",
        "Écart",
        "Unité",
        "Statut",
        "Paramètre ajusté",
        "Source ou hypothèse",
        "Note",
    ),
    "en": (
        "Indicator",
        "Target",
        "Model",
        "Gap",
        "Unit",
        "Status",
        "Parameter moved",
        "Source or assumption",
        "Note",
    ),
}


def _num(x: float | None, lang: str, dec: int = 2) -> str:
    if x is None or x != x:
        return "—"
    s = f"{x:,.{dec}f}"
    if lang == "fr":
        s = s.replace(",", "\u202f").replace(".", ",")
    return s


def _dec(row: Row) -> int:
    if row.key in ("households", "network_km", "contract_end", "cost_level", "cash"):
        return 0
    if row.key == "price":
        return 3
    return 2


def report_rows(cal: Calibration, lang: str = "fr") -> list[dict[str, Any]]:
    """One dict per report line, columns named in the language (for a table or a CSV)."""
    h = HEAD["en" if lang == "en" else "fr"]
    out = []
    for r in cal.rows:
        gap = r.gap
        d = _dec(r)
        if r.key == "price" and gap is not None and r.target:
            gap_s = f"{_num(gap, lang, 3)} ({_num(100 * gap / r.target, lang, 1)} %)"
        else:
            gap_s = _num(gap, lang, d)
        out.append(
            {
                h[0]: r.label_en if lang == "en" else r.label_fr,
                h[1]: _num(r.target, lang, d),
                h[2]: _num(r.model, lang, d),
                h[3]: gap_s,
                h[4]: unit_text(r.unit, lang),
                h[5]: STATUS[r.status][1 if lang == "en" else 0],
                h[6]: r.parameter,
                h[7]: r.source,
                h[8]: r.note_en if lang == "en" else r.note_fr,
            }
        )
    return out


#: units of the report, written the French way in the rows, in English
_UNITS_EN = {
    "€/an": "€/yr",
    "%/an": "%/yr",
    "m3/an": "m3/yr",
    "L/hab/j": "L/person/day",
    "ans": "years",
    "m3/km/j": "m3/km/day",
    "ménages": "households",
    "coupures/an": "cuts/yr",
    "min/an": "min/yr",
    "kWc": "kWp",
}


def unit_text(unit: str, lang: str = "fr") -> str:
    """A unit of the report (written the French way, ``coupures/an``) in ``lang``."""
    return unit if lang == "fr" else _UNITS_EN.get(unit, unit)


def format_report(cal: Calibration, lang: str = "fr") -> str:
    """The report as plain text for a terminal."""
    rows = report_rows(cal, lang)
    h = HEAD["en" if lang == "en" else "fr"]
    title = (
        f"Calibration of « {cal.scenario.town.name} » ({cal.iterations} iterations, seed "
        f"{cal.seed}; targets are means of the first 5 years)"
        if lang == "en"
        else f"Calage de « {cal.scenario.town.name} » ({cal.iterations} itérations, graine "
        f"{cal.seed} ; cibles : moyennes des 5 premières années)"
    )
    lines = [title, ""]
    for r in rows:
        lines.append(f"- {r[h[0]]} : {r[h[5]]}" if lang == "fr" else f"- {r[h[0]]}: {r[h[5]]}")
        parts = [f"{h[1]} {r[h[1]]}", f"{h[2]} {r[h[2]]}", f"{h[3]} {r[h[3]]}"]
        if r[h[4]]:
            parts.append(r[h[4]])
        lines.append("    " + " · ".join(parts))
        lines.append(f"    {h[6]} : {r[h[6]]}" if lang == "fr" else f"    {h[6]}: {r[h[6]]}")
        lines.append(f"    {h[7]} : {r[h[7]]}" if lang == "fr" else f"    {h[7]}: {r[h[7]]}")
        if r[h[8]]:
            lines.append(f"    {r[h[8]]}")
    bad = [r for r in cal.rows if r.status == "not_matched"]
    lines.append("")
    if bad:
        lines.append(
            ("Non atteint : " if lang == "fr" else "Not matched: ")
            + ", ".join(r.label_en if lang == "en" else r.label_fr for r in bad)
        )
    else:
        lines.append(
            "Toutes les cibles données sont atteintes." if lang == "fr" else "Every target given is matched."
        )
    return "\n".join(lines)


def report_csv(cal: Calibration, lang: str = "fr") -> str:
    rows = report_rows(cal, lang)
    buf = io.StringIO()
    w = csv.DictWriter(
        buf,
        fieldnames=list(HEAD["en" if lang == "en" else "fr"]),
        delimiter=";" if lang == "fr" else ",",
    )
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def scenario_yaml(cal: Calibration) -> str:
    """The whole resolved scenario (it runs anywhere, no ``extends:``), headed by a comment that
    gives each source figure, where it was read and the parameter it set, and what was assumed.

    The text loads back with :func:`sim.loads_scenario` to the same scenario.
    """
    fig = cal.figures
    lines = [
        f"# {cal.scenario.town.name} — scénario calé sur les chiffres publiés du service",
        "# Scenario calibrated on the service's published figures (regie-sim new-town).",
        f"# Every other value is from the shipped scenarios/{cal.scenario.governance.regime}.yaml"
        " (built on town.yaml), which gives its source;",
        "# values changed by the calibration are listed here with the figure they reproduce.",
        "#",
        "# Chiffres source / source figures:",
    ]
    for key, val in figures_dict(fig).items():
        lines.append(f"#   {key}: {val}  <- {fig.source(key)}")
    lines.append("#")
    lines.append("# Calage (cible -> modèle, moyenne des 5 premières années) / calibration:")
    for r in cal.rows:
        if r.status in ("ok", "not_matched"):
            flag = "" if r.status == "ok" else "   <-- NON ATTEINT / NOT MATCHED"
            lines.append(
                f"#   {r.label_en}: target {_num(r.target, 'en', 3)}, model "
                f"{_num(r.model, 'en', 3)} {r.unit} via {r.parameter}{flag}"
            )
    lines.append("#")
    lines.append("# Hypothèses (chiffre absent) / assumed where a figure was missing:")
    for r in cal.rows:
        if r.status == "assumed":
            lines.append(f"#   {r.label_en}: {r.source}")
    s = cal.scenario
    lines += [
        "#",
        "# Paramètres posés par le calage / parameters set by the calibration:",
        f"#   households.count {s.households.count}; consumption_l_per_person_day "
        f"{s.households.consumption_l_per_person_day:g}; unpaid_base_probability "
        f"{s.households.unpaid_base_probability:g}",
        f"#   network length {s.network.length_km:g} km; "
        f"background_ili {s.network.background_ili:g}; "
        f"renewal_rate_pct {s.network.renewal_rate_pct:g}",
        f"#   tariff: standing charge {s.tariff.standing_charge_eur_per_year:g} €/yr, blocks "
        f"{[b.price_eur_per_m3 for b in s.tariff.blocks]} €/m3 HT (one factor on town.yaml's)",
        f"#   finance: overheads {s.finance.overheads_eur_per_year:,.0f} €/yr (the cost level at "
        f"which the regime's rule keeps D102.0), initial debt {s.finance.initial_debt_eur:,.0f} €",
        "",
    ]
    text = "\n".join(lines) + dumps_scenario(s)
    loads_scenario(text, "<calibration output>")  # never write a file that would not load
    return text


def write_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder, renamed over it."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p
