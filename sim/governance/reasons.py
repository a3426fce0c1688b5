"""French wording of the decision reasons the governance rules write (in English) in ``decisions``.

One pattern per sentence the rules produce; numbers are kept and written the French way. A test
checks that every reason of the shipped scenarios has a French wording.
"""

from __future__ import annotations

import re
from typing import Any

_YES_NO = {"True": "oui", "False": "non"}

PATTERNS: tuple[tuple[str, Any], ...] = (
    (r"supported by (\d+) of 3 colleges", r"soutenue par \1 collège(s) sur 3"),
    (r"; another option had more votes", " ; une autre option a eu plus de voix"),
    (
        r"citizens' veto: raises the share of households above the threshold by (\S+) points \(about "
        r"(\S+) households\), more than the (\S+) tolerated",
        r"veto citoyen : augmente la part des ménages au-dessus du seuil de \1 points (environ \2 "
        r"ménages), plus que les \3 tolérés",
    ),
    (
        r"citizens' veto: raises the share of households above the threshold",
        "veto citoyen : augmente la part des ménages au-dessus du seuil",
    ),
    (r"citizens' veto: cuts the essential volume", "veto citoyen : réduit le volume essentiel"),
    (
        r"workers' college decides work organisation",
        "le collège des opérateurs (salariés) décide seul de l'organisation du travail",
    ),
    (
        r"not admissible: standing charge (\S+) % > cap (\S+) %",
        r"irrecevable : part fixe \1 % > plafond \2 %",
    ),
    (
        r"not admissible: cannot be financed at the regulated tariff \((\S+) EUR a year, (\S+) EUR of "
        r"room\)",
        r"irrecevable : ne peut être financé au tarif réglementé (\1 € par an, marge de \2 €)",
    ),
    (
        r"not admissible: does not recover costs \((\S+) % of the revenue needed\)",
        r"irrecevable : ne couvre pas les coûts (\1 % des recettes nécessaires)",
    ),
    (r"decision of the room \(decision log\)", "décision de la salle (journal des décisions)"),
    (
        r"nothing passed and the status quo does not recover costs: the admissible option keeping the "
        r"fewest households above the threshold applies",
        "rien n'a été adopté et le statu quo ne couvre pas les coûts : s'applique l'option recevable "
        "qui laisse le moins de ménages au-dessus du seuil",
    ),
    (
        r"consultative opinion \(CCSPL\): logged, not binding",
        "avis consultatif (CCSPL) : consigné, sans effet sur la décision",
    ),
    (r"tariff frozen in the year before the election", "tarif gelé l'année précédant l'élection"),
    (
        r"council decision: the option that best serves the public college's objectives",
        "décision du conseil : l'option qui sert le mieux les objectifs du collège public",
    ),
    (
        r"council decision: no option does better than the status quo for the public college",
        "décision du conseil : aucune option ne fait mieux que le statu quo pour le collège public",
    ),
    (
        r"towards cost recovery: (\S+) % needed, bounded at ±(\S+) %",
        r"vers l'équilibre : \1 % nécessaires, borné à ±\2 %",
    ),
    (r"contract indexation Kn = a \+ Σ wi·Ii/Ii0", "indexation contractuelle Kn = a + Σ wi·Ii/Ii0"),
    (
        r"realised margin (\S+) % < target (\S+) %; (\S+) % needed, at most (\S+) %",
        r"marge réalisée \1 % < cible \2 % ; \3 % nécessaires, au plus \4 %",
    ),
    (r"realised margin (\S+) % ≥ target (\S+) %", r"marge réalisée \1 % ≥ cible \2 %"),
    (
        r"re-tender: (\d+) bidders, the best saves (\S+) % of last year's costs; ",
        r"renouvellement : \1 candidats, le meilleur économise \2 % des coûts de l'an passé ; ",
    ),
    (
        r"winning bid at costs \+ (\S+) % margin (\S+) %: price (\S+) %",
        r"offre retenue aux coûts + \1 % de marge, \2 % : prix \3 %",
    ),
    (
        r"re-tender: winning bid at costs \+ (\S+) % margin (\S+) %: price (\S+) %",
        r"renouvellement : offre retenue aux coûts + \1 % de marge, \2 % : prix \3 %",
    ),
    (
        r"opening tariff at the cost of service: (\S+) EUR \(staff (\S+), energy_treatment (\S+), "
        r"overheads (\S+), self_financed_capex (\S+), debt_service (\S+), participation (\S+)\)",
        r"tarif d'ouverture au coût du service : \1 € (personnel \2, énergie et traitement \3, frais "
        r"généraux \4, investissement autofinancé \5, annuités d'emprunt \6, participation \7)",
    ),
    (
        r"; tender adds margin (\S+) % and head office (\S+) % of revenue, (\S+) EUR/m3 of delegation "
        r"overhead and taxes, (\S+) EUR of unspent renewal provision",
        r" ; l'offre ajoute une marge de \1 % et des frais de siège de \2 % des recettes, \3 €/m3 de "
        r"frais de délégation et d'impôts et \4 € de provision de renouvellement non dépensée",
    ),
    (
        r"; (\S+) % of bills expected unpaid; entered tariff scaled x(\S+)",
        r" ; \1 % des factures attendues impayées ; tarif saisi multiplié par \2",
    ),
    (
        r"contract ended; (\S+) FTE transferred; transition (\S+) EUR; assets returned: (\w+); "
        r"provisions returned: (\w+) \((\S+) EUR\)",
        lambda m: (
            f"fin du contrat ; {m[1]} ETP transférés ; transition {m[2]} € ; biens de retour "
            f"rendus : {_YES_NO.get(m[3], m[3])} ; provisions rendues : "
            f"{_YES_NO.get(m[4], m[4])} ({m[5]} €)"
        ),
    ),
    (
        r"; financed: (\S+) EUR from reserves, (\S+) EUR by a public loan at (\S+) % over (\d+) years",
        r" ; financement : \1 € pris sur les réserves, \2 € par un emprunt public à \3 % sur \4 ans",
    ),
    (
        r"regulated tariff set nationally by cost stacking: energy at the supply cost smoothed over two "
        r"years, the rest with inflation",
        "tarif réglementé fixé nationalement par empilement des coûts : l'énergie au coût "
        "d'approvisionnement lissé sur deux ans, le reste avec l'inflation",
    ),
    (
        r"; price shield: rise capped at (\S+) % instead of (\S+) %, the State pays the supplier (\S+) EUR",
        r" ; bouclier tarifaire : hausse plafonnée à \1 % au lieu de \2 %, l'État verse \3 € au fournisseur",
    ),
    (
        r"cash fell to (\S+) EUR, beyond the treasury line of (\S+) EUR: the plan is not financed",
        r"la trésorerie est tombée à \1 €, au-delà de la ligne de trésorerie de \2 € : le plan n'est "
        r"pas financé",
    ),
)


def _french_numbers(text: str) -> str:
    text = re.sub(r"(\d),(\d{3})", "\\1\u202f\\2", text)  # thousands: 1,234 -> 1 234
    text = re.sub(r"(\d),(\d{3})", "\\1\u202f\\2", text)
    return re.sub(r"(\d)\.(\d)", r"\1,\2", text)  # decimals: 1.5 -> 1,5


def reason_fr(reason: str) -> str:
    """The French wording of an English decision reason (unknown text is returned as is)."""
    out = reason
    for pattern, repl in PATTERNS:
        out = re.sub(pattern, repl, out)
    return _french_numbers(out) if out != reason else reason


def is_translated(reason: str) -> bool:
    return not reason or reason_fr(reason) != reason
