"""Dashboard speed on the national-scale demo year, against DESIGN.md's budgets, in one run.

    .venv/bin/python tests/benchmarks/bench_metrics.py [--services 300] [--months 12] [--repeat 5]

Makes the demo database once with ``pcp demo`` (cached in tests/benchmarks/out/), reads
every kind from the store, then times, best of ``--repeat`` runs:

* ``prepare``: turning the stored frames into fast dtypes (once per page load);
* ``all metrics``: every function in :mod:`pcp_widgets.audit.metrics`, the plan-language
  rate and the near-identical review check, on the whole year;
* ``charts``: one XmR chart per kind (plan changes on the refusals chart), built, drawn
  and rendered to PNG;
* ``one service``: each page re-filtered to one service, its metrics recomputed, then its
  charts redrawn too; and every page's metrics at once.

Budgets: all metrics and charts under 1 s; re-filtering to one service under 150 ms.
Reading from the store is reported too, but is the store's cost, paid once per page load.
Not a test: the machines here are shared and noisy, so the figures go in the README with
the command that produced them.
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


# -- what each page computes ----------------------------------------------------------


def plan_quality(data: dict) -> list:
    from pcp_widgets.audit import metrics

    audit = data["file_audit"]
    return [metrics.file_scores(audit), metrics.score_by_service_month(audit),
            metrics.score_by_service_month(audit, by=("month",)), metrics.question_shares(audit),
            metrics.specific_wording_by_service(audit)]


def observation_sampling(data: dict) -> list:
    from pcp_widgets.audit import metrics

    obs = data["observation"]
    return [metrics.match_rates(obs), metrics.match_rates(obs, by=("routine",)),
            metrics.match_rates(obs, by=("service", "month")), metrics.practice_by_staff(obs)]


def incidents_and_refusals(data: dict) -> list:
    from pcp_widgets.audit import metrics, spc
    from pcp_widgets.audit.demo import DEMO_PERSON, DEMO_PLAN_CHANGE

    event, changes = data["event"], data["plan_change"]
    story = changes[(changes["description"] == DEMO_PLAN_CHANGE).to_numpy()]["change_date"]
    return [
        metrics.event_counts(event, by=("week", "event_type")), metrics.event_counts(event, by=("month", "event_type")),
        metrics.event_counts(event, by=("event_type", "routine")), metrics.event_counts(event, by=("trigger",)),
        metrics.event_counts(event, by=("event_type", "hour")), metrics.recovery_times(event),
        metrics.recovery_times(event, by=("routine",)),
        *(spc.before_after(event, day, person_ref=DEMO_PERSON) for day in story),
    ]


def outcomes(data: dict) -> list:
    from pcp_widgets.audit import metrics, wording

    outcome, review = data["outcome"], data["review"]
    return [metrics.outcome_status_counts(outcome), metrics.step_progress(outcome),
            metrics.progress_over_time(outcome), metrics.reviews_on_time(review), metrics.overdue_reviews(review),
            wording.near_identical_reviews(review)]


def check_distinct_statements() -> None:
    """The plan-language check on 1,000 statements never seen before (the demo repeats a few dozen,
    which the check remembers, so this is what free-typed samples cost the first time)."""
    from pcp_widgets.audit.wording import check_statement

    cases = json.loads((Path(__file__).parents[1] / "data" / "wording_cases.json").read_text(encoding="utf-8"))
    texts = cases["generic"] + cases["specific"]
    for number in range(1000):
        check_statement(f"{texts[number % len(texts)]} (sample {number})")


def minimal_chart() -> int:
    """The yardstick: a bare matplotlib line of 52 points with a legend, to PNG. The machines here are
    shared, so chart times are also given as multiples of this, measured in the same run."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.0, 4.0))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(range(52), [i % 7 for i in range(52)], marker="o", label="values")
    axes.legend()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.tell()


def png(result, changes=(), higher_is_better=None) -> int:
    """Draw one XmR chart and render it to PNG, as a page does; returns its size in bytes."""
    from pcp_widgets.audit import spc

    out = io.BytesIO()
    spc.draw_xmr(result, title=result.label, changes=changes, higher_is_better=higher_is_better).savefig(
        out, format="png")
    return out.tell()


def plan_quality_chart(data: dict) -> int:
    from pcp_widgets.audit import metrics, spc

    monthly = metrics.score_by_service_month(data["file_audit"], by=("month",))
    return png(spc.xmr(monthly["mean_score"], monthly["month"], label="mean file score", period="month",
                       higher_is_better=True), higher_is_better=True)


def observation_chart(data: dict) -> int:
    from pcp_widgets.audit import metrics, spc

    match = metrics.match_rates(data["observation"], by=("month",)).query("check == 'matches_plan'")
    return png(spc.xmr(match["match_rate"], match["month"], label="% matching the plan", period="month",
                       higher_is_better=True), higher_is_better=True)


