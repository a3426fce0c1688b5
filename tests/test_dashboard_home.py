"""The landing page: renders in both languages, links every page, sits at / so others keep their URL."""

import pytest
from streamlit.testing.v1 import AppTest

# pages run through Streamlit's AppTest: the slow tier
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("lang", "title", "verdict"),
    [
        ("fr", "simulateur d'un service local d'eau ou d'électricité", "Des mécanismes, pas des verdicts"),
        ("en", "local water and electricity utility simulator", "Mechanisms, not verdicts"),
    ],
)
def test_home_renders_and_links_every_page(lang: str, title: str, verdict: str) -> None:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    assert title in at.title[0].value
    assert any(verdict in i.value for i in at.info)
    md = " ".join(m.value for m in at.markdown)
    assert ("Choisissez une page" in md) if lang == "fr" else ("Choose a page" in md)
    assert ("distribution d'électricité" in md) if lang == "fr" else ("electricity distribution" in md)


def test_home_is_the_default_page() -> None:
    from sim.dashboard.pages import BY_URL, PAGES

    assert PAGES[0].file == "home.py"  # st.navigation serves the first page at /
    assert PAGES[0].card_key is None and all(p.card_key for p in PAGES[1:])
    assert set(BY_URL) == {p.url_path for p in PAGES}  # one URL per page
