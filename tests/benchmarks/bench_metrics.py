"""Dashboard speed on the national-scale demo year, against the budgets of docs/architecture.md, in one run.

    .venv/bin/python tests/benchmarks/bench_metrics.py [--services 300] [--months 12] [--repeat 5]

Makes the demo database once with ``pcp demo`` (cached in tests/benchmarks/out/), reads
every kind from the store, then times, best of ``--repeat`` runs, what the four dashboard
pages themselves compute: every panel declared in :mod:`pcp_widgets.ui.dashboards`, so
nothing here restates a page's metrics or charts.

* ``prepare``: turning the stored frames into fast dtypes (once per page load);
* the whole year, all services: every panel's table (its metric) and every panel's chart,
  drawn and rendered to PNG as the page renders it;
* re-filtering each page to one service, as the page does it (:class:`DashboardPage`, no
  panels remembered from before): until its first chart is shown, and until every panel
  is drawn with its table and downloads; and the page's tables (metrics) alone;
* the yardstick: a bare matplotlib chart (one line, one legend entry) to PNG, because
  these machines are shared and noisy; the charts are given as multiples of it too.

Budgets (docs/architecture.md, issue 14): after a filter change, a page's first chart within 150 ms and all
its charts within 1 s; all metrics and charts of the year under 1 s.
Reading from the store is reported too, but is the store's cost, paid once per page load.
Not a test: the figures go in the README with the command that produced them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).with_name("out")
KINDS = ("file_audit", "observation", "event", "plan_change", "outcome", "review")


def demo_database(services: int, months: int) -> str:
    url = f"sqlite:///{OUT / f'metrics-{services}x{months}.sqlite'}"
    marker = OUT / f"metrics-{services}x{months}.done"
    if not marker.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pcp_widgets.cli", "demo", "--db", url, "--services", str(services),
                        "--months", str(months), "--quiet", "--out", str(OUT / f"demo-metrics-{services}x{months}")],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"made the demo database in {time.perf_counter() - start:.1f} s")
        marker.write_text("ok")
    return url


def best_of(repeat: int, work) -> tuple[float, float]:
    """(best, median) seconds of ``repeat`` runs of ``work()``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def minimal_chart() -> int:
    """The yardstick: a bare matplotlib line of 52 points with a legend, to PNG at the pages' resolution."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.0, 4.0))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(range(52), [i % 7 for i in range(52)], marker="o", label="values")
    axes.legend()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=110)  # the pages' resolution (charts.png_bytes)
    return out.tell()


def panel_work(dashboards, records: dict, filters):
    """(every table, every chart): two functions computing every panel's table, and drawing every
    panel's chart from its table to PNG, as the pages do, for ``filters``."""
    from pcp_widgets.audit.outputs import charts
    from pcp_widgets.ui.dashboard import filtered_view

    views = [(board, filtered_view({kind: records[kind] for kind in board.kinds}, filters)) for board in dashboards]
    tables = {}

    def every_table():
        for board, view in views:
            for panel in board.panels:
                tables[board.path, panel.key] = panel.table(view)

    def every_chart():
        return sum(len(charts.png_bytes(panel.draw(tables[board.path, panel.key], view).figure))
                   for board, view in views for panel in board.panels)

    every_table()
    return every_table, every_chart


def refilter_times(page, service: str, repeat: int) -> tuple[list[float], list[float]]:
    """(first chart shown, whole page drawn) in seconds for each of ``repeat`` re-filters of a
    :class:`DashboardPage` to ``service``, switching to another service between them so each redraws."""
    other = next(value for _label, value in page.service.options if value and value != service)
    services = (service, other)
    first_panel = page.dashboard.panels[0].key
    shown: list[float] = []
    page.images[first_panel].observe(lambda _change: shown.append(time.perf_counter()), names="value")
    firsts, wholes = [], []
    for number in range(2 * repeat):
        page._remembered.clear()  # each re-filter draws, as the first visit to a service does
        shown.clear()
        start = time.perf_counter()
        page.service.value = services[number % 2]
        end = time.perf_counter()  # outside a kernel, every panel is drawn before the value is set
        if number % 2 == 0:
            firsts.append(shown[0] - start)
            wholes.append(end - start)
    return firsts, wholes


