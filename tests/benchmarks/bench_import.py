"""Import speed and memory against the named baselines, in one run (docs/architecture.md, "Speed budgets").

    .venv/bin/python tests/benchmarks/bench_import.py [--services 300] [--months 12] [--skip-openpyxl]

Writes the national-scale demo year (cached in tests/benchmarks/out/), then times, each
in a fresh process so peak memory is its own:

* ``calamine``: python-calamine alone reading every sheet of the same files;
* ``pcp import``: the real command into a new SQLite database;
* ``openpyxl + to_sql``: ``pandas.read_excel(engine="openpyxl")`` and ``DataFrame.to_sql``.

and prints the ratios the budgets are stated in: pcp import at most 2x calamine, at least
10x faster than openpyxl + to_sql, peak memory (all its processes together) under 1 GiB.
Not a test: machines here are shared and noisy, so the figures go in the README with the
command that produced them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).with_name("out")

CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
cells = 0
for path in sys.argv[1:]:
    workbook = CalamineWorkbook.from_path(path)
    for name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        cells += sum(len(r) for r in rows)
print(cells)
"""

OPENPYXL_TO_SQL = """
import datetime, sys
import pandas as pd
import sqlalchemy as sa
engine = sa.create_engine("sqlite:///" + sys.argv[1])
rows = 0
for path in sys.argv[2:]:
    for name, frame in pd.read_excel(path, sheet_name=None, engine="openpyxl").items():
        for column in frame.columns[frame.dtypes == object]:  # SQLite cannot bind datetime.time
            frame[column] = frame[column].map(lambda v: v.isoformat() if isinstance(v, datetime.time) else v)
        frame.to_sql(name.replace(" ", "_"), engine, if_exists="append", index=False)
        rows += len(frame)
print(rows)
"""


#: Runs a command and reports its peak memory: the most its processes held at once, all together
#: (sampled every 0.25 s, helper processes included), or the largest one process ever held if
#: that is more (the kernel's own exact figure, for a peak shorter than a sample). Sampling
#: more often costs the measured command time on a busy two-core machine.
PEAK = """
import resource, subprocess, sys, time
import psutil
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
root, together = psutil.Process(child.pid), 0
while child.poll() is None:
    try:
        processes = [root, *root.children(recursive=True)]
        together = max(together, sum(p.memory_info().rss for p in processes))
    except psutil.Error:
        pass  # a process ended between listing and measuring it
    time.sleep(0.25)
out, err = child.communicate()
largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
sys.stdout.write(out)
sys.stderr.write(err + "\\nPEAK_KIB=" + str(max(together, largest) // 1024))
sys.exit(child.returncode)
"""


def timed(command: list[str], ok_exits=(0,)) -> tuple[float, float, str]:
    """Seconds, peak resident memory (MiB) of the command, and what it printed; fails if the command did."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in ok_exits:
        raise SystemExit(f"{command[:3]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    peak_kib = int(done.stderr.rsplit("PEAK_KIB=", 1)[1])
    return seconds, peak_kib / 1024, done.stdout.strip()


def demo_files(services: int, months: int) -> list[Path]:
    folder = OUT / f"demo-{services}x{months}"
    marker = folder / "done"
    if not marker.exists():
        from pcp_widgets.audit.demo import generate_workbooks

        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        generate_workbooks(folder, services=services, months=months, seed=1, end_month="2025-12")
        print(f"wrote the demo workbooks in {time.perf_counter() - start:.1f} s")
        marker.write_text("ok")
    return sorted(folder.glob("*.xlsx"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--skip-openpyxl", action="store_true", help="leave out the slow openpyxl baseline")
    args = parser.parse_args()

    files = [str(p) for p in demo_files(args.services, args.months)]
    size_mb = sum(Path(p).stat().st_size for p in files) / 1e6
    print(f"{len(files)} workbooks, {size_mb:.1f} MB")
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        results["calamine"] = timed([sys.executable, "-c", CALAMINE, *files])
        results["pcp import"] = timed([sys.executable, "-m", "pcp_widgets.cli", "import", "--quiet", "--json",
                                       "--db", f"sqlite:///{scratch}/pcp.sqlite", *files],
                                      ok_exits=(0, 1))  # 1: the demo's deliberate bad rows were rejected
        report = json.loads(results["pcp import"][2])
        stored = sum(c["accepted"] for f in report["files"] for c in f["sheets"].values())
        if not args.skip_openpyxl:
            results["openpyxl + to_sql"] = timed([sys.executable, "-c", OPENPYXL_TO_SQL,
                                                  f"{scratch}/baseline.sqlite", *files])

    pcp_seconds, pcp_peak, _ = results["pcp import"]
    print(f"\nrows accepted by pcp import: {stored:,}")
    print("| step | seconds | peak memory (MiB) |\n|---|---:|---:|")
    for name, (seconds, peak, _) in results.items():
        print(f"| {name} | {seconds:.1f} | {peak:.0f} |")
    print(f"\npcp import / calamine alone: {pcp_seconds / results['calamine'][0]:.2f}x (budget: at most 2x)")
    if "openpyxl + to_sql" in results:
        print(f"openpyxl + to_sql / pcp import: {results['openpyxl + to_sql'][0] / pcp_seconds:.1f}x faster "
              "(budget: at least 10x)")
    print(f"pcp import peak memory: {pcp_peak:.0f} MiB (budget: under 1024 MiB)")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_import.json").write_text(json.dumps(
        {name: {"seconds": s, "peak_mib": m} for name, (s, m, _) in results.items()}, indent=2))


if __name__ == "__main__":
    main()
