"""French and English texts of the workshop (page, debrief, messages).

Kept here rather than in the shared locale catalogues so the workshop can change its wording on
its own; both dicts have the same keys (a test checks it) and the same ``str.format`` fields.
French is the default language.
"""

from __future__ import annotations

from typing import Any

from sim.i18n import fmt_number
from sim.i18n import has_key as locale_has_key
from sim.i18n import t as locale_t

FR: dict[str, str] = {
    # general
    "app_title": "Atelier — le comité d'usagers, c'est vous",
    "app_intro": "Par petits groupes, vous prenez les décisions du comité d'usagers tour par tour "
    "(un tour = une année). Le simulateur montre avant chaque vote ce que chaque option "
    "changerait, puis le bilan compare vos choix à ceux de la procédure.",
    "lang_label": "Langue",
    "sep": " : ",
    "yes": "oui",
    "no": "non",
    "round_n": "tour {n}",
    "round_of": "Tour {n} sur {rounds}",
    # colleges, regimes, items
    "college_public": "Collège public (élus, collectivités)",
    "college_operators": "Collège des opérateurs (salariés du service)",
    "college_citizens": "Collège citoyen (usagers, associations)",
    "college_auto": "Me placer dans le collège le moins rempli",
    "college_short_public": "Public",
    "college_short_operators": "Opérateurs",
    "college_short_citizens": "Citoyens",
    "regime_commons": "Communs (comité décisionnel)",
    "regime_regie": "Régie publique (comité consultatif)",
    "regime_concession": "Délégation de service public (comité consultatif)",
    "item_tariff": "Tarif de l'eau",
    "item_renewal": "Renouvellement du réseau",
    "item_usage": "Règles d'usage en sécheresse",
    "item_contribution": "Contribution des usagers",
    "item_work_organisation": "Organisation du travail",
    "item_community_pv": "Photovoltaïque citoyen",
    "item_essential_block": "Tranche de kWh essentiels",
    "item_social_fund": "Fonds social pour les impayés",
    "item_power_limitation": "Politique de limitation de puissance",
    # what is kept, and for how long (join page, export)
    "privacy_title": "Vos données",
    "privacy_kept": "Ce qui est gardé : le nom ou pseudonyme que vous donnez (un pseudonyme suffit), votre collège, vos votes, vos propositions et vos remarques du cahier. Ils servent à l'atelier et à son bilan ; l'animateur les voit et peut les remettre au groupe qui organise l'atelier. Rien d'autre n'est gardé (pas d'adresse e-mail ; votre navigateur garde votre place {seat_days} jours).",
    "privacy_days": "Sur ce serveur, l'atelier est effacé entièrement {days} jours au plus tard après sa création, ou plus tôt si l'animateur l'efface.",
    "privacy_manual": "Ils restent sur l'ordinateur qui fait tourner l'atelier jusqu'à ce que l'animateur l'efface (regie-sim workshop purge).",
    "export_title": "Atelier {code}",
    "export_meta": "{regime} · {rounds} tours · créé le {created}",
    "export_meta_one": "{regime} · {rounds} tour · créé le {created}",
    "export_participants": "Participants ({n})",
    "export_decisions": "Décisions",
    # landing
    "join_title": "Rejoindre un atelier",
    "code_label": "Code de l'atelier (6 caractères)",
    "join_button": "Rejoindre",
    "facilitate_title": "Animer un atelier",
    "facilitate_button": "Créer un atelier",
    # facilitator: creation
    "new_session": "Nouvel atelier",
    "scenario_label": "Scénario",
    "scenario_upload": "…ou déposer un scénario YAML",
    "regime_label": "Mode de gestion",
    "rounds_label": "Nombre de tours (un tour = une année)",
    "create_button": "Créer l'atelier",
    "bad_scenario": "Ce scénario ne peut pas être utilisé : {detail}",
    # facilitator: running
    "session_title": "Atelier {code}",
    "keep_link_facilitator": "Gardez l'adresse de cette page : c'est votre clé d'animation. "
    "Vous pourrez y revenir après une coupure.",
    "join_at": "Pour rejoindre : scannez le code ou ouvrez l'adresse ci-dessous, code {code}.",
    "participants_title": "Participants",
    "participants_count": "{n} participant(s)",
    "state_lobby": "Les participants rejoignent l'atelier. Le vote n'est pas encore ouvert.",
    "state_voting": "Vote ouvert.",
    "state_review": "Vote clos. Résultats du tour précédent ci-dessous.",
    "state_finished": "Atelier terminé.",
    "open_vote": "Ouvrir le vote du tour {n}",
    "close_vote": "Clore le vote et appliquer les décisions",
    "closed_ok": "Tour {n} clos : décisions enregistrées.",
    "live_title": "Votes en cours",
    "live_hidden": "Les choix restent cachés jusqu'à la clôture du vote : seul le nombre de votants s'affiche.",
    "secret_title": "Accès animateur",
    "secret_label": "Mot de passe de l'animateur",
    "secret_button": "Entrer",
    "secret_wrong": "Mot de passe incorrect.",
    "secret_help": "Ce serveur demande le mot de passe de l'animateur pour créer et animer un atelier.",
    "voters_n": "{n} vote(s)",
    "no_votes_yet": "Aucun vote pour l'instant.",
    "last_decisions": "Décisions du tour {n}",
    "agenda_title": "Ordre du jour du tour {n} ({year})",
    "debrief_button": "Voir le bilan",
    "download_html": "Télécharger le bilan (HTML imprimable)",
    "download_zip": "Télécharger les données (CSV)",
    "cahier_title": "Cahier de l'atelier",
    "provisional_debrief": "Bilan provisoire",
    # participant
    "you_are": "Vous participez en tant que",
    "keep_link_participant": "Gardez l'adresse de cette page (marque-page) : elle vous ramène à "
    "votre place si la page se ferme.",
    "name_label": "Votre prénom ou celui de votre groupe",
    "college_label": "Votre collège",
    "wait_lobby": "L'animation va ouvrir le vote. La page se met à jour toute seule.",
    "wait_review": "Le vote est clos. Voici les décisions ; l'animation ouvrira le tour suivant.",
    "finished_thanks": "L'atelier est terminé. Merci ! Voici les décisions prises.",
    "vote_button": "Voter",
    "vote_ok": "Vote enregistré : {option}. Vous pouvez le changer jusqu'à la clôture.",
    "your_vote": "Votre vote : {option}",
    "not_admissible": "non recevable : {why}",
    "workers_only": "Le collège des opérateurs (les salariés) décide seul de l'organisation du travail.",
    "consultative_badge": "Avis consultatif : le conseil (ou le contrat) décide.",
    "procedure_choice": "Choix de la procédure si personne ne vote : {option}",
    "variant_title": "Proposer une variante",
    "variant_label": "Votre variante (elle sera lue en séance et gardée au cahier)",
    "variant_button": "Proposer",
    "variant_ok": "Variante enregistrée.",
    "comment_title": "Écrire au cahier de l'atelier",
    "comment_label": "Votre remarque",
    "comment_button": "Ajouter au cahier",
    "comment_ok": "Ajouté au cahier.",
    "bills_chart": "Facture annuelle moyenne par décile de revenu (€)",
    # effects
    "eff_price_120m3_eur_per_m3": "Prix du m3 (facture 120 m3)",
    "eff_share_above_pct": "Ménages au-delà de 3 % du revenu",
    "eff_recovery": "Couverture des coûts",
    "eff_median_bill_change_pct": "Facture médiane",
    "eff_pays_more_pct": "Ménages qui paient plus",
    "eff_extra_cost_eur_per_year": "Coût supplémentaire par an",
    "eff_load": "Charge des équipes (1 = seuil d'heures sup.)",
    "guide_link": "Guide d'animation : préparer, animer, débriefer",
    # option cards (participants, phone-sized)
    "cards_low": "Facture annuelle, revenus modestes (déciles 1 à 3)",
    "cards_middle": "Facture annuelle, revenus moyens (déciles 4 à 7)",
    "cards_high": "Facture annuelle, revenus aisés (déciles 8 à 10)",
    "cards_budget": "Budget du service (couverture des coûts)",
    "cards_details": "Tableau et graphique détaillés",
    "preview_cards": "Options en bref",
    # citizens' veto
    "veto_title": "Veto citoyen possible",
    "veto_harm_share": "« {option} » ferait passer la part des ménages au-dessus du seuil "
    "d'accessibilité de {ref} % à {share} %.",
    "veto_harm_essential": "« {option} » réduit le volume d'eau essentiel.",
    "veto_explain_citizens": "Votre collège peut bloquer cette option : si la majorité des "
    "citoyens présents ne la soutient pas, elle est écartée même si les deux autres collèges la "
    "votent. Le bouton met votre voix sur « {keep} ».",
    "veto_explain_others": "Le collège citoyen peut bloquer cette option : si la majorité des "
    "citoyens présents ne la soutient pas, elle est écartée même si deux collèges la votent.",
    "veto_button": "Veto contre « {option} »",
    "veto_ok": "Veto enregistré : votre voix va à « {keep} ».",
    "veto_used": "Veto citoyen utilisé — {item} : « {option} » a été bloquée. {why} « {kept} » s'applique.",
    # reasons
    "reason_adopted": "adopté par une majorité de collèges",
    "reason_workers_decide": "décidé par le collège des opérateurs",
    "reason_no_majority": "pas de majorité : la situation actuelle est maintenue",
    "reason_workers_no_majority": "pas de majorité chez les opérateurs : situation maintenue",
    "reason_vetoed": "veto citoyen : l'option retenue aggravait l'accessibilité ou réduisait le "
    "volume essentiel ; la situation actuelle est maintenue",
    "reason_no_votes": "aucun vote : choix de la procédure",
    "reason_consultative": "avis consultatif",
    # debrief
    "debrief_title": "Bilan de l'atelier",
    "debrief_subtitle": "Atelier {code} · {town} · {regime} · {rounds} tour(s) · {participants} "
    "participant(s) · {households} ménages simulés · graine {seed}",
    "note_consultative": "Sous ce mode de gestion, le comité d'usagers est consultatif : l'avis de "
    "la salle est consigné, mais le conseil ou le contrat fixe le tarif. "
    "Les résultats ne changent donc pas : c'est ce que mesure ce bilan.",
    "sec_decisions": "Les décisions, tour par tour",
    "votes_legend": "Voix pour l'option retenue, par collège : public / opérateurs / citoyens ; « — » : moins de 3 votants dans le collège, le détail n'est pas montré.",
    "no_decisions": "Aucune décision pour l'instant.",
    "sec_outcomes": "Ce que vos décisions ont changé",
    "outcomes_intro": "Vos décisions comparées à celles de la procédure du comité, sur les mêmes "
    "aléas (même graine : mêmes sécheresses, mêmes casses).",
    "sec_deciles": "Qui gagne, qui perd : facture moyenne par décile de revenu en {year}",
    "gained": "Paient moins avec vos décisions : déciles {deciles}",
    "lost": "Paient plus avec vos décisions : déciles {deciles}",
    "gained_none": "Aucun décile ne paie moins avec vos décisions.",
    "lost_none": "Aucun décile ne paie plus avec vos décisions.",
    "fig_deciles": "Écart de facture annuelle (vos décisions − procédure)",
    "sec_cahier": "Le cahier de l'atelier",
    "cahier_empty": "Le cahier est vide.",
    "variants": "Variantes proposées",
    "comments": "Remarques",
    "sec_reproduce": "Refaire le calcul",
    "reproduce": "L'archive CSV contient scenario.yaml, qui rejoue exactement ces décisions : "
    "regie-sim run scenario.yaml",
    "printed": "Édité le {when}.",
    "run_room": "vos décisions",
    "run_baseline": "procédure",
    "ind_price_120m3_eur_per_m3": "Prix du m3 pour 120 m3 (€/m3)",
    "ind_share_households_above_3pct": "Ménages au-delà de 3 % du revenu (%)",
    "ind_reserves_eur": "Réserves (€)",
    "col_round": "Tour",
    "col_year": "Année",
    "col_item": "Point",
    "col_option": "Décision",
    "col_votes": "Voix P / O / C",
    "col_veto": "Veto",
    "col_reason": "Pourquoi",
    "col_college": "Collège",
    "col_name": "Nom",
    "col_decile": "Décile",
    "col_bill_room": "Facture, vos décisions (€)",
    "col_bill_baseline": "Facture, procédure (€)",
    "col_difference": "Écart (€/an)",
    "col_option_votes": "Option",
    "tv_title": "Proposer une variante de tarif (mise au vote)",
    "tv_intro": "Part fixe, volume gratuit et 1 à 3 tranches. Le simulateur l'ajuste aux recettes "
    "nécessaires, montre ses effets, et chacun peut voter pour elle. "
    "{n} variantes au plus par tour.",
    "tv_standing": "Part fixe (€/an, HT)",
    "tv_free": "Volume gratuit (m3/an)",
    "tv_nblocks": "Nombre de tranches",
    "tv_up_to": "Tranche {n} : jusqu'à (m3/an)",
    "tv_price": "Tranche {n} : prix (€/m3 HT)",
    "tv_button": "Proposer cette variante",
    "tv_ok": "Variante enregistrée : elle est mise au vote comme « {option} ».",
    "tv_list": "Variantes de tarif de ce tour",
    "tv_delete": "Retirer la variante {n}",
    "tv_deleted": "Variante retirée ; les votes pour elle sont annulés.",
    "tv_summary": "part fixe {sc} €/an, {free} m3 gratuits, {blocks}",
    "tv_block": "{price} €/m3 jusqu'à {up} m3",
    "tv_block_last": "{price} €/m3 au-delà",
    "col_proposed_by": "Proposée par",
    "col_tariff": "Tarif proposé",
    "tv_option": "Variante proposée n° {n}",
    "err_variant": "Variante refusée — {where} : {problem}",
    "vf_standing_charge": "part fixe (€/an)",
    "vf_free_volume": "volume gratuit (m3/an)",
    "vf_block_up_to": "tranche {n}, borne haute (m3/an)",
    "vf_block_price": "tranche {n}, prix (€/m3 HT)",
    "vf_blocks": "tranches",
    "vf_tariff": "tarif",
    "vp_range": "doit être entre {lo} et {hi}",
    "vp_increasing": "doit dépasser la borne de la tranche {m}",
    "vp_count": "de 1 à {n} tranches",
    "vp_cap": "la part fixe ferait {share} % d'une facture de 120 m3, au-delà du plafond légal de {cap} %",
    "vp_model": "{msg}",
    # errors
    "err_not_found": "Atelier introuvable : vérifiez le code.",
    "err_forbidden": "Lien non reconnu pour cet atelier.",
    "err_full": "Toutes les places de ce collège sont prises : choisissez un autre collège ou demandez à l'animateur.",
    "seats_label": "Places du collège « {college} » (0 : sans limite)",
    "seats_title": "Places par collège",
    "seats_button": "Enregistrer les places",
    "seats_ok": "Places enregistrées.",
    "seats_of": "{n} / {seats} places",
    "err_conflict": "Action impossible maintenant : {detail}",
    "err_bad_input": "Saisie refusée : {detail}",
}

