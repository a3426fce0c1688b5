"""Plotly figure builders over the tables of :mod:`sim.experiments.ensemble` (no streamlit, no running).

:func:`tornado` draws a sensitivity table as horizontal bars, the most influential parameter on
top. Colours are from the Okabe-Ito palette, which stays distinct for the common colour-vision
deficiencies; the two series also differ by pattern, so they read in greyscale too.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

#: Okabe & Ito (2008) colour-blind-safe palette: blue, orange
BLUE = "#0072B2"
ORANGE = "#E69F00"

_TEXT = {
    "fr": {
        "title_morris": "Sensibilité de « {output} » (criblage de Morris)",
        "title_sobol": "Part de la variance de « {output} » (indices de Sobol)",
        "x_morris": "Effet élémentaire ({unit})",
        "x_sobol": "Part de la variance (0-1)",
        "y": "Paramètre (plage explorée)",
        "mu_star": "μ* : effet moyen absolu",
        "sigma": "σ : non-linéarité et interactions",
        "S1": "S1 : effet propre",
        "ST": "ST : effet total (avec interactions)",
        "output_unit": "unité de la sortie",
    },
    "en": {
        "title_morris": "Sensitivity of '{output}' (Morris screening)",
        "title_sobol": "Share of the variance of '{output}' (Sobol indices)",
        "x_morris": "Elementary effect ({unit})",
        "x_sobol": "Share of variance (0-1)",
        "y": "Parameter (range explored)",
        "mu_star": "μ*: mean absolute effect",
        "sigma": "σ: non-linearity and interactions",
        "S1": "S1: first-order effect",
        "ST": "ST: total effect (with interactions)",
        "output_unit": "unit of the output",
    },
}


def output_unit(name: str, lang: str = "fr") -> str:
    """The unit of a summary output, read from its name (units are in names)."""
    if "eur_per_m3" in name:
        return "€/m3"
    if "_eur" in name:
        return "€"
    if "pct" in name:
        return "%" if lang == "en" else "points de %"
    if "_m3" in name:
        return "m3"
    if "l_per_person_day" in name:
        return "L/pers./j" if lang == "fr" else "L/person/day"
    if "years" in name:
        return "ans" if lang == "fr" else "years"
    return _TEXT[lang]["output_unit"]


def tornado(df: pd.DataFrame, output: str, lang: str = "fr") -> go.Figure:
    """Horizontal bars of the sensitivity of ``output`` to each parameter, largest on top.

    Parameters
    ----------
    df
        A table from :func:`sim.experiments.ensemble.sensitivity` (Morris or Sobol).
    output
        Which output to draw (a value of ``df["output"]``).
    lang
        ``"fr"`` or ``"en"``.

    Morris tables show μ* with its 95 % confidence half-width and σ; Sobol tables show S1 and ST
    with theirs.
    """
    if lang not in _TEXT:
        raise ValueError(f"lang must be 'fr' or 'en', not {lang!r}")
    t = _TEXT[lang]
    rows = df[df["output"] == output]
    if rows.empty:
        known = sorted(df["output"].unique())
        raise KeyError(f"no rows for output {output!r}; outputs are {known}")
    morris = "mu_star" in rows.columns and rows["mu_star"].notna().all()
    key = "mu_star" if morris else "ST"
    rows = rows.sort_values(key, ascending=True)  # plotly draws the first category at the bottom
    params = rows["param"].tolist()
    fig = go.Figure()
    if morris:
        series = [("mu_star", "mu_star_conf", BLUE, ""), ("sigma", None, ORANGE, "/")]
        title = t["title_morris"].format(output=output)
        xtitle = t["x_morris"].format(unit=output_unit(output, lang))
    else:
        series = [("S1", "S1_conf", BLUE, ""), ("ST", "ST_conf", ORANGE, "/")]
        title = t["title_sobol"].format(output=output)
        xtitle = t["x_sobol"]
    for col, conf, colour, pattern in series:
        fig.add_trace(
            go.Bar(
                y=params,
                x=rows[col],
                orientation="h",
                name=t[col],
                marker_color=colour,
                marker_pattern_shape=pattern,
                error_x=dict(type="data", array=rows[conf], visible=True) if conf else None,
            )
        )
    fig.update_layout(
        title=title,
        barmode="group",
        xaxis_title=xtitle,
        yaxis_title=t["y"],
        legend=dict(orientation="h", y=-0.2),
        template="plotly_white",
        height=max(300, 120 + 60 * len(params)),
    )
    return fig
