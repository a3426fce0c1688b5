"""The regime documentation is generated from the schema and must be up to date."""

from pathlib import Path

from sim.scenario.docs import iter_params, regimes_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_committed_regime_docs_match_the_code() -> None:
    for lang in ("fr", "en"):
        committed = (ROOT / "docs" / f"regimes.{lang}.md").read_text(encoding="utf-8")
        assert committed == regimes_markdown(lang) + "\n", (
            f"docs/regimes.{lang}.md is stale: run `python -m sim.scenario.docs`"
        )


def test_every_parameter_has_meaning_and_source() -> None:
    params = list(iter_params())
    assert len(params) > 100
    for p in params:
        assert p.meaning("en") != p.path and p.meaning("fr") != p.path, p.path
        assert p.source, p.path


def test_docs_mark_assumptions_and_cover_each_regime() -> None:
    fr, en = regimes_markdown("fr"), regimes_markdown("en")
    assert "**hypothèse**" in fr and "**assumption**" in en
    for key in (
        "governance.concession.k_fixed_share",
        "governance.council.max_change_pct",
        "governance.committee.citizen_veto",
        "finance.operator_margin_pct",
    ):
        assert f"`{key}`" in fr and f"`{key}`" in en
    assert "Kn = a" in fr and "Kn = a" in en
