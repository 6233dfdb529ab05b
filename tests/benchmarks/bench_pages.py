"""How fast a served page shows itself, against an empty Voila notebook, in one run.

    .venv/bin/python tests/benchmarks/bench_pages.py [--services 30] [--months 12] [--repeat 5] [--all | --pages PATH...]

The budget (docs/architecture.md): a served page shows its first chart within 1.5x the time an empty Voila
notebook takes on the same machine. This script makes a demo database once (cached in
tests/benchmarks/out/), then in Debian's Chromium (Playwright):

* the baseline: plain ``voila`` serving a notebook whose only cell prints one word, timed
  from navigation until that word is on the page;
* each dashboard served by ``pcp serve`` (as ``make serve`` runs it: kernels kept warm),
  timed from navigation until its first chart is on the page, with a pause after each
  opening so the server can warm the next kernel, as between two people;
* with ``--all``, every other registered page too, timed until its first heading (its
  first widget) is on the page; with ``--pages``, only the registered pages named.

The median of ``--repeat`` openings is reported, with the ratio. Not a test: the machines
here are shared and noisy, so the figures go in the README with the command.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.serving import free_port, start_server  # noqa: E402

OUT = Path(__file__).with_name("out")
DASHBOARDS = ("audits/plan_quality.ipynb", "audits/observation_sampling.ipynb",
              "audits/incidents_and_refusals.ipynb", "audits/outcomes.ipynb")
CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 300_000


def demo_database(services: int, months: int) -> str:
    database = OUT / f"pages-{services}x{months}.sqlite"
    marker = OUT / f"pages-{services}x{months}.done"
    if not marker.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pcp_widgets.cli", "demo", "--db", f"sqlite:///{database}",
                        "--services", str(services), "--months", str(months), "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
        marker.write_text("ok")
    return f"sqlite:///{database}"


def empty_notebook(folder: Path) -> Path:
    notebook = folder / "empty.ipynb"
    notebook.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
                   "source": ["print('ready')"]}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}))
    return notebook


def timed(page, url: str, wait) -> float:
    start = time.perf_counter()
    page.goto(url)
    wait(page)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=30)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pause", type=float, default=20.0,
                        help="seconds between openings of a page with a warm kernel, for the server to warm the next")
    parser.add_argument("--all", action="store_true", help="every registered page, not only the dashboards")
    parser.add_argument("--pages", nargs="+", metavar="PATH", help="only these registered pages, by notebook path")
    args = parser.parse_args()
    from pcp_widgets.pages import PAGES

    from playwright.sync_api import sync_playwright

    url = demo_database(args.services, args.months)
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.set_default_timeout(WAIT_MS)

        port = free_port()
        empty_notebook(Path(folder))
        voila = subprocess.Popen([sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
                                  "--Voila.ip=127.0.0.1", str(Path(folder) / "empty.ipynb")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(5)
            results["empty Voila notebook"] = [
                timed(page, f"http://127.0.0.1:{port}/", lambda p: p.get_by_text("ready").wait_for())
                for _ in range(args.repeat)]
        finally:
            voila.terminate()
            voila.wait()

        server = start_server("--db", url)
        server.sign_in(page.context)  # pcp serve always asks for its token
        try:
            time.sleep(20)  # the warm kernels start and read the records
            chosen = args.pages or (None if args.all else DASHBOARDS)
            for served in [p for p in PAGES if chosen is None or p.path in chosen]:
                first = 'img[alt^="Chart:"]' if served.path in DASHBOARDS else "h1"
                times = []
                for _ in range(args.repeat):
                    times.append(timed(page, f"{server.base}/voila/render/{served.path}",
                                       lambda p: p.locator(first).first.wait_for()))
                    # let the pool warm the next kernel, as it would between visitors
                    time.sleep(args.pause if served.preheat else 2)
                results[served.path] = times
        finally:
            server.stop()
        browser.close()

    baseline = statistics.median(results["empty Voila notebook"])
    print(f"demo: {args.services} services x {args.months} months; median of {args.repeat} openings")
    print(f"{'page':48} {'seconds':>8} {'x empty':>8}  each opening")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:48} {median:8.2f} {median / baseline:8.2f}  {' '.join(f'{t:.2f}' for t in times)}")
    slow = [name for name, times in results.items() if statistics.median(times) > 1.5 * baseline]
    print(f"\nover 1.5x: {', '.join(slow) if slow else 'none'}")


if __name__ == "__main__":
    main()
