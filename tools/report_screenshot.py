"""Regenerate docs/images/report.png, the README's picture of a run's report.

Runs the shipped scenario ``custodian_omnibus_t1`` with its own seed on revm into a
temporary directory, opens its report.html in the system's headless Chromium (through
Playwright, as the browser tests do: nothing downloads a browser) and saves the top of the
page::

    python tools/report_screenshot.py            # writes docs/images/report.png
    python tools/report_screenshot.py --scenario cross_margin_hedged_book --out /tmp/margin.png
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1200, 1500


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="custodian_omnibus_t1", help="a shipped scenario's name")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "report.png")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from sim.engine import Run
    from sim.scenario import load, shipped
    from sim.testing.browser import CHROMIUM_ARGS, chromium_path

    executable = chromium_path()
    if not executable.exists():
        print(f"no Chromium at {executable}: sudo apt-get install chromium (or set TOKENSIM_CHROMIUM)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as work:
        run_dir = Path(work) / "run"
        result = Run(load(shipped()[args.scenario]), backend="revm").run(out_dir=run_dir)
        with sync_playwright() as driver:
            browser = driver.chromium.launch_persistent_context(
                str(Path(work) / "profile"), executable_path=str(executable), args=list(CHROMIUM_ARGS),
                headless=True, viewport={"width": WIDTH, "height": HEIGHT}, offline=True,
            )
            page = browser.new_page()
            page.goto((run_dir / "report.html").as_uri(), wait_until="load")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=False)
            browser.close()
    print(f"{args.out}: the report of {args.scenario} ({result.status}, seed {result.summary['seed']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
