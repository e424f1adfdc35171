"""Log in to a running portal with headless Debian chromium and save screenshots of pages.

    python scripts/screenshots.py --base http://127.0.0.1:8000 --user shop --password demo \
        --out var/screenshots / /catalog/ /catalog/products/

Used to look at what a page shows a person; prints the console errors of each page.
"""

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="shop")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--lang", default="de", choices=["de", "en"])
    parser.add_argument("--out", default="var/screenshots")
    parser.add_argument("--width", type=int, default=1366)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path="/usr/bin/chromium", args=ARGS, headless=True,
            locale="de-DE" if args.lang == "de" else "en-GB",
            viewport={"width": args.width, "height": 900},
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{args.base}/accounts/login/")
        page.fill("#id_username", args.user)
        page.fill("#id_password", args.password)
        page.click("button[type=submit].primary")
        page.wait_for_load_state("networkidle")
        for path in args.paths:
            errors.clear()
            page.goto(f"{args.base}{path}")
            page.wait_for_load_state("networkidle")
            name = (path.strip("/").replace("/", "_").replace("?", "_") or "home") + f"-{args.user}-{args.lang}.png"
            page.screenshot(path=str(out / name), full_page=True)
            print(f"{out / name}  errors: {errors or 'none'}")
        context.close()


if __name__ == "__main__":
    main()
