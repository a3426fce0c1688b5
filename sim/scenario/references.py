"""The sections of the project's reference files that parameter sources cite, and their titles.

A parameter's source names a section of the reference files kept beside the repository
(``shared/reference/water.md``, ``electricity.md`` and ``households.md``), e.g.
``"water.md §1.7: 146 L/person/day (SDES/OFB, 2017 data)"``; that section cites the original
publication of the figure. This module reads those citations out of a source text and names
each section in French and English, so the « Hypothèses et sources » page shows which part of the
references backs every default.

The titles are those of the sections' headings; a test checks them against the reference files
when they are present beside the repository.

The public addresses those sections give for their figures are kept in ``reference_links.json``
beside this module (the reference files are not shipped with the package): for each section, each
address with the line of the reference file that gives it. :func:`link_for` picks, for a source
text, the address whose line shares the most words and figures with it, so a parameter's source is
shown as a link to the publication it comes from. Rebuild the file after the reference files change
with ``python -m sim.scenario.references ../shared/reference`` (a test compares them).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: (file, section) -> (English title, French title); section "" is the whole file
SECTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("electricity.md", "1"): (
        "Local distribution companies (ELD), legal forms, tariffs",
        "Entreprises locales de distribution (ELD), formes juridiques, tarifs",
    ),
    ("electricity.md", "1.1"): ("Number, coverage, history", "Nombre, couverture, histoire"),
    ("electricity.md", "1.2"): ("Legal forms", "Formes juridiques"),
    ("electricity.md", "1.3"): ("Example ELD", "Exemples d'ELD"),
    ("electricity.md", "1.4"): ("How tariffs work", "Comment fonctionnent les tarifs"),
    ("electricity.md", "1.5"): (
        'The 2022–2023 price shield ("bouclier tarifaire")',
        "Le bouclier tarifaire de 2022–2023",
    ),
    ("electricity.md", "2"): ("Reliability", "Continuité de fourniture"),
    ("electricity.md", "2.1"): ("Definitions", "Définitions"),
    ("electricity.md", "2.2"): (
        "Enedis figures (CRE incentive regulation)",
        "Chiffres d'Enedis (régulation incitative de la CRE)",
    ),
    ("electricity.md", "2.3"): ("Storms and restoration times", "Tempêtes et délais de réalimentation"),
    ("electricity.md", "3"): ("Household demand", "Consommation des ménages"),
    ("electricity.md", "3.1"): ("Annual consumption", "Consommation annuelle"),
    ("electricity.md", "3.2"): (
        "Seasonal and daily shape, peaks",
        "Profil saisonnier et journalier, pointes",
    ),
    ("electricity.md", "3.3"): ("Price elasticity — electricity", "Élasticité-prix — électricité"),
    ("electricity.md", "3.4"): ("Price elasticity — water (for the water side)", "Élasticité-prix — eau"),
    ("electricity.md", "4"): ("Energy poverty", "Précarité énergétique"),
    ("electricity.md", "4.1"): ("Definitions and counts", "Définitions et décomptes"),
    ("electricity.md", "4.2"): ("Chèque énergie", "Chèque énergie"),
    ("electricity.md", "4.3"): (
        "Disconnection rules and interventions for unpaid bills",
        "Règles de coupure et interventions pour impayés",
    ),
    ("electricity.md", "5"): (
        "Citizen energy, cooperatives, self-consumption, PV",
        "Énergie citoyenne, coopératives, autoconsommation, photovoltaïque",
    ),
    ("electricity.md", "5.1"): ("Enercoop and Énergie Partagée", "Enercoop et Énergie Partagée"),
    ("electricity.md", "5.2"): (
        "Collective self-consumption (autoconsommation collective, ACC)",
        "Autoconsommation collective (ACC)",
    ),
    ("electricity.md", "5.3"): (
        "PV yield and capacity factor",
        "Productible et facteur de charge du photovoltaïque",
    ),
    ("electricity.md", "5.4"): ("Project sizes and costs", "Tailles et coûts des projets"),
    ("electricity.md", "6"): ("Cost structure of supply", "Structure des coûts de la fourniture"),
    ("electricity.md", "6.1"): ("Bill components", "Composantes de la facture"),
    ("electricity.md", "6.2"): ("Taxes", "Taxes"),
    ("electricity.md", "6.3"): (
        "ARENH (regulated access to historic nuclear power)",
        "ARENH (accès régulé à l'électricité nucléaire historique)",
    ),
    ("water.md", "1"): ("National averages", "Moyennes nationales (SISPEA)"),
    ("water.md", "1.1"): ("Price, indicator D102.0", "Prix, indicateur D102.0"),
    ("water.md", "1.2"): (
        "Network yield (rendement), indicator P104.3",
        "Rendement du réseau, indicateur P104.3",
    ),
    ("water.md", "1.3"): ("Linear loss index", "Indice linéaire de pertes"),
    ("water.md", "1.4"): (
        "Network renewal rate, indicator P107.2",
        "Taux de renouvellement, indicateur P107.2",
    ),
    ("water.md", "1.5"): ("Unpaid bills, indicator P154.0", "Impayés, indicateur P154.0"),
    ("water.md", "1.6"): ("Number of services and management mode", "Nombre de services et mode de gestion"),
    ("water.md", "1.7"): ("Consumption and abstraction", "Consommation et prélèvements"),
    ("water.md", "1.8"): ("Network stock", "Patrimoine de réseaux"),
    ("water.md", "2"): (
        "Remunicipalisation, DSP economics and audit findings",
        "Remunicipalisations, économie des délégations et constats des contrôles",
    ),
    ("water.md", "2.1"): ("City cases", "Cas de villes"),
    ("water.md", "2.2"): ("International counts", "Décomptes internationaux"),
    ("water.md", "2.3"): (
        "Auditors' and regulators' findings on DSP costs",
        "Constats des chambres des comptes et régulateurs sur les coûts des délégations",
    ),
    ("water.md", "3"): ("Social and progressive tariffs", "Tarifs sociaux et progressifs"),
    ("water.md", "3.1"): ('Dunkerque "tarification éco-solidaire"', "Dunkerque, tarification éco-solidaire"),
    ("water.md", "3.2"): ("Libourne, progressive tariff", "Libourne, tarif progressif"),
    ("water.md", "3.3"): (
        "Montpellier régie, eco-solidarity tariff",
        "Montpellier, tarif éco-solidaire en régie",
    ),
    ("water.md", "3.4"): ("Law", "Droit"),
    ("water.md", "3.5"): (
        "Affordability threshold (3 %) and number of households above it",
        "Seuil d'accessibilité (3 %) et nombre de ménages au-dessus",
    ),
    ("water.md", "4"): ("Asset and network engineering", "Patrimoine et ingénierie des réseaux"),
    ("water.md", "4.1"): ("Stock and renewal", "Patrimoine et renouvellement"),
    ("water.md", "4.2"): (
        "Break rates and deterioration models",
        "Taux de casse et modèles de vieillissement",
    ),
    ("water.md", "4.3"): ("Renewal cost", "Coût du renouvellement"),
    ("water.md", "4.4"): (
        "IWA water balance and leakage indicators",
        "Bilan de l'eau de l'IWA et indicateurs de fuites",
    ),
    ("water.md", "5"): ("Costs and cost of capital", "Coûts et coût du capital"),
    ("water.md", "6"): ("Drought restrictions", "Restrictions en cas de sécheresse"),
    ("households.md", ""): ("Households: income and size (France)", "Ménages : revenus et taille (France)"),
}

_CITATION = re.compile(r"\b(water|households|electricity)\.md(?:\s*§\s*(\d+(?:\.\d+)?))?")


@dataclass(frozen=True)
class Citation:
    """A section of a reference file (``section`` empty: the whole file)."""

    file: str
    section: str

    def title(self, lang: str = "fr") -> str:
        """The section's title in ``lang``; a section not in :data:`SECTIONS` is an error."""
        en, fr = SECTIONS[(self.file, self.section)]
        return fr if lang == "fr" else en

    @property
    def where(self) -> str:
        """« water.md §1.7 » (the file alone for a whole file)."""
        return f"{self.file} §{self.section}" if self.section else self.file

    def text(self, lang: str = "fr") -> str:
        """« water.md §1.7 — Consommation et prélèvements »."""
        return f"{self.where} — {self.title(lang)}"


