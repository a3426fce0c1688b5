"""The dashboard's pages, listed once: file, title key, URL path, icon, home-page card.

``app.py`` registers them with ``st.navigation`` in this order (the first, the home page, is served
at ``/``), the home page draws a card for each page that has one, and share links find a page by its
URL path. URL paths stay the same in both languages. Plain data: no streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    file: str  # in sim/dashboard/
    title_key: str  # sim.i18n key of its title
    url_path: str
    icon: str
    card_key: str | None = None  # sim.i18n key of its text on the home page (None: no card)

    @property
    def path(self) -> str:
        """The page's script, relative to the repository (what ``st.switch_page`` takes)."""
        return f"sim/dashboard/{self.file}"


PAGES: tuple[Page, ...] = (
    Page("home.py", "nav.home", "accueil", ":material/home:"),
    Page("explorer.py", "nav.explorer", "explorer", ":material/insights:", "home.card.explorer"),
    Page("compare.py", "nav.compare", "comparer", ":material/compare_arrows:", "home.card.compare"),
    Page("tariff_design.py", "nav.tariff", "tarif", ":material/receipt_long:", "home.card.tariff"),
    Page(
        "remunicipalisation.py",
        "nav.remunicipalisation",
        "remunicipalisation",
        ":material/account_balance:",
        "home.card.remunicipalisation",
    ),
    Page("workshop.py", "nav.workshop", "atelier", ":material/groups:", "home.card.workshop"),
    Page("guide.py", "nav.guide", "guide", ":material/school:", "home.card.guide"),
    Page("my_town.py", "nav.my_town", "ma-commune", ":material/location_city:", "home.card.my_town"),
    Page("sources.py", "nav.sources", "sources", ":material/menu_book:", "home.card.sources"),
)

#: URL path -> page
BY_URL: dict[str, Page] = {p.url_path: p for p in PAGES}