EN: dict[str, str] = {
    "app_title": "Workshop — you are the user committee",
    "app_intro": "In small groups, you take the user committee's decisions round by round "
    "(one round = one year). Before each vote the simulator shows what each option "
    "would change; the debrief then compares your choices with the procedure's.",
    "lang_label": "Language",
    "sep": ": ",
    "yes": "yes",
    "no": "no",
    "round_n": "round {n}",
    "round_of": "Round {n} of {rounds}",
    "college_public": "Public college (councillors, local authorities)",
    "college_operators": "Operators' college (the service's workers)",
    "college_citizens": "Citizens' college (users, associations)",
    "college_auto": "Put me in the least-filled college",
    "college_short_public": "Public",
    "college_short_operators": "Operators",
    "college_short_citizens": "Citizens",
    "regime_commons": "Commons (deciding committee)",
    "regime_regie": "Public régie (consultative committee)",
    "regime_concession": "Private concession (consultative committee)",
    "item_tariff": "Water tariff",
    "item_renewal": "Network renewal",
    "item_usage": "Drought usage rules",
    "item_contribution": "Users' contribution",
    "item_work_organisation": "Work organisation",
    "item_community_pv": "Community PV",
    "item_essential_block": "Essential-kWh block",
    "item_social_fund": "Social fund for unpaid bills",
    "item_power_limitation": "Power-limitation policy",
    # what is kept, and for how long (join page, export)
    "privacy_title": "Your data",
    "privacy_kept": "What is kept: the name or nickname you give (a nickname is enough), your college, your votes, your proposals and your notebook remarks. They serve the workshop and its debrief; the facilitator sees them and may hand them to the group that organises the workshop. Nothing else is kept (no e-mail address; your browser keeps your seat for {seat_days} days).",
    "privacy_days": "On this server the workshop is deleted entirely at most {days} days after it was created, or sooner if the facilitator deletes it.",
    "privacy_manual": "They stay on the computer running the workshop until the facilitator deletes it (regie-sim workshop purge).",
    "export_title": "Workshop {code}",
    "export_meta": "{regime} · {rounds} rounds · created {created}",
    "export_meta_one": "{regime} · {rounds} round · created {created}",
    "export_participants": "Participants ({n})",
    "export_decisions": "Decisions",
    "join_title": "Join a workshop",
    "code_label": "Workshop code (6 characters)",
    "join_button": "Join",
    "facilitate_title": "Facilitate a workshop",
    "facilitate_button": "Create a workshop",
    "new_session": "New workshop",
    "scenario_label": "Scenario",
    "scenario_upload": "…or upload a YAML scenario",
    "regime_label": "Who runs the service",
    "rounds_label": "Number of rounds (one round = one year)",
    "create_button": "Create the workshop",
    "bad_scenario": "This scenario cannot be used: {detail}",
    "session_title": "Workshop {code}",
    "keep_link_facilitator": "Keep this page's address: it is your facilitator key. "
    "You can come back to it after an interruption.",
    "join_at": "To join: scan the code or open the address below, code {code}.",
    "participants_title": "Participants",
    "participants_count": "{n} participant(s)",
    "state_lobby": "Participants are joining. The vote is not open yet.",
    "state_voting": "Vote open.",
    "state_review": "Vote closed. Results of the last round below.",
    "state_finished": "Workshop finished.",
    "open_vote": "Open the vote of round {n}",
    "close_vote": "Close the vote and apply the decisions",
    "closed_ok": "Round {n} closed: decisions recorded.",
    "live_title": "Votes so far",
    "live_hidden": "Choices stay hidden until the vote closes: only the number of voters is shown.",
    "secret_title": "Facilitator access",
    "secret_label": "Facilitator password",
    "secret_button": "Enter",
    "secret_wrong": "Wrong password.",
    "secret_help": "This server asks for the facilitator's password to create and run a workshop.",
    "voters_n": "{n} vote(s)",
    "no_votes_yet": "No votes yet.",
    "last_decisions": "Decisions of round {n}",
    "agenda_title": "Agenda of round {n} ({year})",
    "debrief_button": "Show the debrief",
    "download_html": "Download the debrief (printable HTML)",
    "download_zip": "Download the data (CSV)",
    "cahier_title": "Workshop notebook",
    "provisional_debrief": "Debrief so far",
    "you_are": "You take part as",
    "keep_link_participant": "Keep this page's address (bookmark it): it brings you back to your "
    "place if the page closes.",
    "name_label": "Your first name or your group's name",
    "college_label": "Your college",
    "wait_lobby": "The facilitator will open the vote. This page updates by itself.",
    "wait_review": "The vote is closed. Here are the decisions; the facilitator will open the next round.",
    "finished_thanks": "The workshop is over. Thank you! Here are the decisions taken.",
    "vote_button": "Vote",
    "vote_ok": "Vote recorded: {option}. You can change it until the vote closes.",
    "your_vote": "Your vote: {option}",
    "not_admissible": "not admissible: {why}",
    "workers_only": "The operators' college (the workers) decides work organisation alone.",
    "consultative_badge": "Consultative opinion: the council (or the contract) decides.",
    "procedure_choice": "The procedure's choice if nobody votes: {option}",
    "variant_title": "Propose a variant",
    "variant_label": "Your variant (it will be read out and kept in the notebook)",
    "variant_button": "Propose",
    "variant_ok": "Variant recorded.",
    "comment_title": "Write in the workshop notebook",
    "comment_label": "Your remark",
    "comment_button": "Add to the notebook",
    "comment_ok": "Added to the notebook.",
    "bills_chart": "Mean yearly bill by income decile (€)",
    "eff_price_120m3_eur_per_m3": "Price per m3 (120 m3 bill)",
    "eff_share_above_pct": "Households above 3 % of income",
    "eff_recovery": "Cost recovery",
    "eff_median_bill_change_pct": "Median bill",
    "eff_pays_more_pct": "Households paying more",
    "eff_extra_cost_eur_per_year": "Extra cost per year",
    "eff_load": "Crew workload (1 = overtime threshold)",
    "guide_link": "Facilitator guide: prepare, run, debrief",
    # option cards (participants, phone-sized)
    "cards_low": "Yearly bill, low incomes (deciles 1 to 3)",
    "cards_middle": "Yearly bill, middle incomes (deciles 4 to 7)",
    "cards_high": "Yearly bill, high incomes (deciles 8 to 10)",
    "cards_budget": "Service budget (cost recovery)",
    "cards_details": "Detailed table and chart",
    "preview_cards": "Options at a glance",
    # citizens' veto
    "veto_title": "Citizens' veto possible",
    "veto_harm_share": "“{option}” would raise the share of households above the affordability "
    "threshold from {ref} % to {share} %.",
    "veto_harm_essential": "“{option}” cuts the essential volume of water.",
    "veto_explain_citizens": "Your college can block this option: if a majority of the citizens "
    "present do not support it, it is set aside even if the two other colleges vote for it. The "
    "button puts your vote on “{keep}”.",
    "veto_explain_others": "The citizens' college can block this option: if a majority of the "
    "citizens present do not support it, it is set aside even if two colleges vote for it.",
    "veto_button": "Veto against “{option}”",
    "veto_ok": "Veto recorded: your vote goes to “{keep}”.",
    "veto_used": "Citizens' veto used — {item}: “{option}” was blocked. {why} “{kept}” applies.",
    "reason_adopted": "adopted by a majority of colleges",
    "reason_workers_decide": "decided by the operators' college",
    "reason_no_majority": "no majority: the current situation stays",
    "reason_workers_no_majority": "no majority among the operators: the current situation stays",
    "reason_vetoed": "citizens' veto: the option worsened affordability or cut the essential "
    "volume; the current situation stays",
    "reason_no_votes": "no votes: the procedure's choice",
    "reason_consultative": "consultative opinion",
    "debrief_title": "Workshop debrief",
    "debrief_subtitle": "Workshop {code} · {town} · {regime} · {rounds} round(s) · {participants} "
    "participant(s) · {households} simulated households · seed {seed}",
    "note_consultative": "Under this regime the user committee is consultative: the room's opinion "
    "is recorded, but the council or the contract sets the tariff. The "
    "outcomes therefore do not change: that is what this debrief measures.",
    "sec_decisions": "The decisions, round by round",
    "votes_legend": "Votes for the option taken, by college: public / operators / citizens; '—': fewer than 3 voters in the college, the detail is not shown.",
    "no_decisions": "No decisions yet.",
    "sec_outcomes": "What your decisions changed",
    "outcomes_intro": "Your decisions compared with the committee procedure's, under the same "
    "luck (same seed: same droughts, same pipe breaks).",
    "sec_deciles": "Who gains, who loses: mean bill by income decile in {year}",
    "gained": "Pay less with your decisions: deciles {deciles}",
    "lost": "Pay more with your decisions: deciles {deciles}",
    "gained_none": "No decile pays less with your decisions.",
    "lost_none": "No decile pays more with your decisions.",
    "fig_deciles": "Difference in yearly bill (your decisions − procedure)",
    "sec_cahier": "The workshop notebook",
    "cahier_empty": "The notebook is empty.",
    "variants": "Variants proposed",
    "comments": "Remarks",
    "sec_reproduce": "Reproduce the figures",
    "reproduce": "The CSV archive holds scenario.yaml, which replays exactly these decisions: "
    "regie-sim run scenario.yaml",
    "printed": "Printed on {when}.",
    "run_room": "your decisions",
    "run_baseline": "procedure",
    "ind_price_120m3_eur_per_m3": "Price per m3 for 120 m3 (€/m3)",
    "ind_share_households_above_3pct": "Households above 3 % of income (%)",
    "ind_reserves_eur": "Reserves (€)",
    "col_round": "Round",
    "col_year": "Year",
    "col_item": "Item",
    "col_option": "Decision",
    "col_votes": "Votes P / O / C",
    "col_veto": "Veto",
    "col_reason": "Why",
    "col_college": "College",
    "col_name": "Name",
    "col_decile": "Decile",
    "col_bill_room": "Bill, your decisions (€)",
    "col_bill_baseline": "Bill, procedure (€)",
    "col_difference": "Difference (€/yr)",
    "col_option_votes": "Option",
    "tv_title": "Propose a tariff variant (put to the vote)",
    "tv_intro": "Standing charge, free volume and 1 to 3 blocks. The simulator scales it to the "
    "revenue needed, shows its effects, and everyone can vote for it. "
    "At most {n} variants a round.",
    "tv_standing": "Standing charge (€/yr, excl. tax)",
    "tv_free": "Free volume (m3/yr)",
    "tv_nblocks": "Number of blocks",
    "tv_up_to": "Block {n}: up to (m3/yr)",
    "tv_price": "Block {n}: price (€/m3 excl. tax)",
    "tv_button": "Propose this variant",
    "tv_ok": "Variant recorded: it is put to the vote as “{option}”.",
    "tv_list": "Tariff variants of this round",
    "tv_delete": "Withdraw variant {n}",
    "tv_deleted": "Variant withdrawn; the votes for it are cancelled.",
    "tv_summary": "standing charge {sc} €/yr, {free} m3 free, {blocks}",
    "tv_block": "{price} €/m3 up to {up} m3",
    "tv_block_last": "{price} €/m3 beyond",
    "col_proposed_by": "Proposed by",
    "col_tariff": "Proposed tariff",
    "tv_option": "Proposed variant {n}",
    "err_variant": "Variant refused — {where}: {problem}",
    "vf_standing_charge": "standing charge (€/yr)",
    "vf_free_volume": "free volume (m3/yr)",
    "vf_block_up_to": "block {n}, upper bound (m3/yr)",
    "vf_block_price": "block {n}, price (€/m3 excl. tax)",
    "vf_blocks": "blocks",
    "vf_tariff": "tariff",
    "vp_range": "must be between {lo} and {hi}",
    "vp_increasing": "must be above block {m}'s bound",
    "vp_count": "1 to {n} blocks",
    "vp_cap": "the standing charge would be {share} % of a 120 m3 bill, above the legal cap of {cap} %",
    "vp_model": "{msg}",
    "err_not_found": "Workshop not found: check the code.",
    "err_forbidden": "This link is not recognised for this workshop.",
    "err_full": "Every seat of this college is taken: choose another college or ask the facilitator.",
    "seats_label": "Seats of the '{college}' college (0: no limit)",
    "seats_title": "Seats per college",
    "seats_button": "Save the seats",
    "seats_ok": "Seats saved.",
    "seats_of": "{n} / {seats} seats",
    "err_conflict": "Not possible now: {detail}",
    "err_bad_input": "Input refused: {detail}",
}