def citations(source: str) -> list[Citation]:
    """The reference sections a source text cites, in order, each once.

    >>> [c.text("en") for c in citations("water.md §1.7: 146 L/person/day (SDES/OFB, 2017 data)")]
    ['water.md §1.7 — Consumption and abstraction']
    """
    out: list[Citation] = []
    for m in _CITATION.finditer(source):
        c = Citation(f"{m.group(1)}.md", m.group(2) or "")
        if c not in out:
            out.append(c)
    return out


# ------------------------------------------------------------------------------------------
# public addresses of the cited sections
# ------------------------------------------------------------------------------------------
LINKS_FILE = Path(__file__).with_name("reference_links.json")
_URL = re.compile(r"https?://[^\s)\]>|,;]+")
_HEADING = re.compile(r"^(#+)\s+(\d+(?:\.\d+)?)\.?\s")
_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)?|[A-Za-zÀ-ÿ]{3,}")
_STOP = {"the", "and", "for", "per", "with", "from", "water", "data", "see", "of", "md"}


@dataclass(frozen=True)
class Link:
    """A public address a reference section gives, with the line that gives it."""

    url: str
    text: str


def extract_links(reference_dir: Path) -> dict[str, list[dict[str, str]]]:
    """``{"water.md §1.7": [{"url": …, "text": …}, …]}`` for every section of :data:`SECTIONS`.

    A line's address belongs to the section of the nearest heading above it (``### 1.7 …``); a
    section named by its chapter alone (``§5``) holds the addresses of the chapter's own text, and
    ``""`` the whole file. The text is the line (with the line above it when the line is only the
    address's tail), without markdown, cut to 400 characters.
    """
    out: dict[str, list[dict[str, str]]] = {}
    for (file, section), _ in sorted(SECTIONS.items()):
        path = reference_dir / file
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        current = ""
        found: list[dict[str, str]] = []
        for i, line in enumerate(lines):
            h = _HEADING.match(line)
            if h:
                current = h[2]
                continue
            if section and current != section:
                continue
            for url in _URL.findall(line):
                url = url.rstrip(".")
                text = line if len(line) - len(url) > 40 or i == 0 else f"{lines[i - 1]} {line}"
                text = re.sub(r"[*`|#]+", " ", text)
                text = re.sub(r"\s+", " ", text).strip()[:400]
                if all(x["url"] != url for x in found):
                    found.append({"url": url, "text": text})
        out[Citation(file, section).where] = found
    return out