def refusals_chart(data: dict) -> int:
    """Weekly refusals with the demo person's plan change, as a manager would look at them."""
    from pcp_widgets.audit import metrics, spc
    from pcp_widgets.audit.demo import DEMO_PERSON

    event, changes = data["event"], data["plan_change"]
    weekly = metrics.event_counts(event[(event["event_type"] == "refusal").to_numpy()], by=("week",))
    weekly = weekly[weekly["complete"]]
    marks = spc.plan_change_marks(changes[(changes["person_ref"] == DEMO_PERSON).to_numpy()])
    return png(spc.xmr(weekly["events"], weekly["week"], label="refusals", period="week", floor=0,
                       higher_is_better=False), marks, higher_is_better=False)


def outcome_charts(data: dict) -> int:
    from pcp_widgets.audit import metrics, spc

    progress = metrics.progress_over_time(data["outcome"])
    on_time = metrics.reviews_on_time(data["review"], by=("month",)).dropna(subset=["on_time_rate"])
    return png(spc.xmr(progress["mean_completion"], progress["month"], label="% of steps done", period="month",
                       higher_is_better=True), higher_is_better=True) + \
        png(spc.xmr(on_time["on_time_rate"], on_time["month"], label="% reviews on time", period="month",
                    higher_is_better=True), higher_is_better=True)


#: Each page: the kinds it filters, its metrics, its charts (one XmR chart per kind in all).
PAGES = {
    "plan quality": (("file_audit",), plan_quality, plan_quality_chart),
    "observation sampling": (("observation",), observation_sampling, observation_chart),
    "incidents and refusals": (("event", "plan_change"), incidents_and_refusals, refusals_chart),
    "outcomes": (("outcome", "review"), outcomes, outcome_charts),
}


def every_metric(data: dict) -> list:
    return [table for _, compute, _ in PAGES.values() for table in compute(data)]


def every_chart(data: dict) -> int:
    return sum(draw(data) for _, _, draw in PAGES.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from pcp_widgets.audit import frames
    from pcp_widgets.audit.demo import DEMO_SERVICE
    from pcp_widgets.store import open_store

    store = open_store(demo_database(args.services, args.months))
    load = os.getloadavg()
    start = time.perf_counter()
    raw = {kind: store.read_records(kind) for kind in KINDS}
    read = time.perf_counter() - start
    print("rows: " + ", ".join(f"{kind} {len(frame):,}" for kind, frame in raw.items()))
    data = {kind: frames.prepare(kind, frame) for kind, frame in raw.items()}
    every_chart(data)  # the first figure loads matplotlib's fonts: a page pays that once

    results = {
        "yardstick: a bare matplotlib chart to PNG": best_of(args.repeat, minimal_chart),
        "store read (once per page load)": (read, read),
        "prepare (once per page load)": best_of(args.repeat, lambda: {k: frames.prepare(k, f) for k, f in raw.items()}),
        "all metrics": best_of(args.repeat, lambda: every_metric(data)),
        "charts: 5 XmR charts to PNG": best_of(args.repeat, lambda: every_chart(data)),
    }
    one = frames.Filters(service=DEMO_SERVICE)
    for page, (kinds, compute, draw) in PAGES.items():
        def refilter(kinds=kinds):
            return {**data, **{kind: one.apply(data[kind], kind) for kind in kinds}}

        results[f"one service, {page}: filter + metrics"] = best_of(args.repeat, lambda: compute(refilter()))
        results[f"one service, {page}: filter + metrics + charts"] = best_of(
            args.repeat, lambda: (compute(filtered := refilter()), draw(filtered)))
    results["plan-language check: 1,000 distinct statements"] = best_of(args.repeat, check_distinct_statements)
    results["one service, every page: filter + metrics"] = best_of(
        args.repeat, lambda: every_metric({kind: one.apply(frame, kind) for kind, frame in data.items()}))

    print(f"load average at the start: {load[0]:.1f} on {os.cpu_count()} cores")
    print("| step | best (ms) | median (ms) |\n|---|---:|---:|")
    for name, (best, median) in results.items():
        print(f"| {name} | {best * 1000:.0f} | {median * 1000:.0f} |")
    whole = results["all metrics"][0] + results["charts: 5 XmR charts to PNG"][0]
    yardstick = results["yardstick: a bare matplotlib chart to PNG"][0]
    print(f"\none XmR chart = {results['charts: 5 XmR charts to PNG'][0] / 5 / yardstick:.1f} bare charts")
    floor = results["all metrics"][0] + 5 * yardstick
    print(f"all metrics and five bare charts (the plainest chart matplotlib draws): {floor * 1000:.0f} ms")
    print(f"\nall metrics and charts: {whole * 1000:.0f} ms (budget: under 1000 ms; "
          f"{(whole + results['prepare (once per page load)'][0]) * 1000:.0f} ms with prepare)")
    slowest = max((name for name in results if name.endswith("filter + metrics") and "every page" not in name),
                  key=lambda name: results[name][0])
    print(f"re-filtering a page to one service with its metrics, slowest page: {slowest.split(', ')[1].split(':')[0]} "
          f"{results[slowest][0] * 1000:.0f} ms (budget: under 150 ms)")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_metrics.json").write_text(json.dumps(
        {name: {"best_s": best, "median_s": median} for name, (best, median) in results.items()}, indent=2))


if __name__ == "__main__":
    main()
