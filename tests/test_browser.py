"""One real-browser check: `streamlit run app.py` in headless Chromium shows the matrix.

Uses Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them
when missing); selenium is pointed at ``/usr/bin/chromedriver`` so that its own
driver manager never downloads anything. The screenshot goes to the test's
folder, and to ``docs/app-screenshot.png`` when ``UPDATE_SCREENSHOT=1``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT = ROOT / "docs" / "app-screenshot.png"

pytestmark = pytest.mark.browser


def _require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    message = f"{', '.join(missing)} missing: install Debian's chromium and chromium-driver (.ci/run does)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(port: int, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"streamlit exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"streamlit did not answer {url} within {timeout:.0f} s")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)


def test_app_in_headless_chromium(tmp_path: Path) -> None:
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    port = _free_port()
    env = {**os.environ, "NARRATIVE_COMPARE_CACHE": str(tmp_path / "embedding-cache")}
    log = (tmp_path / "streamlit.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    driver = None
    try:
        _wait_healthy(port, server)
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}",
                    "--window-size=1600,1200"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        driver.get(f"http://127.0.0.1:{port}/")
        # The first load embeds the demo event on a cold cache: allow for the model to load.
        matrix = WebDriverWait(driver, 180).until(
            ec.visibility_of_element_located((By.CSS_SELECTOR, "table.nc-matrix"))
        )
        assert len(matrix.find_elements(By.CSS_SELECTOR, "td.nc-cell")) > 10
        WebDriverWait(driver, 30).until(
            lambda d: any(e.is_displayed() for e in d.find_elements(By.CSS_SELECTOR, ".nc-legend b"))
        )
        legend = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".nc-legend b") if e.is_displayed()]
        assert "denies" in legend and "affirms" in legend  # the stances on the claims
        assert "Traceback" not in driver.find_element(By.TAG_NAME, "body").text
        time.sleep(1.0)  # let the charts and fonts settle before the picture
        shot = tmp_path / "app-screenshot.png"
        driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
        if os.environ.get("UPDATE_SCREENSHOT") == "1":
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, SCREENSHOT)
    finally:
        if driver is not None:
            driver.quit()
        _stop(server)
        log.close()
