"""`trainer serve` in a real browser: Debian's Chromium, headless, driven by Selenium.

The page draws the terminal on a canvas, so the test reads what the app sends:
an init script keeps a copy of every byte the page's WebSocket receives (the
terminal stream), and the test looks for text in it with escape sequences
removed. Keys go in through the terminal's own input element, as a person's do.
Outside CI, without chromium and chromedriver, the test says so and is skipped;
in CI (.ci/run installs them) a missing browser fails it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trainer.cli import main

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "browser-password-1"
ESCAPES = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>78]")
# Keep every frame the terminal receives, decoded, in window.__screen.
TAP = """
(() => {
  const Real = window.WebSocket;
  const decoder = new TextDecoder();
  window.__screen = '';
  window.WebSocket = function(url, protocols) {
    const socket = protocols === undefined ? new Real(url) : new Real(url, protocols);
    socket.addEventListener('message', event => {
      if (event.data instanceof ArrayBuffer) {
        window.__screen += decoder.decode(new Uint8Array(event.data), {stream: true});
      } else if (typeof event.data === 'string') {
        window.__screen += event.data;
      }
    });
    return socket;
  };
  window.WebSocket.prototype = Real.prototype;
  Object.assign(window.WebSocket, Real);
})();
"""


def browser_parts() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: .ci/run installs chromium and chromium-driver")
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is in the test extra")
    pytest.importorskip("textual_serve", reason="textual-serve is a dependency: pip install -e .")
    return chromium, driver


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("TRAINER_PASSWORD", PASSWORD)
    monkeypatch.setenv("TRAINER_PSEUDONYM_KEY", "b" * 40)
    assert main(["--db", url, "demo"]) == 0
    return url


@pytest.fixture
def served(demo_url, tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TRAINER_PASSWORD", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainer.cli", "--db", demo_url, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(0.2)
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def browser(tmp_path):
    chromium, driver_path = browser_parts()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium'}")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TAP})
    yield driver
    driver.quit()


def screen_text(driver) -> str:
    return ESCAPES.sub("", driver.execute_script("return window.__screen || ''"))


def wait_for(driver, text: str, timeout: float = 45.0, since: int = 0) -> int:
    """Wait until `text` has been drawn (after position `since`); return where the stream ends now."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = screen_text(driver)
        if text in seen[since:]:
            return len(seen)
        time.sleep(0.25)
    raise AssertionError(f"{text!r} never appeared; the screen said: {screen_text(driver)[-1500:]!r}")


def test_sign_in_read_the_dashboard_and_search_in_a_browser(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(served)
    mark = wait_for(browser, "Sign in")
    keys = browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
    for part in ("admin", Keys.TAB, PASSWORD, Keys.ENTER):
        keys.send_keys(part)
        time.sleep(0.3)
    mark = wait_for(browser, "trainees", since=mark)  # an admin lands on the trainees list: "33,900 trainees"
    keys.send_keys("d")
    mark = wait_for(browser, "15,000", since=mark)  # the dashboard: 15,000 police trained
    keys.send_keys("t")
    mark = wait_for(browser, "trainees", since=mark)  # the list is back: "33,900 trainees"
    keys.send_keys("/")
    mark = wait_for(browser, "typing in", since=mark)  # the key bar says the search box has the keys
    keys.send_keys("mohammed jasim")
    wait_for(browser, "matches", since=mark)
    assert "Traceback" not in screen_text(browser)