@lru_cache(maxsize=1)
def _links() -> dict[str, tuple[Link, ...]]:
    data = json.loads(LINKS_FILE.read_text(encoding="utf-8"))
    return {k: tuple(Link(x["url"], x["text"]) for x in v) for k, v in data.items()}


def links(citation: Citation) -> tuple[Link, ...]:
    """The public addresses the cited section gives (empty if it gives none)."""
    return _links().get(citation.where, ())


def _words(text: str) -> set[str]:
    return {w.lower().replace(",", ".") for w in _WORD.findall(text)} - _STOP


def link_for(source: str) -> Link | None:
    """The address that best backs ``source``: of the sections it cites, the line sharing the most
    words and figures with the source text (the first address of the first section on a tie);
    None when the source cites no section with an address."""
    words = _words(_CITATION.sub(" ", source))
    best: tuple[int, int, Link] | None = None
    order = 0
    for c in citations(source):
        for link in links(c):
            score = len(words & _words(link.text))
            if best is None or score > best[0]:
                best = (score, order, link)
            order += 1
    return best[2] if best else None


# ------------------------------------------------------------------------------------------
# why a value is an assumption, when its source says only "assumption"
# ------------------------------------------------------------------------------------------
#: (path pattern, English, French): the item of water.md « Not found or unresolved » that says why
UNRESOLVED: tuple[tuple[str, str, str], ...] = (
    (
        r"network\.materials\..*\.weibull_",
        "no published Weibull or Shamir–Howard parameter values were found (water.md, « Not found "
        "or unresolved »)",
        "aucune valeur publiée des paramètres de Weibull ou de Shamir–Howard n'a été trouvée "
        "(water.md, « Not found or unresolved »)",
    ),
    (
        r"governance\.concession\.k_",
        "no published K-coefficient formula with its actual weights was found (water.md, « Not "
        "found or unresolved »)",
        "aucune formule de coefficient K publiée avec ses poids réels n'a été trouvée (water.md, "
        "« Not found or unresolved »)",
    ),
    (
        r"workforce\.(wage_cost|crews|crew_size)",
        "no benchmark of staff per 1,000 connections was found (water.md, « Not found or unresolved »)",
        "aucune référence d'effectif pour 1 000 branchements n'a été trouvée (water.md, « Not found "
        "or unresolved »)",
    ),
    (
        r"finance\.overheads_",
        "French shares of operating costs were not found (water.md, « Not found or unresolved »)",
        "la répartition des charges d'exploitation en France n'a pas été trouvée (water.md, « Not "
        "found or unresolved »)",
    ),
)
WHY_DEFAULT = (
    "no published figure is cited for this value: a working value, to replace by your service's own",
    "aucun chiffre publié n'est cité pour cette valeur : une valeur de travail, à remplacer par "
    "celle de votre service",
)


def assumption_why(path: str, lang: str = "fr") -> str:
    """Why a parameter whose source is a bare "assumption" is one, in ``lang``."""
    for pattern, en, fr in UNRESOLVED:
        if re.match(pattern, path):
            return fr if lang == "fr" else en
    return WHY_DEFAULT[1] if lang == "fr" else WHY_DEFAULT[0]


def _write_links(reference_dir: Path) -> None:
    data = extract_links(reference_dir)
    LINKS_FILE.write_text(
        json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"{LINKS_FILE}: {sum(len(v) for v in data.values())} addresses in {len(data)} sections")


if __name__ == "__main__":
    _write_links(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference"))