STRINGS: dict[str, dict[str, str]] = {"fr": FR, "en": EN}


def lang_of(value: Any) -> str:
    """``"en"`` if asked for English, else French (the default)."""
    return "en" if isinstance(value, str) and value.strip().lower().startswith("en") else "fr"


def t(key: str, lang: str = "fr", **fields: Any) -> str:
    """The text of ``key`` in ``lang``, formatted with ``fields``.

    A missing key is a bug (the tests check both languages have every key); in a live session the
    French text, then the key itself, is shown rather than stopping a workshop.
    """
    table = STRINGS.get(lang, FR)
    text = table.get(key, FR.get(key, key))
    return text.format(**fields) if fields else text


def ts(key: str, lang: str = "fr", service: str = "water", **fields: Any) -> str:
    """The workshop's text of ``key`` for a session of ``service``.

    A service other than water may word a text its own way: ``workshop.<service>.<key>`` in the
    locale catalogues (``sim/locales``) comes first (« Tarif de l'électricité »). Then the
    workshop's own text (``FR``/``EN`` above), then ``workshop.<key>`` of the catalogues, where
    the texts added for electricity sessions live.
    """
    lang = lang_of(lang)
    own = f"workshop.{service}.{key}"
    if service != "water" and locale_has_key(own, lang):
        return locale_t(own, lang, **fields)
    if key in FR:
        return t(key, lang, **fields)
    return locale_t(f"workshop.{key}", lang, **fields)


