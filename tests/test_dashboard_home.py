"""The landing page: renders in both languages, links every page, sits at / so others keep their URL."""

import pytest
from streamlit.testing.v1 import AppTest

# pages run through Streamlit's AppTest: the slow tier
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("lang", "title", "verdict"), [
    ("fr", "simulateur d'un service d'eau", "Des mécanismes, pas des verdicts"),
    ("en", "water utility simulator", "Mechanisms, not verdicts"),
])
def test_home_renders_and_links_every_page(lang: str, title: str, verdict: str) -> None:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    assert title in at.title[0].value
    assert any(verdict in i.value for i in at.info)
    md = " ".join(m.value for m in at.markdown)
    assert ("Choisissez une page" in md) if lang == "fr" else ("Choose a page" in md)


def test_home_is_the_default_page() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(__file__).resolve().parent.parent.joinpath("app.py").read_text())
    pages = next(n for n in ast.walk(tree) if isinstance(n, ast.AnnAssign)
                 and getattr(n.target, "id", "") == "PAGES")
    first = pages.value.elts[0].elts[0].value
    assert first == "home.py"
