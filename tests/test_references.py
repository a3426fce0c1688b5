"""Every reference a parameter's source cites is a known section, named in French and English.

The section titles of :mod:`sim.scenario.references` are checked against the headings of the
reference files when those sit beside the repository (``../shared/reference``, as in the project's
working copy); elsewhere that one check is skipped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.dashboard import common, sources
from sim.scenario.references import LINKS_FILE, SECTIONS, Citation, citations, extract_links, link_for, links

REFERENCE_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "reference"


def test_citations_are_read_out_of_a_source_text() -> None:
    assert citations("water.md §1.7: 146 L/person/day (SDES/OFB, 2017 data)") == [Citation("water.md", "1.7")]
    assert citations("assumption: calibrated on P154.0 (1.0-1.6 %, water.md §1.5); see water.md §1.5") == [
        Citation("water.md", "1.5")
    ]
    assert citations("households.md: INSEE 2018") == [Citation("households.md", "")]
    assert citations("Code électoral : mandat de 6 ans") == []
    assert Citation("water.md", "1.7").text("fr") == "water.md §1.7 — Consommation et prélèvements"
    assert Citation("water.md", "1.7").text("en") == "water.md §1.7 — Consumption and abstraction"


def test_every_section_a_parameter_cites_is_known() -> None:
    """Of either service's scenario (the Sources page shows the title of each)."""
    from sim.scenario.electricity import ElectricityScenario

    cited = {c for info in common.iter_params() for c in citations(info.source)}
    electric = {c for info in common.iter_params(ElectricityScenario) for c in citations(info.source)}
    assert len(cited) >= 15 and len(electric) >= 10
    cited |= electric
    unknown = [c for c in cited if (c.file, c.section) not in SECTIONS]
    assert not unknown, unknown


def test_every_published_default_of_the_water_file_shows_its_section() -> None:
    table = sources.parameter_table("fr")
    cites_water = table["source"].str.contains(r"water\.md\s*§", regex=True)
    assert cites_water.sum() >= 50
    assert (table.loc[cites_water, "reference"].str.startswith("water.md §")).all()
    row = table.set_index("path").loc["households.consumption_l_per_person_day"]
    assert row["reference"] == "water.md §1.7 — Consommation et prélèvements"
    assert row["default"] == "146" and row["unit"]  # the value with its unit beside it
    en = sources.parameter_table("en").set_index("path").loc["households.consumption_l_per_person_day"]
    assert en["reference"] == "water.md §1.7 — Consumption and abstraction"
    assert list(table.columns[2:6]) == ["current", "default", "unit", "reference"]


@pytest.mark.skipif(not REFERENCE_DIR.is_dir(), reason="reference files not beside the repository")
def test_section_titles_are_those_of_the_reference_files() -> None:
    for (file, section), (en, _) in SECTIONS.items():
        text = (REFERENCE_DIR / file).read_text(encoding="utf-8")
        if not section:
            assert text.startswith(f"# {en}"), file
            continue
        heading = re.search(rf"^#+ {re.escape(section)}\.? (.*)$", text, re.MULTILINE)
        assert heading, (file, section)
        words = re.sub(r"[^\w ]", "", en.split(",")[0]).split()[:2]
        said = re.sub(r"[^\w ]", "", heading.group(1))  # « self-consumption » as the title has it
        assert all(w in said for w in words), (section, en, heading.group(1))


def test_links_are_read_from_the_shipped_file() -> None:
    assert links(Citation("water.md", "1.7"))  # the section gives addresses
    assert all(x.url.startswith("http") for c in SECTIONS for x in links(Citation(*c)))
    assert link_for("Code électoral : mandat de 6 ans") is None
    best = link_for("water.md §1.7: 146 L/person/day (SDES/OFB, 2017 data)")
    assert best is not None and "146" in best.text


@pytest.mark.skipif(not REFERENCE_DIR.is_dir(), reason="reference files not beside the repository")
def test_shipped_links_are_those_of_the_reference_files() -> None:
    shipped = json.loads(LINKS_FILE.read_text(encoding="utf-8"))
    assert shipped == extract_links(REFERENCE_DIR), (
        "sim/scenario/reference_links.json is stale: "
        "run `python -m sim.scenario.references ../shared/reference`"
    )
