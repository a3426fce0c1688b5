"""The sections of the project's reference files that parameter sources cite, and their titles.

A parameter's source names a section of the reference files kept beside the repository
(``shared/reference/water.md`` and ``households.md``), e.g. ``"water.md §1.7: 146 L/person/day
(SDES/OFB, 2017 data)"``; that section cites the original publication of the figure. This module
reads those citations out of a source text and names each section in French and English, so the
« Hypothèses et sources » page shows which part of the references backs every default.

The titles are those of the sections' headings; a test checks them against the reference files
when they are present beside the repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: (file, section) -> (English title, French title); section "" is the whole file
SECTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("electricity.md", "4.2"): ("Chèque énergie", "Chèque énergie"),
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

    def text(self, lang: str = "fr") -> str:
        """« water.md §1.7 — Consommation et prélèvements »."""
        where = f"{self.file} §{self.section}" if self.section else self.file
        return f"{where} — {self.title(lang)}"


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
