"""Issue 11, workshop: a hosted server may ask for the facilitator's secret; a participant holds
one seat; the store checks every vote against its item; results never let one vote be read off;
an uploaded scenario reaches no file of the server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import sim
from sim.workshop import BadInput, Conflict, Forbidden, Full, Store, Workshop
from sim.workshop.debrief import decisions_table, shown_votes
from sim.workshop.strings import t

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "sim" / "dashboard" / "workshop.py"
SECRET = "ouvre-toi-sésame"


@pytest.fixture(scope="module")
def town() -> sim.Scenario:
    return sim.scale_town(sim.load_scenario(ROOT / "scenarios" / "commons.yaml"), 400)


@pytest.fixture
def ws(tmp_path: Path) -> Workshop:
    return Workshop(Store(tmp_path / "w.sqlite3"))


def admissible(item: dict[str, Any]) -> list[str]:
    return [o["name"] for o in item["options"] if o.get("admissible", True)]


# --------------------------------------------------------------------------------------------
# the store checks every vote
# --------------------------------------------------------------------------------------------
def test_the_store_refuses_an_option_not_on_the_item(ws: Workshop, town: sim.Scenario) -> None:
    code, tok = ws.create_session(town, "commons", 1)
    ws.open_vote(code, tok)
    p = ws.join(code, "A", "public")
    with pytest.raises(BadInput):
        ws.store.put_vote(code, p["token"], 1, "tariff", "made_up", options=("balance",))
    with pytest.raises(BadInput):
        ws.vote(code, p["token"], "tariff", "made_up")
    assert ws.my_votes(code, p["token"]) == {}


def test_the_store_refuses_a_college_that_may_not_vote(ws: Workshop, town: sim.Scenario) -> None:
    code, tok = ws.create_session(town, "commons", 1)
    ws.open_vote(code, tok)
    citizen = ws.join(code, "C", "citizens")
    with pytest.raises(Forbidden):  # work organisation: the operators' college alone
        ws.store.put_vote(code, citizen["token"], 1, "work_organisation", "keep", options=("keep",))
    assert ws.my_votes(code, citizen["token"]) == {}


# --------------------------------------------------------------------------------------------
# seats
# --------------------------------------------------------------------------------------------
def test_the_facilitator_sets_seats_per_college(ws: Workshop, town: sim.Scenario) -> None:
    code, tok = ws.create_session(town, "commons", 1)
    with pytest.raises(Forbidden):
        ws.set_seats(code, "not-the-token", {"public": 1})
    assert ws.set_seats(code, tok, {"public": 1, "operators": 1, "citizens": 2}) == {
        "public": 1,
        "operators": 1,
        "citizens": 2,
    }
    ws.join(code, "A", "public")
    with pytest.raises(Full):
        ws.join(code, "B", "public")
    assert ws.join(code, "B")["college"] == "operators"  # auto: a college with a free seat
    ws.join(code, "C")
    ws.join(code, "D")
    with pytest.raises(Full):
        ws.join(code, "E")
    assert len(ws.store.participants(code)) == 4
    with pytest.raises(Conflict):  # fewer seats than people already seated
        ws.set_seats(code, tok, {"citizens": 1})
    ws.set_seats(code, tok, {"public": 0})  # 0: no limit
    ws.join(code, "F", "public")
    with pytest.raises(BadInput):
        ws.set_seats(code, tok, {"public": True})  # type: ignore[dict-item]


# --------------------------------------------------------------------------------------------
# results never let one vote be read off
# --------------------------------------------------------------------------------------------
def _decision(counts: dict[str, dict[str, int]], chosen: str) -> dict[str, Any]:
    return {
        "round": 1,
        "year": 2027,
        "item": "tariff",
        "option": chosen,
        "label_fr": "x",
        "label_en": "x",
        "veto": False,
        "adopted": True,
        "binding": True,
        "reason": "adopted",
        **{f"votes_{c}": counts[chosen][c] for c in ("public", "operators", "citizens")},
        "tally": {"counts": counts},
    }


def test_per_college_counts_only_from_three_voters() -> None:
    counts = {
        "a": {"public": 2, "operators": 1, "citizens": 3},
        "b": {"public": 1, "operators": 0, "citizens": 0},
    }
    d = _decision(counts, "a")
    # public: 3 voters -> shown; operators: 1 voter -> hidden; citizens: 3 voters -> shown
    assert shown_votes(d) == [2, None, 3]
    row = decisions_table(type("D", (), {"decisions": [d]})()).iloc[0]
    assert row["votes_public"] == 2 and row["votes_citizens"] == 3
    assert row.isna()["votes_operators"]


# --------------------------------------------------------------------------------------------
# an uploaded scenario reaches no file of the server
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ref", ["/etc/passwd", "../../etc/passwd", "FOREIGN"])
def test_workshop_creation_refuses_extends_outside(ref: str, ws: Workshop, tmp_path: Path) -> None:
    secret = tmp_path / "config.yaml"
    secret.write_text("db_password: hunter2\napi_token: abc\n", encoding="utf-8")
    ref = str(secret) if ref == "FOREIGN" else ref
    with pytest.raises(BadInput) as info:
        ws.create_session(f"extends: {ref}\n".encode(), "commons", 1)
    err = info.value.scenario_error
    assert isinstance(err, sim.ScenarioError)
    text = err.format("fr") + err.format("en") + str(info.value)
    for leak in ("db_password", "api_token", "hunter2", "root:", "introuvable", "not found"):
        assert leak not in text


# --------------------------------------------------------------------------------------------
# the page: secret, links
# --------------------------------------------------------------------------------------------
@pytest.fixture
def page_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workshop:
    import streamlit as st

    monkeypatch.setenv("REGIE_SIM_WORKSHOP_DB", str(tmp_path / "page.sqlite3"))
    monkeypatch.delenv("REGIE_SIM_FACILITATOR_SECRET", raising=False)
    st.cache_resource.clear()
    yield Workshop(Store())
    st.cache_resource.clear()


def _app(params: dict[str, str]) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGE), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_without_a_secret_creating_is_one_click(page_env: Workshop) -> None:
    at = _app({"role": "facilitator"})
    assert not at.exception and not at.text_input  # no password asked
    at.button[0].click().run()
    assert not at.exception and at.query_params["t"]


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_with_a_secret_every_facilitator_view_asks_for_it(
    page_env: Workshop, monkeypatch: pytest.MonkeyPatch, town: sim.Scenario
) -> None:
    monkeypatch.setenv("REGIE_SIM_FACILITATOR_SECRET", SECRET)
    code, tok = page_env.create_session(town, "commons", 1)
    for params in ({"role": "facilitator"}, {"role": "facilitator", "s": code, "t": tok}):
        at = _app(params)
        assert not at.exception
        assert at.header[0].value == t("secret_title", "fr")
        assert not at.get("image")  # no QR code, no session shown before the secret
        assert [b.label for b in at.button] == [t("secret_button", "fr")]
        at.text_input[0].set_value("wrong")
        at.button[0].click().run()
        assert at.error and at.error[0].value == t("secret_wrong", "fr")
        assert page_env.store.session(code)["state"] == "lobby"
        at.text_input[0].set_value(SECRET)
        at.button[0].click().run()
        assert not at.exception and not at.error
        assert all(h.value != t("secret_title", "fr") for h in at.header)
    # a participant never needs it
    p = _app({"s": code})
    assert not p.exception and p.header[0].value == t("join_title", "fr")


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_the_participant_link_never_holds_the_facilitator_token(page_env: Workshop) -> None:
    at = _app({"role": "facilitator"})
    at.button[0].click().run()
    token = at.query_params["t"]
    token = token[0] if isinstance(token, list) else token
    link = at.code[0].value  # the join link shown under the QR code
    assert "s=" in link and token not in link and "t=" not in link and "role=" not in link


def test_an_oversized_workshop_upload_fails_the_dashboard_limits() -> None:
    """The create page runs the Explorer's limits on an upload (AppTest cannot put a file in an
    uploader inside a form, so this checks the function the page calls on the loaded upload)."""
    from sim.dashboard.share import check_limits

    s = sim.loads_scenario(b"extends: commons.yaml\nhouseholds:\n  count: 1500000\n", "a.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        check_limits(s, "a.yaml", "fr")
    assert "households.count" in info.value.format("fr")


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_no_choice_is_shown_while_the_round_is_open(page_env: Workshop, town: sim.Scenario) -> None:
    code, tok = page_env.create_session(town, "commons", 1)
    page_env.open_vote(code, tok)
    p = page_env.join(code, "Zoé", "citizens")
    item = next(i for i in page_env.current_agenda(code) if i["item"] != "work_organisation")
    page_env.vote(code, p["token"], item["item"], admissible(item)[0])
    at = _app({"role": "facilitator", "s": code, "t": tok})
    assert not at.exception
    assert t("voters_n", "fr", n=1) in " ".join(m.value for m in at.markdown)
    college_cols = {t("college_short_" + c, "fr") for c in ("public", "operators", "citizens")}
    for df in at.dataframe:
        assert not college_cols & set(df.value.columns), df.value.columns
