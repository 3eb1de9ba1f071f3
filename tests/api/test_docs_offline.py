"""Swagger UI works without internet: ``/docs`` served by ``order-desk serve`` renders every endpoint in headless
Chromium whose every request beyond this machine fails (as in an offline or filtered back office). FastAPI's
default page loads its script from a CDN and stays blank there; ours comes from the installed package."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.api.serving import Served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def offline_dom(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran, in Chromium that reaches nothing but loopback."""
    assert CHROMIUM is not None
    result = subprocess.run([
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",  # every other request goes nowhere; loopback bypasses proxies
        "--virtual-time-budget=15000", "--dump-dom", url,
    ], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                    reason="Chromium is not installed here (CI installs it): apt-get install chromium")
def test_swagger_ui_renders_every_endpoint_without_internet(served: Served, tmp_path: Path) -> None:
    url = served.url.replace("localhost", "127.0.0.1")

    def up() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    deadline = time.monotonic() + 90
    while not up():  # polled: serve starts its own Temporal server first
        assert served.process.poll() is None and time.monotonic() < deadline, served.output()
        time.sleep(0.5)
    page = httpx.get(f"{url}/docs").text
    assert "cdn." not in page and "https://" not in page  # nothing fetched from elsewhere

    dom = offline_dom(f"{url}/docs", tmp_path / "chromium-profile")

    for path in ("/orders", "/orders/{order_id}/status", "/orders/{order_id}/approve", "/orders.csv", "/healthz"):
        assert f'data-path="{path}"' in dom, path
