"""Issue 11: the command line keeps its word.

Every user-input error exits 2 with a located message and writes nothing; ``--out`` on an existing
folder replaces only regie-sim's own files; every command shown in README.md and in the
``--help`` examples runs as printed (made fast here by a smaller town and horizon).
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from sim.cli.main import build_parser, main

# every documented command, each in a process: the slow tier
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TOWN = "scenarios/town.yaml"
FAST = ["--set", "horizon_years=2", "--households", "300"]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding the shipped scenarios, as a user's checkout would."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REGIE_SIM_LANG", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def tree(p: Path) -> dict[str, bytes]:
    return {str(f.relative_to(p)): f.read_bytes() for f in sorted(p.rglob("*")) if f.is_file()}


# --------------------------------------------------------------------------------------------
# exit 2 for every user-input error, nothing written
# --------------------------------------------------------------------------------------------
BAD_ARGS = [
    ["bill", TOWN, "--volume", "1e308"],
    ["bill", TOWN, "--volume", "nan"],
    ["bill", TOWN, "--volume", "120", "--eligible", "--income", "1e308"],
    ["bill", TOWN, "--volume", "-1"],
    ["run", TOWN, "--out", ""],
    ["run", TOWN, "--out", "   "],
    ["compare", TOWN, "scenarios/regie.yaml", "--out", ""],
    ["ensemble", TOWN, "--out", ""],
    ["sweep", TOWN, "--grid", "network.renewal_rate_pct=1,2", "--out", ""],
    ["validate", TOWN, "--set", "horizon_years=.nan"],
    ["validate", TOWN, "--set", "horizon_years=true"],
    ["validate", TOWN, "--set", "households.decile_mean_income_eur[0]=1e308"],
    ["validate", TOWN, "--set", "tariff.vat_pct=.inf"],
    ["validate", TOWN, "--set", "a: &x 1"],
    ["validate", TOWN, "--set", "nowhere[x]=1"],
    ["validate", "scenarios/nothing-here.yaml"],
    ["run", TOWN, "--households", "5"],
    ["run", TOWN, "--seed", "-1"],
    ["run", TOWN, "--out", "/proc/regie-sim-cannot-write"],
    ["compare", TOWN, "scenarios/regie.yaml", "--out", "/proc/regie-sim-cannot-write"],
    ["ensemble", TOWN, "--runs", "2", "--out", "/proc/regie-sim-cannot-write"],
    ["sweep", TOWN, "--grid", "network.renewal_rate_pct=1,2", "--out", "/proc/regie-sim-x"],
    ["ensemble", TOWN, "--runs", "100000000"],
]


@pytest.mark.parametrize("argv", BAD_ARGS, ids=lambda a: " ".join(a)[:60])
def test_user_input_errors_exit_2_and_write_nothing(argv: list[str], here: Path, capsys) -> None:
    before = tree(here)
    code, _, err = run(capsys, *argv)
    assert code == 2, err
    assert "Traceback" not in err and err.strip()
    assert tree(here) == before


@pytest.mark.parametrize("name", ["empty.yaml", "latin1.yaml", "deep.yaml", "dup.yaml", "outside.yaml"])
def test_bad_files_exit_2(name: str, here: Path, capsys) -> None:
    content = {
        "empty.yaml": b"",
        "latin1.yaml": b"town:\n  name: Ch\xe2teau\n",
        "deep.yaml": b"x: " + b"[" * 40 + b"]" * 40,
        "dup.yaml": b"seed: 1\nseed: 2\n",
        "outside.yaml": b"extends: /etc/passwd\n",
    }[name]
    (here / name).write_bytes(content)
    for verb in (["validate"], ["run", "--out", "o"], ["bill", "--volume", "120"]):
        code, out, err = run(capsys, verb[0], name, *verb[1:])
        assert code == 2 and "Traceback" not in err and name in err, err
        assert "root:" not in err
    assert not (here / "o").exists()


# --------------------------------------------------------------------------------------------
# --out keeps what the user put there
# --------------------------------------------------------------------------------------------
def test_run_out_replaces_only_its_own_files(here: Path, capsys) -> None:
    out = here / "res"
    assert run(capsys, "run", TOWN, "--out", out, *FAST, "--quiet")[0] == 0
    (out / "mes-notes.txt").write_text("à garder", encoding="utf-8")
    (out / "graphiques").mkdir()
    (out / "graphiques" / "a.png").write_bytes(b"png")
    assert run(capsys, "run", TOWN, "--out", out, *FAST, "--quiet", "--seed", "5")[0] == 0
    assert (out / "mes-notes.txt").read_text(encoding="utf-8") == "à garder"
    assert (out / "graphiques" / "a.png").read_bytes() == b"png"
    assert "seed: 5" in (out / "scenario.yaml").read_text(encoding="utf-8")
    assert not [p for p in out.parent.iterdir() if p.name.startswith((".tmp-", ".old-"))]


def test_compare_ensemble_sweep_keep_other_files(here: Path, capsys) -> None:
    for argv, folder in (
        (["compare", TOWN, "scenarios/regie.yaml", *FAST, "--quiet"], "cmp"),
        (["ensemble", TOWN, "--runs", "2", *FAST, "--quiet"], "ens"),
        (
            ["sweep", TOWN, "--grid", "network.renewal_rate_pct=0.6,1.0", "--runs", "1", *FAST, "--quiet"],
            "swp",
        ),
    ):
        out = here / folder
        assert run(capsys, *argv, "--out", out)[0] == 0
        (out / "keep.txt").write_text("x", encoding="utf-8")
        code, _, err = run(capsys, *argv, "--out", out)
        assert code == 0, err
        assert (out / "keep.txt").read_text(encoding="utf-8") == "x", folder


# --------------------------------------------------------------------------------------------
# every command shown runs as printed
# --------------------------------------------------------------------------------------------
def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    cmds: list[str] = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if re.match(r"^([A-Z_]+=\S+ )*regie-sim\b", line):
                cmds.append(line)
    for inline in re.findall(r"`((?:[A-Z_]+=\S+ )*regie-sim [^`]+)`", text):
        if not re.search(r"\b(FILE|DIR|N|CODE|\.\.\.|…)\b|\[", inline.split(" ", 2)[-1].replace("[0]", "")):
            cmds.append(inline)
    return cmds


def _help_commands() -> list[str]:
    cmds = []
    for lang in ("fr", "en"):
        epilog = build_parser(lang).epilog or ""
        cmds += [
            ln.strip()
            for ln in epilog.splitlines()
            if ln.strip().startswith("regie-sim ") and "COMMAND" not in ln and "COMMANDE" not in ln
        ]
    return cmds


def _fast(argv: list[str]) -> list[str]:
    """The command, made quick: a small town, two years, a few runs."""
    verb = next((a for a in argv if a in ("run", "compare", "ensemble", "sweep")), None)
    if verb is None or "--help" in argv:
        return argv
    out = []
    skip = False
    for i, a in enumerate(argv):
        if skip:
            skip = False
            continue
        if a == "--runs":
            out += ["--runs", "2"]
            skip = True
            continue
        out.append(a)
        del i
    return out + FAST + (["--runs", "1"] if verb == "sweep" and "--runs" not in argv else [])


def test_the_readme_shows_the_promised_commands() -> None:
    cmds = _readme_commands()
    assert len(cmds) >= 10
    assert any("network.cohorts[0].length_km=12" in c for c in cmds) or "cohorts[0].length_km=12" in (
        ROOT / "README.md"
    ).read_text(encoding="utf-8")


COMMANDS = sorted(
    set(
        _readme_commands()
        + _help_commands()
        + ["regie-sim validate scenarios/town.yaml --set network.cohorts[0].length_km=12"]
    )
)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_documented_command_runs_as_printed(
    command: str, here: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = shlex.split(command)
    while words and re.match(r"^[A-Z_]+=", words[0]):
        key, _, value = words.pop(0).partition("=")
        monkeypatch.setenv(key, value)
    assert words[0] == "regie-sim"
    argv = words[1:]
    if "runs/town/scenario.yaml" in argv:  # reads the folder the first README command writes
        assert run(capsys, "run", TOWN, "--out", "runs/town", *FAST, "--quiet")[0] == 0
    try:
        code, out, err = run(capsys, *_fast(argv))
    except SystemExit as exc:  # --help
        code, err = int(exc.code or 0), capsys.readouterr().err
    assert code == 0, f"{command}\n{err}"
    assert "Traceback" not in err
