"""Screenshots for the README: the demo (``diarium demo``'s data, with its recent meetings)
served by gunicorn on loopback (tests/live_server.py); the public ``/diarium`` and
``/anslagstavla``, and the staff's desk (signed in on its sign-in page with a token of the
demo's registrar and secretary) on a case's page and a meeting's page, saved as PNG
(viewport 1200×900) by Debian's chromium driven by Playwright.

    .venv/bin/python docs/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/live_server.py

from diarium.cases.application import Diarium  # noqa: E402
from diarium.cases.demo.cases import load_demo  # noqa: E402
from diarium.cases.demo.recent import load_recent  # noqa: E402
from diarium.cases.tokens import TokenStore  # noqa: E402
from tests.live_server import serving  # noqa: E402

PAGES = {"diarium": "/diarium", "anslagstavla": "/anslagstavla"}
DESK_CASE = "1338-2020"  # a decided and closed case of the demo, with its documents
VIEWPORT = {"width": 1200, "height": 900}


def wait_for_board(base: str, timeout: float = 20.0) -> None:
    """Until the in-process projections have reached the demo (the board lists a posting)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if "Sista dag att överklaga" in requests.get(base + "/anslagstavla", timeout=5).text:
                return
        except requests.RequestException:  # a worker busy starting up
            pass
        time.sleep(0.2)
    print("screenshots: the notice board shows no posting yet", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("screenshots: no chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/demo.sqlite"
        diarium = Diarium(url, create_tables=True)
        load_demo(diarium)
        recent = load_recent(diarium)
        token, _ = TokenStore.for_application(diarium).issue(
            name="Linda Ylivainio", roles=["registrar", "secretary"], by="screenshots")
        diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
        desk = {"skrivbordet-arende": f"/app/cases/{DESK_CASE}",
                "skrivbordet-sammantrade": f"/app/meetings/{recent['held']}"}
        with serving(url, Path(folder)) as base, sync_playwright() as playwright:
            wait_for_board(base)
            browser = playwright.chromium.launch(executable_path=chromium,
                                                 args=["--no-sandbox", "--lang=sv-SE"])
            page = browser.new_context(viewport=VIEWPORT, locale="sv-SE").new_page()
            for name, path in PAGES.items():
                response = page.goto(base + path)
                status = response.status if response is not None else None
                target = args.out / f"{name}.png"
                page.screenshot(path=str(target))
                print(f"screenshots: {path} ({status}) -> {target.relative_to(ROOT)}")
            page.goto(base + "/app/logga-in")
            page.fill("#token", token)
            page.click("button[type=submit]")
            for name, path in desk.items():
                response = page.goto(base + path)
                status = response.status if response is not None else None
                target = args.out / f"{name}.png"
                page.screenshot(path=str(target), full_page=False)
                print(f"screenshots: {path} ({status}) -> {target.relative_to(ROOT)}")
            browser.close()


if __name__ == "__main__":
    main()