def item_label(item: str, lang: str = "fr", service: str = "water") -> str:
    """The name of a committee item in ``lang``: the service's own word, the workshop's, then the
    Explorer's (``explorer.decisions.item.<item>``: an item the service adds later is named as on
    the Explorer), else the item's code in words."""
    lang = lang_of(lang)
    key = "item_" + item
    if (service != "water" and locale_has_key(f"workshop.{service}.{key}", lang)) or key in FR:
        return ts(key, lang, service)
    for k in (f"explorer.decisions.{service}.item.{item}", f"explorer.decisions.item.{item}"):
        if locale_has_key(k, lang):
            return locale_t(k, lang)
    return item.replace("_", " ")


def _num(x: float, lang: str, digits: int = 2) -> str:
    """A number for people: at most ``digits`` decimals, thousands grouped (« 1 200 » in French,
    "1,200" in English) and a decimal comma in French."""
    kept = f"{x:.{digits}f}".rstrip("0").partition(".")[2]  # the decimals worth writing
    return fmt_number(x, lang, len(kept))


def _tve(key: str, lang: str, **fields: Any) -> str:
    """The text of an electricity tariff variant (``workshop.tve.<key>`` in the catalogues)."""
    return locale_t(f"workshop.tve.{key}", lang_of(lang), **fields)


