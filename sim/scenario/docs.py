"""Documentation generated from the scenario schema, so it never drifts from the code.

:func:`iter_params` gives every parameter of the Scenario (through :mod:`sim.scenario.schema`) with its
key path, unit, default, bounds, meaning (French and English) and source. :func:`regimes_markdown` writes the "How each regime
works" page in French or English: each rule in plain words with its formula, then the table of its
parameters. ``docs/regimes.fr.md`` and ``docs/regimes.en.md`` are this output (a test checks it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sim.scenario.schema import ParamInfo
from sim.scenario.schema import iter_params as walk


def iter_params() -> Iterator[ParamInfo]:
    """Every leaf parameter of the Scenario (the schema walker of :mod:`sim.scenario.schema`)."""
    return (p for p in walk() if not p.container and "[*]" not in p.path)


def _bounds(p: ParamInfo) -> str:
    b = p.bounds
    lo = b.get("ge", b.get("gt"))
    hi = b.get("le", b.get("lt"))
    lo_s = "" if lo is None else f"{lo:g}"
    hi_s = "" if hi is None else f"{hi:g}"
    return f"{lo_s} – {hi_s}" if (lo_s or hi_s) else ""


def params_under(prefix: str) -> list[ParamInfo]:
    return [p for p in iter_params() if p.path.startswith(prefix)]


# ---------------------------------------------------------------------------------------------
# "How each regime works"
# ---------------------------------------------------------------------------------------------
_TEXT = {
    "fr": {
        "title": "Comment fonctionne chaque mode de gestion",
        "intro": (
            "La même commune, les mêmes pluies et les mêmes casses, sous trois modes de gestion. "
            "Chaque différence vient d'un paramètre nommé ou d'une règle de décision écrite ici ; "
            "aucun mode ne « gagne » par construction. Un test vérifie que deux modes dotés des "
            "mêmes paramètres financiers et de la même règle donnent exactement les mêmes résultats. "
            "« Hypothèse » signale une valeur choisie par nous faute de source publiée."
        ),
        "param": "Paramètre",
        "unit": "Unité",
        "default": "Défaut",
        "bounds": "Bornes",
        "meaning": "Signification",
        "source": "Source",
        "assumption": "hypothèse",
        "sections": [
            (
                "Délégation de service public (concession)",
                [
                    "**Qui fixe le tarif : le contrat.** Chaque année le prix de base est multiplié par "
                    "le coefficient d'indexation Kn = a + wL·L/L0 + wE·E/E0 + wT·T/T0 (salaires, énergie, "
                    "travaux publics). Les indices suivent l'inflation tirée du flux aléatoire commun, "
                    "plus une dérive et un aléa propres à chacun.",
                    "**Renouvellement** : l'obligation contractuelle (en % du linéaire par an) est "
                    "réalisée à un taux ≤ 1 ; la provision non dépensée quitte le service chaque année, "
                    "sauf si le contrat prévoit son retour.",
                    "**Argent qui sort du service** : marge de l'opérateur et frais de siège (en % des "
                    "recettes), surcoût de la gestion déléguée et impôts qu'une régie ne paie pas (en € "
                    "par m3 facturé), et le résultat d'exploitation au-delà de la réserve visée, que "
                    "l'opérateur garde — ou les pertes qu'il couvre (il porte le risque).",
                    "**Revoyure (avenant)** : tous les N ans, si la marge réalisée (recettes − charges − "
                    "investissement autofinancé − annuités) / recettes est sous la cible t, le prix augmente "
                    "de (1 − m)/(1 − t) − 1, la hausse qui rétablit la marge visée, plafonnée.",
                    "**Fin du contrat** : renouvellement (les offres valent les coûts de la dernière année "
                    "plus la marge visée, moins un rabais concurrentiel) ou retour en régie ou en communs : la marge et les frais cessent, le "
                    "personnel est transféré, un coût de transition est payé, les biens de retour "
                    "reviennent (sinon ils sont rachetés à leur valeur nette comptable).",
                    "**Comité d'usagers (CCSPL)** : consultatif ; ses avis sont consignés avec "
                    "« binding = false » et ne changent jamais rien.",
                ],
                [
                    "governance.concession",
                    "finance.operator_margin_pct",
                    "finance.head_office_fee_pct",
                    "finance.delegation_overhead_eur_per_m3",
                    "finance.corporate_tax_eur_per_m3",
                ],
            ),
            (
                "Régie publique",
                [
                    "**Qui fixe le tarif : le conseil**, vers l'équilibre : recettes visées = charges de "
                    "l'année (exploitation, annuités, investissement autofinancé) + (réserve visée − "
                    "trésorerie) / nombre d'années, divisées par (1 − taux d'impayés). Le tarif bouge du "
                    "facteur nécessaire, borné à ± la variation maximale par an.",
                    "**Gel électoral** : l'année qui précède une élection municipale, le tarif est gelé "
                    "(en euros courants).",
                    "**Emprunts publics** (Aqua Prêt : Livret A + 0,4 %) ; rien ne sort du service.",
                    "**Comité d'usagers (CCSPL)** : consultatif.",
                ],
                ["governance.council", "finance.interest_rate_pct", "finance.loan_term_years"],
            ),
            (
                "Communs : co-gouvernance par un comité d'usagers",
                [
                    "**Qui décide : le comité**, en trois collèges (acteurs publics, opérateurs à "
                    "majorité de salariés, citoyens). Chaque année il vote le tarif, le renouvellement, "
                    "les règles d'usage et les programmes de contribution.",
                    "**Propositions** (procédure, pas résultat) : garder le tarif indexé ; hausse ou "
                    "baisse uniforme pour équilibrer ; tranches progressives (essentiel, utile, confort) ; "
                    "15 premiers m3 gratuits ; tarif social pour les déciles 1 et 2. Règles d'usage : restreindre "
                    "plus tôt ; priorité aux usages domestiques (les usages extérieurs cèdent plus tôt) ; "
                    "volume essentiel relevé ; en crise, rationnement du volume essentiel. Chaque variante est "
                    "ajustée pour lever les recettes visées, puis vérifiée : plafond légal de la part "
                    "fixe et couverture des coûts (à la tolérance près). Si garder le tarif ne couvre pas "
                    "les coûts, il n'est pas soumis au vote.",
                    "**Vote** : chaque collège note les options selon ses objectifs déclarés (poids "
                    "dans sim/governance/committee.py : budget, accessibilité, facture, réseau, ressource, coût, "
                    "volume essentiel) ; "
                    "chaque membre vote pour une option contre le statu quo si la note de son collège "
                    "s'améliore, à son jugement près (tiré du flux « committee »). Une option passe avec "
                    "la majorité des collèges ; entre plusieurs, celle qui a le plus de voix.",
                    "**Veto citoyen** : le collège citoyen bloque une option qui augmente la part des "
                    "ménages au-dessus du seuil (3 % du revenu) ou réduit le volume essentiel.",
                    "**Organisation du travail** : le collège des opérateurs décide seul des équipes "
                    "(une équipe de plus quand la charge approche le seuil d'heures supplémentaires).",
                    "**Contribution** : signalement citoyen des fuites (délai de signalement réduit) et "
                    "campagnes d'économies (demande réduite) ; la participation coûte de l'animation "
                    "(ETP) et des réunions.",
                    "**Parts citoyennes (SCIC)** : apport en trésorerie, intérêt plafonné.",
                ],
                ["governance.committee"],
            ),
            (
                "Indice de communalité (ses composantes, jamais agrégées)",
                [
                    "**usage_inclusion_pct** : ménages dont la facture (avec assainissement) reste sous "
                    "le seuil d'accessibilité et qui n'ont jamais été rationnés dans l'année.",
                    "**governance_inclusion_pct** : moyenne, sur les décisions contraignantes de "
                    "l'année, du poids des usagers et des salariés (comité : sièges citoyens + "
                    "opérateurs / tous les sièges ; organisation du travail : 100 % ; conseil ou "
                    "contrat : 0 %).",
                    "**resource_preservation_pct** : stock de la ressource / stock au départ.",
                    "**network_condition_index** : casses attendues par km / au départ (moins de 1 = mieux).",
                ],
                [],
            ),
        ],
    },
    "en": {
        "title": "How each regime works",
        "intro": (
            "The same town, the same rain and the same pipe failures, under three regimes. Every "
            "difference comes from a named parameter or a decision rule written here; no regime "
            '"wins" by construction. A test checks that two regimes given the same money '
            'parameters and the same rule give exactly the same results. "Assumption" marks a '
            "value we chose for want of a published source."
        ),
        "param": "Parameter",
        "unit": "Unit",
        "default": "Default",
        "bounds": "Bounds",
        "meaning": "Meaning",
        "source": "Source",
        "assumption": "assumption",
        "sections": [
            (
                "Private concession (DSP)",
                [
                    "**Who sets the tariff: the contract.** Each year the base price is multiplied by "
                    "the indexation coefficient Kn = a + wL·L/L0 + wE·E/E0 + wT·T/T0 (labour, energy, "
                    "public works). The indices follow the inflation drawn from the common random "
                    "stream, plus a drift and a spread of their own.",
                    "**Renewal**: the contractual obligation (% of length per year) is carried out at a "
                    "rate ≤ 1; the unspent provision leaves the service each year unless the contract "
                    "returns it.",
                    "**Money leaving the service**: operator margin and head-office fees (% of revenue), "
                    "delegated-management overhead and taxes a régie does not pay (€ per m3 billed), and "
                    "the operating result above the reserve target, which the operator keeps — or the "
                    "losses it covers (it bears the risk).",
                    "**Renegotiation (avenant)**: every N years, if the realised margin (revenue − "
                    "opex − self-financed capex − debt service) / revenue m is below the target t, "
                    "the price rises by (1 − m)/(1 − t) − 1, the rise that restores the target, capped.",
                    "**Contract end**: re-tender (bids are last year's costs plus the target margin, less "
                    "a competitive discount) or return to a régie or a commons: margin and fees stop, staff are transferred, a "
                    "transition cost is paid, return goods come back (otherwise they are bought back at "
                    "net book value).",
                    "**User committee (CCSPL)**: consultative; its opinions are logged with "
                    '"binding = false" and never change anything.',
                ],
                [
                    "governance.concession",
                    "finance.operator_margin_pct",
                    "finance.head_office_fee_pct",
                    "finance.delegation_overhead_eur_per_m3",
                    "finance.corporate_tax_eur_per_m3",
                ],
            ),
            (
                "Public régie",
                [
                    "**Who sets the tariff: the council**, towards cost recovery: revenue to raise = the "
                    "year's costs (opex, debt service, self-financed capex) + (reserve target − cash) / "
                    "years, divided by (1 − unpaid rate). The tariff moves by the factor needed, bounded "
                    "at ± the largest yearly change.",
                    "**Election freeze**: in the year before a municipal election the tariff is frozen "
                    "(in current euros).",
                    "**Public loans** (Aqua Prêt: Livret A + 0.4 %); nothing leaves the service.",
                    "**User committee (CCSPL)**: consultative.",
                ],
                ["governance.council", "finance.interest_rate_pct", "finance.loan_term_years"],
            ),
            (
                "Commons co-governance by a user committee",
                [
                    "**Who decides: the committee**, in three colleges (public actors, operators with a "
                    "worker majority, citizens). Each year it votes the tariff, renewal, usage rules and "
                    "contribution programmes.",
                    "**Proposals** (a procedure, not an outcome): keep the indexed tariff; uniform change "
                    "to balance; progressive blocks (essential, useful, comfort); first 15 m3 free; social "
                    "tariff for deciles 1 and 2. Usage rules: restrict earlier; priority to household uses "
                    "(outdoor uses give way earlier); a higher protected essential volume; in a crisis, "
                    "rationing of the essential volume. Each variant is scaled to raise the revenue needed, then "
                    "checked: legal standing-charge cap and cost recovery (within tolerance). If keeping "
                    "the tariff does not recover costs, it is not put to the vote.",
                    "**Votes**: each college scores options by its stated objectives (weights in "
                    "sim/governance/committee.py: budget, affordability, bill, network, resource, cost, essential "
                    "volume); each member "
                    "votes for an option against the status quo when the college score improves, give or "
                    'take a personal judgement (drawn from the "committee" stream). An option passes with '
                    "a majority of colleges; among several, the one with most votes.",
                    "**Citizens' veto**: the citizens' college blocks an option that raises the share of "
                    "households above the threshold (3 % of income) or cuts the essential volume.",
                    "**Work organisation**: the operators' college alone decides crews (one more crew "
                    "when the load nears the overtime threshold).",
                    "**Contribution**: citizen leak reporting (shorter reporting delay) and conservation "
                    "campaigns (lower demand); participation costs facilitation (FTE) and meetings.",
                    "**Citizen shares (SCIC)**: cash in, capped interest.",
                ],
                ["governance.committee"],
            ),
            (
                "Communality index (its components, never aggregated)",
                [
                    "**usage_inclusion_pct**: households whose bill (with sewerage) stays under the "
                    "affordability threshold and who were never rationed in the year.",
                    "**governance_inclusion_pct**: mean, over the year's binding decisions, of the weight "
                    "held by users and workers (committee: citizens' + operators' seats / all seats; "
                    "work organisation: 100 %; council or contract: 0 %).",
                    "**resource_preservation_pct**: resource stock / stock at the start.",
                    "**network_condition_index**: expected breaks per km / at the start (below 1 = better).",
                ],
                [],
            ),
        ],
    },
}


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_fmt(x) for x in v)
    if v is None:
        return "—"
    return str(v).replace("|", "/")


def regimes_markdown(lang: str = "fr") -> str:
    """The "How each regime works" page as Markdown, in French or English."""
    t = _TEXT["fr" if lang == "fr" else "en"]
    out: list[str] = [f"# {t['title']}", "", str(t["intro"]), ""]
    params = list(iter_params())
    for title, paras, prefixes in t["sections"]:
        out += [f"## {title}", ""]
        out += [f"- {p}" for p in paras]
        out.append("")
        rows = [
            p
            for p in params
            if any(p.path.startswith(pre) for pre in prefixes)
            and not p.path.endswith("decision_log")
            and not p.path.endswith("stop_at_meeting")
        ]
        if rows:
            out.append(
                f"| {t['param']} | {t['unit']} | {t['default']} | {t['bounds']} | "
                f"{t['meaning']} | {t['source']} |"
            )
            out.append("|---|---|---|---|---|---|")
            for p in rows:
                src = p.source_in(lang).replace("|", "/")
                for word in ("assumption", "Hypothèse"):
                    if src.startswith(word):
                        src = f"**{t['assumption']}**" + src[len(word) :]
                out.append(
                    f"| `{p.path}` | {p.unit_in(lang)} | {_fmt(p.default)} | {_bounds(p)} | "
                    f"{p.meaning(lang)} | {src} |"
                )
            out.append("")
    return "\n".join(out)


def write_docs(folder: str = "docs") -> None:
    """Regenerate ``docs/regimes.fr.md`` and ``docs/regimes.en.md`` (``python -m sim.scenario.docs``)."""
    from pathlib import Path

    out = Path(folder)
    out.mkdir(exist_ok=True)
    for lang in ("fr", "en"):
        (out / f"regimes.{lang}.md").write_text(regimes_markdown(lang) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_docs()
