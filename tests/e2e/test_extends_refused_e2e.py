"""In a real browser (issue 11): the workshop's "create a session" upload refuses a scenario whose
``extends:`` points outside the built-in scenarios, and the refusal reveals nothing of the target.

Three targets: ``/etc/passwd``, ``../../etc/passwd`` and a YAML file with secrets in a temporary
folder. The message must name the rule and the allowed built-in scenarios, and must not show the
target's keys or content nor say whether it exists. Uses the fixtures of ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.workshop.strings import t

pytestmark = [pytest.mark.browser]

LEAKS = (
    "db_password",
    "api_token",
    "hunter2",
    "root:",
    "/bin/bash",
    "daemon",
    "introuvable",
    "not found",
    "n'existe",
    "exist",
    "Traceback",
)


def _close_not_found(page: Any) -> None:
    dialog = page.get_by_role("dialog")
    if dialog.count():
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached")


def test_workshop_upload_extends_outside_is_refused_and_reveals_nothing(
    app_url: str, page: Any, tmp_path: Path
) -> None:
    secrets = tmp_path / "config.yaml"
    secrets.write_text("db_password: hunter2\napi_token: abc123\n", encoding="utf-8")
    page.set_default_timeout(45_000)
    for n, target in enumerate(("/etc/passwd", "../../etc/passwd", str(secrets))):
        upload = tmp_path / f"mine{n}.yaml"
        upload.write_text(f"extends: {target}\nhorizon_years: 3\n", encoding="utf-8")
        page.goto(f"{app_url}/atelier?role=facilitator&lang=fr")
        page.wait_for_load_state("networkidle")
        _close_not_found(page)
        form = page.get_by_test_id("stForm")
        form.locator("input[type=file]").set_input_files(str(upload))
        form.get_by_text(upload.name).wait_for()
        form.get_by_role("button", name=t("create_button", "fr")).click()
        alert = page.get_by_test_id("stAlertContentError")
        alert.wait_for()
        text = alert.inner_text()
        assert "extends" in text and "town.yaml" in text, text
        assert "scénario fourni" in text, text
        for leak in LEAKS:
            assert leak not in text, (target, leak, text)
        assert "t=" not in page.url  # no session was created