def electricity_variant_summary(tariff: dict[str, Any], lang: str = "fr") -> str:
    """An electricity tariff variant in one line, in its own units (€/kVA/yr, €/kWh, kWh): the
    price (national under the regulated tariff; a local offer's fixed part per kVA, at the grid's
    power nearest 6 kVA, and its prices per kWh), the essential-kWh block and the social rebate."""
    lang = lang_of(lang)
    parts = []
    if tariff.get("pricing") == "regulated":
        parts.append(_tve("sum_regulated", lang))
    else:
        tax = _tve("excl_tax" if not tariff.get("prices_include_taxes", True) else "incl_tax", lang)
        grid = {int(k): float(v) for k, v in tariff["fixed_eur_per_year_by_kva"].items()}
        kva = min(grid, key=lambda k: (abs(k - 6), -k))  # the reference household's 6 kVA
        fixed = grid[kva] / kva * float(tariff.get("fixed_part_factor", 1.0))
        parts.append(_tve("sum_fixed", lang, eur=_num(fixed, lang), tax=tax))
        energy = {
            k: float(v) * float(tariff.get("energy_part_factor", 1.0))
            for k, v in tariff["energy_eur_per_kwh"].items()
        }
        if set(energy) == {"base"}:
            parts.append(_tve("sum_base", lang, eur=_num(energy["base"], lang, 4), tax=tax))
        elif set(energy) == {"hp", "hc"}:
            parts.append(
                _tve(
                    "sum_hphc", lang, hp=_num(energy["hp"], lang, 4), hc=_num(energy["hc"], lang, 4), tax=tax
                )
            )
        else:
            parts.append(_tve("sum_tempo", lang))
    eb = tariff.get("essential_block") or {}
    if eb.get("enabled"):
        parts.append(
            _tve(
                "sum_block",
                lang,
                kwh=_num(float(eb["kwh_per_unit_year"]), lang, 0),
                pct=_num(100 * float(eb["price_factor"]), lang, 1),
            )
        )
    else:
        parts.append(_tve("sum_no_block", lang))
    soc = tariff.get("social") or {}
    deciles = [int(d) for d in soc.get("eligible_deciles") or ()]
    if soc.get("enabled") and deciles:
        pct = _num(float(soc["rebate_pct"]), lang, 1)
        if len(deciles) == 1:
            parts.append(_tve("sum_social_one", lang, pct=pct, decile=deciles[0]))
        elif len(deciles) == 2:  # « les déciles 1 et 2 », as the procedure's option says
            parts.append(_tve("sum_social_two", lang, pct=pct, first=deciles[0], last=deciles[1]))
        else:
            parts.append(_tve("sum_social", lang, pct=pct, first=min(deciles), last=max(deciles)))
    else:
        parts.append(_tve("sum_no_social", lang))
    return ", ".join(parts)


def variant_summary(tariff: dict[str, Any], lang: str = "fr") -> str:
    """A tariff variant in one line (numbers only come from the validated tariff): water's blocks
    per m3, or an electricity tariff (:func:`electricity_variant_summary`)."""
    if "blocks" not in tariff and "energy_eur_per_kwh" in tariff:
        return electricity_variant_summary(tariff, lang)
    blocks = []
    for b in tariff["blocks"]:
        price = _num(float(b["price_eur_per_m3"]), lang)
        if b.get("up_to_m3") is None:
            blocks.append(t("tv_block_last", lang, price=price))
        else:
            blocks.append(t("tv_block", lang, price=price, up=_num(float(b["up_to_m3"]), lang)))
    return t(
        "tv_summary",
        lang,
        sc=_num(float(tariff["standing_charge_eur_per_year"]), lang),
        free=_num(float(tariff["free_volume_m3"]), lang),
        blocks=", ".join(blocks),
    )
