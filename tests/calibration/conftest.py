"""Fixtures of the calibration tests: files written at test time (see fixture_files.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_files import make_files


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return make_files(tmp_path)
