"""The house rules the folder tree promises (issue 17, docs/architecture.md).

* no function-local import of a ``sim`` module: an import inside a function is how an import circle
  is hidden, so every ``sim`` import is at the top of its module (``if TYPE_CHECKING:`` blocks
  excepted, they never run);
* the import contracts of ``pyproject.toml`` ([tool.importlinter]) hold: core imports no service,
  governance or UI; no layer imports one above it; only the dashboard imports streamlit.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "sim"

#: function-local imports that are not about circles, each with its reason
ALLOWED_LOCAL = {
    # numba is an optional extra: importing the kernel module compiles nothing but needs numba
    ("sim/core/billing.py", "sim.core._billing_numba"),
}


def _type_checking_blocks(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in ast.walk(node):
                if hasattr(sub, "lineno"):
                    lines.add(sub.lineno)
    return lines


def local_sim_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every ``sim`` import inside a function or method of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_blocks(tree)
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if node.lineno in skip if hasattr(node, "lineno") else False:
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sim":
                mods = [f"{node.module}.{a.name}" for a in node.names]
                found += [(node.lineno, m) for m in mods]
            elif isinstance(node, ast.Import):
                found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "sim"]
    return found


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_no_function_local_imports_of_sim() -> None:
    bad = []
    for path in sorted(SIM.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for line, mod in local_sim_imports(path):
            if (rel, mod) not in ALLOWED_LOCAL:
                bad.append(f"{rel}:{line} imports {mod} inside a function")
    assert not bad, "\n".join(bad)


def test_the_local_import_check_can_fail(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import sim.core\n"
        "def g():\n    from sim.core import tariff\n    return tariff\n"
    )
    assert local_sim_imports(f) == [(5, "sim.core.tariff")]


@pytest.mark.slow  # over 0.3 s: kept out of the fast tier (README)
def test_import_contracts_hold() -> None:
    """import-linter's contracts ([tool.importlinter] in pyproject.toml) are all kept.

    Run in a child process: import-linter configures logging in the process it runs in (it
    disables the loggers that exist), which would silence the project's own warnings in later
    tests."""
    pytest.importorskip("importlinter")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import "
            "lint_imports; sys.exit(lint_imports(config_filename='pyproject.toml'))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def _tool(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.slow
def test_the_core_is_strictly_typed() -> None:
    """mypy --strict on sim/core ([tool.mypy] in pyproject.toml)."""
    pytest.importorskip("mypy")
    done = _tool("mypy")
    assert done.returncode == 0, done.stdout[-4000:]


def test_core_and_water_functions_fit_on_a_screen() -> None:
    """Nothing above cyclomatic complexity 15 in sim/core and sim/water."""
    pytest.importorskip("ruff")
    done = _tool(
        "ruff",
        "check",
        "--select",
        "C901",
        "--config",
        "lint.mccabe.max-complexity=15",
        "sim/core",
        "sim/water",
    )
    assert done.returncode == 0, done.stdout[-4000:]


def test_ruff_lint_and_format_are_clean() -> None:
    """ruff check and ruff format --check pass on the code ([tool.ruff] in pyproject.toml)."""
    pytest.importorskip("ruff")
    paths = ("sim", "tests", "app.py", "benchmarks")
    lint = _tool("ruff", "check", *paths)
    assert lint.returncode == 0, lint.stdout[-4000:]
    fmt = _tool("ruff", "format", "--check", *paths)
    assert fmt.returncode == 0, fmt.stdout[-4000:]
