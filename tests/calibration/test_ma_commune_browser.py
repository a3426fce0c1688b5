"""In a real browser: fill « Ma commune », read the report, download the YAML, hand it on.

The whole app is served; the page sits at ``/ma-commune`` and its button opens the Explorer on
the calibrated scenario.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 60_000


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_fill_the_form_and_hand_the_scenario_to_the_explorer(url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from sim import loads_scenario

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        try:
            page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 1400})
            page.set_default_timeout(WAIT_MS)
            expect.set_options(timeout=WAIT_MS)  # assertions wait as long as actions on a loaded machine
            page.goto(f"{url}/ma-commune")
            expect(page.locator("h1", has_text="Ma commune")).to_be_visible()
            page.get_by_label("Nom de la commune", exact=True).fill("Bourg-sur-Eau")
            for label, value in (
                ("Ménages desservis", "8000"),
                ("Longueur du réseau (km, hors branchements)", "140"),
                ("Prix TTC du m3 pour 120 m3 (D102.0, €/m3)", "2.40"),
                ("Rendement du réseau (P104.3, %)", "72"),
                ("Taux moyen de renouvellement (P107.2, %/an)", "0.45"),
                ("Taux d'impayés (P154.0, %)", "1.8"),
            ):
                box = page.get_by_label(label, exact=True)
                box.fill(value)
                box.press("Tab")
            page.get_by_role("button", name="Construire le scénario").click()
            expect(page.get_by_text("Toutes les cibles données sont atteintes.")).to_be_visible()
            expect(page.get_by_test_id("stDataFrame")).to_be_visible()
            with page.expect_download() as dl:
                page.get_by_role("button", name="Télécharger le scénario (YAML)").click()
            text = Path(dl.value.path()).read_text(encoding="utf-8")
            s = loads_scenario(text)
            assert s.town.name == "Bourg-sur-Eau" and s.households.count == 8000
            assert dl.value.suggested_filename == "Bourg-sur-Eau.yaml"
            page.get_by_role("button", name="Ouvrir dans l'Explorateur").click()
            page.wait_for_url("**/explorer**")
            # the Explorer runs the calibrated town: its name and source file head the page
            expect(page.get_by_text("Bourg-sur-Eau.yaml").first).to_be_visible()
        finally:
            browser.close()
