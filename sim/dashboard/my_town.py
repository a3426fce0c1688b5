"""Dashboard page « Ma commune » / "My town": a calibrated scenario from published figures.

A form with the RPQS figures (each with help saying where to find it in the report), optional
uploads of the published files (SISPEA extraction, composition communale, INSEE census and
Filosofi), the calibration report as a table, a download of the YAML, and two buttons that make
the calibrated scenario — the same YAML text as the download, read by the dashboard's loader — the
current scenario and open the Explorer or Compare on it (the YAML also stays in
``st.session_state["imported_scenario_yaml"]``). The calibration itself is :mod:`sim.calibration`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from sim.calibration import electricity as elec
from sim.calibration.calibrate import TownFigures, calibrate_town
from sim.calibration.errors import InputFileError
from sim.calibration.figures import figures_from_files, merge_hand
from sim.calibration.report import report_rows, scenario_yaml, unit_text
from sim.dashboard import common, share
from sim.dashboard.pages import BY_URL

IMPORT_KEY = "imported_scenario_yaml"
TARGET_KEY = "imported_scenario_target"
RESULT_KEY = "ma_commune_result"

# field, type, label fr, label en, help fr, help en
FIELDS: list[tuple[str, str, str, str, str, str]] = [
    (
        "households",
        "int",
        "Ménages desservis",
        "Households served",
        "Si le RPQS ne donne que les habitants, laissez vide et remplissez la ligne suivante.",
        "If the RPQS gives inhabitants only, leave empty and fill in the next line.",
    ),
    (
        "population",
        "float",
        "Habitants desservis (D101.0)",
        "Inhabitants served (D101.0)",
        "RPQS, « Caractérisation technique du service » : estimation du nombre d'habitants "
        "desservis (D101.0).",
        "RPQS, 'technical description of the service': estimated inhabitants served (D101.0).",
    ),
    (
        "network_km",
        "float",
        "Longueur du réseau (km, hors branchements)",
        "Network length (km, excluding connections)",
        "RPQS, « Caractérisation technique » : linéaire de réseaux de desserte hors branchements (km).",
        "RPQS, 'technical description': length of distribution mains excluding connections (km).",
    ),
    (
        "price_120m3_eur_per_m3",
        "float",
        "Prix TTC du m3 pour 120 m3 (D102.0, €/m3)",
        "Price incl. tax per m3 for 120 m3 (D102.0, €/m3)",
        "RPQS, « Tarification » : prix TTC du service au m3 pour 120 m3 au 1er janvier, "
        "eau potable "
        "seule (sans l'assainissement).",
        "RPQS, 'tariff': price incl. tax per m3 for 120 m3 on 1 January, drinking water only "
        "(without sewerage).",
    ),
    (
        "yield_pct",
        "float",
        "Rendement du réseau (P104.3, %)",
        "Network yield (P104.3, %)",
        "RPQS, « Indicateurs de performance » : rendement du réseau de distribution (P104.3).",
        "RPQS, 'performance indicators': yield of the distribution network (P104.3).",
    ),
    (
        "ilp_m3_per_km_day",
        "float",
        "Indice linéaire de pertes (P106.3, m3/km/j)",
        "Linear loss index (P106.3, m3/km/day)",
        "RPQS, indicateurs de performance : indice linéaire de pertes en réseau (P106.3). "
        "Attention : P105.3 est l'indice des volumes NON COMPTÉS, pas des pertes.",
        "RPQS, performance indicators: linear loss index (P106.3). Beware: P105.3 is the index of "
        "UNMETERED volumes, not of losses.",
    ),
    (
        "renewal_pct",
        "float",
        "Taux moyen de renouvellement (P107.2, %/an)",
        "Mean renewal rate (P107.2, %/yr)",
        "RPQS, indicateurs de performance : taux moyen de renouvellement des réseaux (P107.2, "
        "moyenne des 5 dernières années).",
        "RPQS, performance indicators: mean renewal rate of the mains (P107.2, last 5 years).",
    ),
    (
        "unpaid_pct",
        "float",
        "Taux d'impayés (P154.0, %)",
        "Unpaid rate (P154.0, %)",
        "RPQS, « Financement » : taux d'impayés sur les factures d'eau de l'année précédente (P154.0).",
        "RPQS, 'financing': unpaid rate on the previous year's water bills (P154.0).",
    ),
    (
        "debt_years",
        "float",
        "Durée d'extinction de la dette (P153.2, ans)",
        "Debt extinction (P153.2, years)",
        "RPQS, « Financement des investissements » : durée d'extinction de la dette (P153.2).",
        "RPQS, 'financing of investments': debt extinction period (P153.2).",
    ),
    (
        "subscribers",
        "float",
        "Nombre d'abonnés",
        "Subscribers",
        "RPQS, « Caractérisation technique » : nombre d'abonnés (information seulement).",
        "RPQS, 'technical description': number of subscribers (for information).",
    ),
    (
        "volume_produced_m3",
        "float",
        "Volume produit (m3/an)",
        "Volume produced (m3/yr)",
        "RPQS, bilan des volumes : volume produit.",
        "RPQS, water balance: volume produced.",
    ),
    (
        "volume_sold_m3",
        "float",
        "Volume vendu aux abonnés (m3/an)",
        "Volume sold (m3/yr)",
        "RPQS, bilan des volumes : volumes vendus aux abonnés (domestiques et non domestiques) ; "
        "il fixe la consommation par personne.",
        "RPQS, water balance: volumes sold to subscribers; it sets the consumption per person.",
    ),
    (
        "contract_end_year",
        "int",
        "Année de fin du contrat (délégation)",
        "Contract end year (delegation)",
        "RPQS, « Mode de gestion du service » : date d'échéance du contrat de délégation.",
        "RPQS, 'management mode': end date of the delegation contract.",
    ),
]

REGIMES = {
    "": ("— (inconnu)", "— (unknown)"),
    "regie": ("Régie publique", "Public régie"),
    "concession": ("Délégation (concession)", "Delegation (concession)"),
    "commons": ("Communs", "Commons"),
}


def _t(lang: str, fr: str, en: str) -> str:
    return en if lang == "en" else fr


def render(lang: str | None = None) -> None:
    """Draw the page in ``lang`` ("fr" or "en"; the dashboard's language by default)."""
    lang = "en" if (lang or common.current_lang()) == "en" else "fr"
    st.title(_t(lang, "Ma commune", "My town"))
    if share.service_select(lang) == "electricity":
        _electricity(lang)
        _result(lang)
        return
    st.write(
        _t(
            lang,
            "Entrez les chiffres du rapport annuel de votre service (RPQS) ou déposez les fichiers "
            "publiés : le simulateur construit un scénario qui les reproduit dans ses premières "
            "années, et dit ce qu'il a supposé là où un chiffre manque.",
            "Enter the figures of your service's annual report (RPQS) or upload the published "
            "files: "
            "the simulator builds a scenario reproducing them in its first years, and says what it "
            "assumed where a figure is missing.",
        )
    )
    with st.form("ma_commune_form"):
        name = st.text_input(_t(lang, "Nom de la commune", "Name of the town"), key="mc_name")
        values: dict[str, Any] = {"name": name or None}
        cols = st.columns(2)
        for i, (fld, typ, lfr, len_, hfr, hen) in enumerate(FIELDS):
            with cols[i % 2]:
                values[fld] = st.number_input(
                    _t(lang, lfr, len_),
                    value=None,
                    min_value=0 if typ == "int" else 0.0,
                    step=1 if typ == "int" else None,
                    format=None if typ == "int" else "%g",
                    help=_t(lang, hfr, hen),
                    key=f"mc_{fld}",
                )
        regime = st.selectbox(
            _t(lang, "Mode de gestion", "Management mode"),
            list(REGIMES),
            format_func=lambda k: REGIMES[k][1 if lang == "en" else 0],
            key="mc_regime",
            help=_t(
                lang,
                "RPQS, « Mode de gestion du service » : régie ou délégation.",
                "RPQS, 'management mode': régie or delegation.",
            ),
        )
        values["regime"] = regime or None
        values["operator"] = (
            st.text_input(
                _t(lang, "Opérateur", "Operator"),
                key="mc_operator",
                help=_t(lang, "Nom du délégataire, s'il y en a un.", "The delegate's name, if any."),
            )
            or None
        )
        with st.expander(_t(lang, "Fichiers publiés (facultatif)", "Published files (optional)")):
            insee = st.text_input(
                _t(lang, "Code INSEE de la commune", "INSEE code of the commune"),
                key="mc_insee",
                help=_t(
                    lang,
                    "5 caractères, par ex. 38185 (pas le code postal).",
                    "5 characters, e.g. 38185 (not the postcode).",
                ),
            )
            up = {
                "sispea": st.file_uploader(
                    _t(
                        lang,
                        "Extraction annuelle SISPEA (.xlsx)",
                        "SISPEA yearly extraction (.xlsx)",
                    ),
                    type=["xlsx", "xls"],
                    key="mc_up_sispea",
                    help=_t(
                        lang,
                        "services.eaufrance.fr, téléchargement des données par année ; "
                        "feuille « Entités de gestion ».",
                        "services.eaufrance.fr, data download by year; sheet « Entités de gestion ».",
                    ),
                ),
                "composition": st.file_uploader(
                    _t(
                        lang,
                        "Composition communale (.xlsx ou .csv)",
                        "Commune composition (.xlsx or .csv)",
                    ),
                    type=["xlsx", "xls", "csv"],
                    key="mc_up_composition",
                ),
                "census": st.file_uploader(
                    _t(
                        lang,
                        "INSEE recensement : ménages (.csv ou .xlsx)",
                        "INSEE census: households (.csv or .xlsx)",
                    ),
                    type=["csv", "xlsx"],
                    key="mc_up_census",
                ),
                "filosofi": st.file_uploader(
                    _t(
                        lang,
                        "INSEE Filosofi : revenus (.csv ou .xlsx)",
                        "INSEE Filosofi: incomes (.csv or .xlsx)",
                    ),
                    type=["csv", "xlsx"],
                    key="mc_up_filosofi",
                ),
            }
        submitted = st.form_submit_button(
            _t(lang, "Construire le scénario", "Build the scenario"), type="primary"
        )
    if submitted:
        _calibrate(lang, values, insee, up)
    _result(lang)


def _result(lang: str) -> None:
    result = st.session_state.get(RESULT_KEY)
    if result is None:
        return
    if "error" in result:
        st.error(result["error"][lang])
        return
    _show(lang, result)


# field, type, help fr, help en (labels and units: sim.calibration.electricity.FIGURES)
ELECTRICITY_FIELDS: list[tuple[str, str, str, str]] = [
    (
        "households",
        "int",
        "Nombre de points de livraison résidentiels (rapport annuel ou compte rendu d'activité de "
        "concession, CRAC).",
        "Number of residential delivery points (annual report or concession activity report, CRAC).",
    ),
    (
        "electric_heating_pct",
        "float",
        "Part des ménages chauffés à l'électricité (INSEE, recensement : combustible principal).",
        "Share of households heated with electricity (INSEE census: main heating fuel).",
    ),
    (
        "houses_pct",
        "float",
        "Part des ménages vivant en maison, le reste en appartement (INSEE, recensement : résidences "
        "principales par type de logement). Une maison demande plus de chauffage qu'un appartement.",
        "Share of households living in a house, the rest in flats (INSEE census: main residences by "
        "type of dwelling). A house needs more heating than a flat.",
    ),
    (
        "network_km",
        "float",
        "Longueur des réseaux basse et moyenne tension (CRAC, « patrimoine »).",
        "Length of the low and medium voltage lines (CRAC, assets).",
    ),
    (
        "underground_pct",
        "float",
        "Part des lignes enfouies (CRAC, « patrimoine »).",
        "Share of the lines underground (CRAC, assets).",
    ),
    (
        "saifi",
        "float",
        "Nombre moyen de coupures de plus de 3 minutes par client et par an, hors événements "
        "exceptionnels (rapport du gestionnaire de réseau).",
        "Mean number of cuts over 3 minutes per customer and year, excluding major events "
        "(network operator's report).",
    ),
    (
        "saidi_min",
        "float",
        "Temps moyen de coupure par client et par an, « critère B » hors événements exceptionnels "
        "(rapport du gestionnaire de réseau ; 56 à 73 min en moyenne nationale).",
        "Mean time without power per customer and year, « critère B » excluding major events "
        "(network operator's report; 56 to 73 min nationally).",
    ),
    (
        "pv_kwp",
        "float",
        "Puissance photovoltaïque locale portée par le service ou une opération "
        "d'autoconsommation collective (kWc).",
        "Local photovoltaic capacity run by the service or a collective self-consumption operation (kWp).",
    ),
]


def _electricity(lang: str) -> None:
    """The form of an electricity service: what an ELD knows of itself."""
    st.write(
        _t(
            lang,
            "Entrez les chiffres de votre entreprise locale de distribution (régie, SEM, SICAE) : le "
            "simulateur part de la commune d'électricité fournie, à votre taille, et y met vos "
            "chiffres ; il dit ce qu'il a supposé là où un chiffre manque.",
            "Enter the figures of your local distribution company (régie, SEM, SICAE): the "
            "simulator starts from the shipped electricity town, at your size, and puts your "
            "figures in it; it says what it assumed where a figure is missing.",
        )
    )
    st.info(
        _t(
            lang,
            "Le tarif réglementé (TRVE), le tarif de réseau (TURPE) et les taxes sont fixés au niveau "
            "national : ils ne se saisissent pas ici. Une offre locale se conçoit sur la page « "
            "Concevoir un tarif ».",
            "The regulated tariff (TRVE), the network tariff (TURPE) and the taxes are set "
            "nationally: they are not entered here. A local offer is designed on the « Design a "
            "tariff » page.",
        ),
        icon=":material/gavel:",
    )
    with st.form("ma_commune_electricity"):
        name = st.text_input(_t(lang, "Nom de la commune", "Name of the town"), key="mce_name")
        values: dict[str, Any] = {"name": name or "Ma commune"}
        cols = st.columns(2)
        for i, (fld, typ, hfr, hen) in enumerate(ELECTRICITY_FIELDS):
            fr, en, unit, _, lo, hi = elec.FIGURES[fld]
            with cols[i % 2]:
                values[fld] = st.number_input(
                    f"{_t(lang, fr, en)} ({unit_text(unit, lang)})",
                    value=None,
                    min_value=int(lo) if typ == "int" else float(lo),
                    max_value=int(hi) if typ == "int" else float(hi),
                    step=1 if typ == "int" else None,
                    format=None if typ == "int" else "%g",
                    help=_t(lang, hfr, hen),
                    key=f"mce_{fld}",
                )
        values["regime"] = (
            st.selectbox(
                _t(lang, "Mode de gestion", "Management mode"),
                list(REGIMES),
                format_func=lambda k: REGIMES[k][1 if lang == "en" else 0],
                key="mce_regime",
            )
            or None
        )
        submitted = st.form_submit_button(
            _t(lang, "Construire le scénario", "Build the scenario"), type="primary"
        )
    if submitted:
        _calibrate_electricity(values)


def _calibrate_electricity(values: dict[str, Any]) -> None:
    if values.get("households") is not None:
        values["households"] = int(values["households"])

    def build() -> tuple[Any, str]:
        cal = elec.calibrate_electricity(elec.ElectricityFigures(**values))
        return cal, elec.scenario_yaml(cal)

    _keep(build)


def _keep(build: Callable[[], tuple[Any, str]]) -> None:
    """The calibration ``build()`` makes (its report and YAML), or why it could not be made, in
    both languages, kept for the page to show (water and electricity alike)."""
    st.session_state.pop(RESULT_KEY, None)
    try:
        cal, text = build()
    except InputFileError as e:
        st.session_state[RESULT_KEY] = {"error": {"fr": e.format("fr"), "en": e.format("en")}}
        return
    except ValueError as e:  # a ScenarioError: located, translated
        fmt = getattr(e, "format", None)
        msg = {"fr": fmt("fr"), "en": fmt("en")} if callable(fmt) else {"fr": str(e), "en": str(e)}
        st.session_state[RESULT_KEY] = {"error": msg}
        return
    st.session_state[RESULT_KEY] = {
        "yaml": text,
        "name": cal.scenario.town.name,
        "rows": {"fr": report_rows(cal, "fr"), "en": report_rows(cal, "en")},
        "unmatched": [(r.label_fr, r.label_en) for r in cal.rows if r.status == "not_matched"],
    }


def _calibrate(lang: str, hand: dict[str, Any], insee: str, uploads: dict[str, Any]) -> None:
    for k in ("households", "contract_end_year"):
        if hand.get(k) is not None:
            hand[k] = int(hand[k])

    def build() -> tuple[Any, str]:
        with st.spinner(
            _t(
                lang,
                "Calage en cours (quelques simulations de 5 ans)…",
                "Calibrating (a few 5-year runs)…",
            )
        ):
            if any(u is not None for u in uploads.values()):
                if not insee:
                    raise InputFileError("missing_figure", ctx={"wanted": "INSEE"})
                with tempfile.TemporaryDirectory(prefix="ma-commune-") as tmp:
                    paths: dict[str, Path | None] = {}
                    for key, u in uploads.items():
                        if u is None:
                            paths[key] = None
                            continue
                        p = Path(tmp) / Path(u.name).name
                        p.write_bytes(u.getvalue())
                        paths[key] = p
                    fig = figures_from_files(insee, **paths)
                fig = merge_hand(fig, hand)
            else:
                fig = merge_hand(TownFigures(), hand)
            cal = calibrate_town(fig)
            return cal, scenario_yaml(cal)

    _keep(build)


def _show(lang: str, result: dict[str, Any]) -> None:
    st.subheader(_t(lang, "Rapport de calage", "Calibration report"))
    st.caption(
        _t(
            lang,
            "Cibles : moyennes des 5 premières années simulées.",
            "Targets: means of the first 5 simulated years.",
        )
    )
    if result["unmatched"]:
        st.warning(
            _t(lang, "Non atteint : ", "Not matched: ")
            + ", ".join(en if lang == "en" else fr for fr, en in result["unmatched"])
        )
    else:
        st.success(_t(lang, "Toutes les cibles données sont atteintes.", "Every target given is matched."))
    st.dataframe(result["rows"][lang], hide_index=True, width="stretch")
    fname = "".join(c if c.isalnum() or c in "-_" else "-" for c in result["name"]).strip("-")
    st.download_button(
        _t(lang, "Télécharger le scénario (YAML)", "Download the scenario (YAML)"),
        result["yaml"],
        file_name=f"{fname or 'ma-commune'}.yaml",
        mime="application/x-yaml",
        key="mc_download",
    )
    c1, c2 = st.columns(2)
    if c1.button(_t(lang, "Ouvrir dans l'Explorateur", "Open in the Explorer"), key="mc_explorer"):
        _open(result, "explorer")
    if c2.button(_t(lang, "Ouvrir dans Comparer", "Open in Compare"), key="mc_compare"):
        _open(result, "comparer")


def _open(result: dict[str, Any], page: str) -> None:
    """Make the calibrated scenario the current one and go to ``page`` (exactly what was shown
    and downloaded: the same YAML text, through the dashboard's loader)."""
    st.session_state[IMPORT_KEY] = result["yaml"]
    st.session_state[TARGET_KEY] = page
    scenario = share.scenario_from_upload(result["yaml"].encode("utf-8"), f"{result['name']}.yaml", "fr")
    share.set_current(scenario, None, f"{result['name']}.yaml")
    st.switch_page(BY_URL[page].path)


if __name__ == "__main__":  # run by st.navigation as a page
    render()