def check_distinct_statements() -> None:
    """The plan-language check on 1,000 statements never seen before (the demo repeats a few dozen,
    which the check remembers, so this is what free-typed samples cost the first time)."""
    from pcp_widgets.audit.analysis.wording import check_statement

    cases = json.loads((Path(__file__).parents[1] / "data" / "wording_cases.json").read_text(encoding="utf-8"))
    texts = cases["generic"] + cases["specific"]
    for number in range(1000):
        check_statement(f"{texts[number % len(texts)]} (sample {number})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from pcp_widgets.audit.analysis import frames
    from pcp_widgets.audit.demo import DEMO_SERVICE
    from pcp_widgets.store import open_store
    from pcp_widgets.ui.dashboard import DashboardPage
    from pcp_widgets.ui.dashboards import DASHBOARDS

    store = open_store(demo_database(args.services, args.months))
    load = os.getloadavg()
    start = time.perf_counter()
    raw = {kind: store.read_records(kind) for kind in KINDS}
    read = time.perf_counter() - start
    print("rows: " + ", ".join(f"{kind} {len(frame):,}" for kind, frame in raw.items()))
    records = {kind: frames.prepare(kind, frame) for kind, frame in raw.items()}
    boards = list(DASHBOARDS.values())
    panels = sum(len(board.panels) for board in boards)

    every_table, every_chart = panel_work(boards, records, frames.Filters())
    every_chart()  # the first figure loads matplotlib's fonts: a page pays that once
    results = {
        "yardstick: a bare matplotlib chart to PNG": best_of(args.repeat, minimal_chart),
        "store read (once per page load)": (read, read),
        "prepare (once per page load)": best_of(args.repeat, lambda: {k: frames.prepare(k, f) for k, f in raw.items()}),
        f"the year: every panel's table ({panels} panels, 4 pages)": best_of(args.repeat, every_table),
        f"the year: every panel's chart to PNG ({panels} charts)": best_of(args.repeat, every_chart),
    }
    for board in boards:
        name = board.title.lower()
        page_tables, _ = panel_work([board], records, frames.Filters(service=DEMO_SERVICE))
        results[f"one service, {name}: the page's tables"] = best_of(args.repeat, page_tables)
        page = DashboardPage(board, store, records={kind: records[kind] for kind in board.kinds})
        firsts, wholes = refilter_times(page, DEMO_SERVICE, args.repeat)
        results[f"one service, {name}: first chart shown"] = (min(firsts), statistics.median(firsts))
        results[f"one service, {name}: every panel drawn, with tables and downloads"] = (
            min(wholes), statistics.median(wholes))
    results["plan-language check: 1,000 distinct statements"] = best_of(args.repeat, check_distinct_statements)

    print(f"load average at the start: {load[0]:.1f} on {os.cpu_count()} cores")
    print("| step | best (ms) | median (ms) |\n|---|---:|---:|")
    for name, (best, median) in results.items():
        print(f"| {name} | {best * 1000:,.0f} | {median * 1000:,.0f} |")
    tables = results[f"the year: every panel's table ({panels} panels, 4 pages)"][0]
    drawing = results[f"the year: every panel's chart to PNG ({panels} charts)"][0]
    yardstick = results["yardstick: a bare matplotlib chart to PNG"][0]
    print(f"\none chart = {drawing / panels / yardstick:.1f} bare charts on average")
    print(f"every table and {panels} bare charts (the plainest chart matplotlib draws): "
          f"{(tables + panels * yardstick) * 1000:,.0f} ms")
    print(f"every metric and chart of the four pages: {(tables + drawing) * 1000:,.0f} ms (budget: under 1000 ms; "
          f"{(tables + drawing + results['prepare (once per page load)'][0]) * 1000:,.0f} ms with prepare)")
    for kind, budget in (("the page's tables", 150), ("first chart shown", 150),
                         ("every panel drawn, with tables and downloads", 1000)):
        slowest = max((name for name in results if name.endswith(kind)), key=lambda name: results[name][0])
        page_name = slowest.split(", ")[1].split(":")[0]
        best = results[slowest][0] * 1000
        print(f"re-filtering to one service, {kind}, slowest page ({page_name}): {best:,.0f} ms "
              f"(budget: under {budget:,} ms; {best / (yardstick * 1000):.1f} bare charts)")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_metrics.json").write_text(json.dumps(
        {name: {"best_s": best, "median_s": median} for name, (best, median) in results.items()}, indent=2))


if __name__ == "__main__":
    main()
