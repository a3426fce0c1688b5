"""Issue 11: generated malformed files and form values through every door.

Doors: ``loads_scenario`` (bytes and text), ``load_scenario`` (a file on disk), the dashboard's
upload (``share.scenario_from_upload``), its share links (``share.scenario_from_link``) and form
changes (``share.apply_changes``, ``sim.with_changes``), workshop creation
(``Workshop.create_session``) and the command line (``validate``, ``run --out``, ``--set``).

For every generated input: the only exceptions are the project's own (``ScenarioError``,
``WorkshopError``; exit status 2 on the command line), every problem is located (file, and a key
path or a line, or a whole-file kind), nothing is written on refusal, and no message shows a
foreign file's keys. The examples per door add up to more than 1,000 (see ``EXAMPLES``).
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import _LEAF_PATHS, BAD_PY_VALUES, bad_form_changes, malformed_scenario_bytes

import sim
from sim import ScenarioError, load_scenario, loads_scenario
from sim.cli.main import main as cli_main
from sim.dashboard import share
from sim.scenario.errors import Problem
from sim.workshop import Store, Workshop, WorkshopError

ROOT = Path(__file__).resolve().parent.parent
TOWN = ROOT / "scenarios" / "town.yaml"
FOREIGN_TEXT = "db_password: hunter2\napi_token: abc123\n"
LEAKS = ("db_password", "api_token", "hunter2", "abc123", "root:x:", "/bin/bash")
#: problems about the whole file, located by the file's name alone
WHOLE_FILE = {
    "file_too_large",
    "empty_file",
    "not_a_mapping",
    "file_missing",
    "yaml_value",
    "extends_builtin_only",
    "extends_outside",
}
EXAMPLES = {
    "loads_bytes": 300,
    "loads_text": 150,
    "file": 150,
    "upload": 150,
    "link": 100,
    "form": 100,
    "workshop": 60,
    "cli_file": 60,
    "cli_set": 60,
}
assert sum(EXAMPLES.values()) >= 1000

_FOREIGN_DIR = Path(tempfile.mkdtemp(prefix="regie-fuzz-foreign-"))
atexit.register(shutil.rmtree, _FOREIGN_DIR, ignore_errors=True)
(_FOREIGN_DIR / "config.yaml").write_text(FOREIGN_TEXT, encoding="utf-8")
FOREIGN = str(_FOREIGN_DIR / "config.yaml")


#: ``REGIE_SIM_FUZZ_SCALE=10`` runs ten times the examples, with fresh random draws (a deeper
#: search before a release); the default runs the same examples every time
SCALE = max(1, int(os.environ.get("REGIE_SIM_FUZZ_SCALE", "1") or 1))


def fuzz(n: int) -> Any:
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        derandomize=SCALE == 1,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def with_foreign(data: bytes) -> bytes:
    return data.replace(b"{FOREIGN}", FOREIGN.encode())


def located(p: Problem) -> bool:
    return bool(p.file) and (bool(p.path) or "line" in p.ctx or p.kind in WHOLE_FILE)


def check_error(err: ScenarioError) -> None:
    assert err.problems
    for p in err.problems:
        assert located(p), p
    for lang in ("fr", "en"):
        text = err.format(lang)
        assert "Traceback" not in text
        text.encode("utf-8")  # printable: no lone surrogate
        for leak in LEAKS:
            assert leak not in text, (leak, text)


def refused_or_ok(fn: Any, *args: Any) -> sim.Scenario | None:
    """Call a door: a Scenario, or None after checking the ScenarioError it raised."""
    try:
        return fn(*args)
    except ScenarioError as err:
        check_error(err)
        return None


# --------------------------------------------------------------------------------------------
@fuzz(EXAMPLES["loads_bytes"])
@given(malformed_scenario_bytes())
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_loads_scenario_bytes(data: bytes) -> None:
    refused_or_ok(loads_scenario, with_foreign(data), "fuzz.yaml")


@fuzz(EXAMPLES["loads_text"])
@given(malformed_scenario_bytes())
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_loads_scenario_text(data: bytes) -> None:
    # text as a form or a decoder could hand it over: bad bytes become lone surrogates
    refused_or_ok(loads_scenario, with_foreign(data).decode("utf-8", errors="surrogateescape"), "fuzz.yaml")


@fuzz(EXAMPLES["file"])
@given(malformed_scenario_bytes())
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_load_scenario_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "fuzz.yaml"
        f.write_bytes(with_foreign(data))
        refused_or_ok(load_scenario, f)
        assert [p.name for p in Path(d).iterdir()] == ["fuzz.yaml"]


@fuzz(EXAMPLES["upload"])
@given(
    malformed_scenario_bytes(),
    st.sampled_from(["fr", "en"]),
    st.sampled_from(["mine.yaml", "../../etc/x.yaml", "", "a\\b.yml"]),
)
def test_dashboard_upload(data: bytes, lang: str, name: str) -> None:
    refused_or_ok(share.scenario_from_upload, with_foreign(data), name, lang)


@fuzz(EXAMPLES["link"])
@given(
    bad_form_changes(),
    st.sampled_from(["town", "regie", "nope", "../town", ""]),
    st.one_of(st.none(), st.text(max_size=60)),
    st.sampled_from(["fr", "en"]),
)
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_share_link(changes: dict[str, Any], preset: str, raw: str | None, lang: str) -> None:
    if raw is None:
        try:
            text = json.dumps(changes, allow_nan=True)
        except (TypeError, ValueError):
            return
        c = base64.urlsafe_b64encode(text.encode("utf-8", errors="surrogatepass")).decode()
    else:
        c = raw
    refused_or_ok(share.scenario_from_link, {"p": preset, "c": c}, lang)


@fuzz(EXAMPLES["form"])
@given(bad_form_changes())
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_form_changes(changes: dict[str, Any]) -> None:
    base = share.load_preset("town")
    refused_or_ok(share.apply_changes, base, changes, "formulaire")
    refused_or_ok(sim.with_changes, base, changes)


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Workshop:
    return Workshop(Store(tmp_path_factory.mktemp("ws") / "fuzz.sqlite3"))


@fuzz(EXAMPLES["workshop"])
@given(data=malformed_scenario_bytes())
def test_workshop_creation(workshop: Workshop, data: bytes) -> None:
    data = with_foreign(data)
    if refused_or_ok(loads_scenario, data) is not None:
        return  # a valid scenario: creating runs the model, tested elsewhere
    before = len(workshop.store._connect().execute("SELECT id FROM sessions").fetchall())
    with pytest.raises(WorkshopError) as info:
        workshop.create_session(data, "commons", 1)
    err = getattr(info.value, "scenario_error", None)
    assert isinstance(err, ScenarioError)
    check_error(err)
    after = len(workshop.store._connect().execute("SELECT id FROM sessions").fetchall())
    assert after == before  # nothing stored


@fuzz(EXAMPLES["cli_file"])
@given(malformed_scenario_bytes(), st.sampled_from(["validate", "run", "bill"]))
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_cli_file(data: bytes, verb: str) -> None:
    data = with_foreign(data)
    if refused_or_ok(loads_scenario, data) is not None:
        return  # valid: the CLI tests run valid scenarios
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "fuzz.yaml"
        f.write_bytes(data)
        extra = {
            "validate": [],
            "run": ["--out", str(Path(d) / "out"), "--quiet"],
            "bill": ["--volume", "120"],
        }[verb]
        code = cli_main([verb, str(f), *extra])
        assert code == 2
        assert [p.name for p in Path(d).iterdir()] == ["fuzz.yaml"]  # nothing written


@fuzz(EXAMPLES["cli_set"])
@given(
    st.sampled_from(_LEAF_PATHS),
    st.sampled_from(
        [repr(v) for v in BAD_PY_VALUES]
        + [".nan", ".inf", "true", "yes", "1e308", "&a 1", "[", "{a: 1, a: 2}"]
    ),
)
@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_cli_set(path: str, value: str) -> None:
    value = value.replace("\ud800", "\\ud800").replace("\udfff", "\\udfff")
    with tempfile.TemporaryDirectory() as d:
        code = cli_main(
            [
                "run",
                str(TOWN),
                "--set",
                f"{path}={value}",
                "--out",
                str(Path(d) / "out"),
                "--quiet",
                "--households",
                "100",
                "--set",
                "horizon_years=1",
            ]
        )
        assert code in (0, 2)
        if code == 2:
            assert not any(Path(d).iterdir())
