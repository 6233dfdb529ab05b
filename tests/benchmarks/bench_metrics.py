"""Dashboard speed on the national-scale demo year, against DESIGN.md's budgets, in one run.

    .venv/bin/python tests/benchmarks/bench_metrics.py [--services 300] [--months 12] [--repeat 5]

Makes the demo database once with ``pcp demo`` (cached in tests/benchmarks/out/), reads
every kind from the store, then times, best of ``--repeat`` runs:

* ``prepare``: turning the stored frames into fast dtypes (once per page load);
* ``all metrics``: every function in :mod:`pcp_widgets.audit.metrics`, the plan-language
  rate and the near-identical review check, on the whole year;
* ``charts``: one XmR chart per kind, built, drawn and rendered to PNG;
* ``one service``: re-filtering every kind to one service and recomputing every metric
  for it, then with its charts too.

Budgets: all metrics and charts under 1 s; re-filtering to one service under 150 ms.
Reading from the store is reported too, but is the store's cost, paid once per page load.
Not a test: the machines here are shared and noisy, so the figures go in the README with
the command that produced them.
"""

from __future__ import annotations

import argparse
import io
import json
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


def every_metric(data: dict) -> list:
    """Every metric a page or the monthly report shows, on ``data`` (prepared frames by kind)."""
    from pcp_widgets.audit import metrics, wording

    audit, obs, event, outcome, review = (data[k] for k in ("file_audit", "observation", "event", "outcome",
                                                            "review"))
    return [
        metrics.file_scores(audit), metrics.score_by_service_month(audit),
        metrics.score_by_service_month(audit, by=("month",)), metrics.question_shares(audit),
        metrics.specific_wording_by_service(audit),
        metrics.match_rates(obs), metrics.match_rates(obs, by=("routine",)),
        metrics.match_rates(obs, by=("service", "month")), metrics.practice_by_staff(obs),
        metrics.event_counts(event, by=("week", "event_type")), metrics.event_counts(event, by=("month", "event_type")),
        metrics.event_counts(event, by=("event_type", "routine")), metrics.event_counts(event, by=("trigger",)),
        metrics.event_counts(event, by=("event_type", "hour")), metrics.recovery_times(event),
        metrics.recovery_times(event, by=("routine",)),
        metrics.outcome_status_counts(outcome), metrics.step_progress(outcome), metrics.progress_over_time(outcome),
        metrics.reviews_on_time(review), metrics.overdue_reviews(review), wording.near_identical_reviews(review),
    ]


def every_chart(data: dict, person: str) -> int:
    """One XmR chart per kind, drawn and rendered to PNG (the refusals chart with ``person``'s plan
    changes, as a manager would look at it); returns the bytes written."""
    from pcp_widgets.audit import metrics, spc

    audit, obs, event, changes, outcome, review = (data[k] for k in KINDS)
    monthly_score = metrics.score_by_service_month(audit, by=("month",))
    match = metrics.match_rates(obs, by=("month",)).query("check == 'matches_plan'")
    weekly = metrics.event_counts(event[(event["event_type"] == "refusal").to_numpy()], by=("week",))
    weekly = weekly[weekly["complete"]]
    progress = metrics.progress_over_time(outcome)
    on_time = metrics.reviews_on_time(review, by=("month",)).dropna(subset=["on_time_rate"])
    changes = changes[(changes["person_ref"] == person).to_numpy()]
    charts = [
        (spc.xmr(monthly_score["mean_score"], monthly_score["month"], label="mean file score", period="month",
                 higher_is_better=True), (), True),
        (spc.xmr(match["match_rate"], match["month"], label="% matching the plan", period="month",
                 higher_is_better=True), (), True),
        (spc.xmr(weekly["events"], weekly["week"], label="refusals", period="week", floor=0,
                 higher_is_better=False), spc.plan_change_marks(changes), False),
        (spc.xmr(progress["mean_completion"], progress["month"], label="% of steps done", period="month",
                 higher_is_better=True), (), True),
        (spc.xmr(on_time["on_time_rate"], on_time["month"], label="% reviews on time", period="month",
                 higher_is_better=True), (), True),
    ]
    written = 0
    for result, marks, better in charts:
        png = io.BytesIO()
        spc.draw_xmr(result, title=result.label, changes=marks, higher_is_better=better).savefig(png, format="png")
        written += png.tell()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from pcp_widgets.audit import frames
    from pcp_widgets.audit.demo import DEMO_PERSON, DEMO_SERVICE
    from pcp_widgets.store import open_store

    store = open_store(demo_database(args.services, args.months))
    start = time.perf_counter()
    raw = {kind: store.read_records(kind) for kind in KINDS}
    read = time.perf_counter() - start
    print("rows: " + ", ".join(f"{kind} {len(frame):,}" for kind, frame in raw.items()))
    data = {kind: frames.prepare(kind, frame) for kind, frame in raw.items()}
    every_chart(data, DEMO_PERSON)  # the first figure loads matplotlib's fonts: a page pays that once

    results = {
        "store read (once per page load)": (read, read),
        "prepare (once per page load)": best_of(args.repeat, lambda: {k: frames.prepare(k, f) for k, f in raw.items()}),
        "all metrics": best_of(args.repeat, lambda: every_metric(data)),
        "charts: 5 XmR charts to PNG": best_of(args.repeat, lambda: every_chart(data, DEMO_PERSON)),
    }
    one = frames.Filters(service=DEMO_SERVICE)

    def refilter():
        return {kind: one.apply(frame, kind) for kind, frame in data.items()}

    results["one service: filter"] = best_of(args.repeat, refilter)
    results["one service: filter + all metrics"] = best_of(args.repeat, lambda: every_metric(refilter()))
    results["one service: filter + all metrics + charts"] = best_of(
        args.repeat, lambda: (every_metric(filtered := refilter()), every_chart(filtered, DEMO_PERSON)))

    print("| step | best (ms) | median (ms) |\n|---|---:|---:|")
    for name, (best, median) in results.items():
        print(f"| {name} | {best * 1000:.0f} | {median * 1000:.0f} |")
    whole = results["all metrics"][0] + results["charts: 5 XmR charts to PNG"][0]
    print(f"\nall metrics and charts: {whole * 1000:.0f} ms (budget: under 1000 ms; "
          f"{(whole + results['prepare (once per page load)'][0]) * 1000:.0f} ms with prepare)")
    print(f"re-filtering to one service with its metrics: "
          f"{results['one service: filter + all metrics'][0] * 1000:.0f} ms (budget: under 150 ms)")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_metrics.json").write_text(json.dumps(
        {name: {"best_s": best, "median_s": median} for name, (best, median) in results.items()}, indent=2))


if __name__ == "__main__":
    main()
