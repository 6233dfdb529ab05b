"""A room of participants in one practice session under ``pcp serve``, while the trainer's page watches.

    .venv/bin/python tests/benchmarks/bench_practice_load.py [--participants 30] [--kind to_or_for]
                                                              [--spread 0] [--ceiling]

Issue 16 item 7. The budget: the 95th percentile of the time to a usable page within 20 s, no answer
lost, the whole server's peak memory under 8 GiB. Not a test (the machines here are shared, and the run
is heavy): run it once on a quiet machine and put the figures in the README with the command.

What it does, in Debian's Chromium (Playwright, one browser, one context per person, so each has its
own cookies and so its own practice key):

1. ``pcp serve`` (tests/support/serving.py) on a new database, its page cap raised for the room, listening on
   all addresses (with its token) so that each person can reach it at an address of their own (below);
2. the trainer opens the trainer's page in a context of their own and starts a session, and leaves the
   page open with its live updates on (it reads the session every 10 s throughout);
3. one participant alone opens the practice page, joins and answers: the time a page takes on a quiet
   server, to compare with;
4. ``--participants`` more, each in their own context, open the same practice page (all at once, or
   spread over ``--spread`` seconds), join with the code and their own name, and answer every item;
5. then the database is read: every answer each page said it saved must be there.

Time to a usable page: from asking for the page until its "Join the session" button is on it (the
widgets are drawn only once the page's kernel has run the page and is connected). Memory: the resident
memory of the server process and of all its children (the page kernels), summed and sampled every
quarter second; the peak is reported. The processor time each page kernel used (read as they run)
says what a page costs the machine: on 2 cores, N pages starting together cannot all be ready before
about N x that / 2 seconds.

``--ceiling`` measures what no change of ours can beat: the same room of Chromium contexts opening a
page of plain Voila (no pcp: ``voila`` itself serving a notebook that shows one button) and waiting for its
button. Processor time is summed for three groups as the room opens: the Chromium processes (the room's
devices, all on this machine), the server with its page kernels, and everything else.

Why each person uses their own address (participant n opens ``http://127.0.0.(n+2):PORT``, the trainer
127.0.0.1, the one alone 127.0.0.2; all of 127.0.0.0/8 is this computer): Chromium lets only ONE
websocket handshake be in progress per host IP address at a time (RFC 6455 section 4.1), across all the
contexts of one browser. Each page opens its kernel's websockets as it starts, and a handshake is not
answered until the kernel is up, so with every page on 127.0.0.1 the pages of one browser queue behind
each other, which 30 devices in a room never do. The first run, all on 127.0.0.1 (3 of 30 pages drawn in
600 s), measured that queue along with the server; one address per person takes the queue out. (Most of
that stall was two server settings, since fixed: see the README.) Progress goes to stderr as each page is
drawn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.serving import start_server  # noqa: E402

OUT = Path(__file__).with_name("out")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: Longest wait for anything: a stuck page is reported as such, not waited for forever.
WAIT_MS = 600_000
BUDGET_P95_S, BUDGET_MEMORY_GIB = 20.0, 8.0
SAMPLE_S = 0.25
JOIN_ATTEMPTS = 5
GIB = 1024 ** 3


class MemorySampler(threading.Thread):
    """The summed resident memory of a process and all its descendants, every SAMPLE_S; keeps the peak."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        import psutil

        self.root = psutil.Process(pid)
        self.peak = 0
        self.peak_processes = 0
        self.cpu_s: dict[int, float] = {}  # each child's user + system time, as last read
        self.started: dict[int, float] = {}  # each child's start (seconds since the epoch)
        self.stopping = threading.Event()

    def total(self) -> tuple[int, int]:
        import psutil

        processes = [self.root, *self.root.children(recursive=True)]
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
                if process is not self.root:
                    times = process.cpu_times()
                    self.cpu_s[process.pid] = times.user + times.system
                    self.started.setdefault(process.pid, process.create_time())
            except psutil.Error:  # ended between listing and reading
                pass
        return total, len(processes)

    def run(self) -> None:
        while not self.stopping.is_set():
            total, count = self.total()
            if total > self.peak:
                self.peak, self.peak_processes = total, count
            self.stopping.wait(SAMPLE_S)


class CpuByGroup:
    """Processor seconds used between :meth:`start` and :meth:`stop` by the browser, the server (with its
    kernels) and everything else on the machine: on 2 shared cores, which of them the wait is made of."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.used: dict[str, float] = {}

    def _now(self) -> dict[int, tuple[str, float]]:
        import psutil

        server = {self.server_pid, *(child.pid for child in psutil.Process(self.server_pid).children(recursive=True))}
        seen = {}
        for process in psutil.process_iter(["name"]):
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            name = process.info["name"] or ""
            group = "server and kernels" if process.pid in server else (
                "browser (Chromium)" if "chrom" in name else "everything else")
            seen[process.pid] = (group, times.user + times.system)
        return seen

    def start(self) -> None:
        self.before = self._now()

    def stop(self) -> dict[str, float]:
        """Seconds per group; a process that started and ended in between is not seen (kernels and
        Chromium's page processes live through the whole room, so little is missed)."""
        for pid, (group, seconds) in self._now().items():
            earlier = self.before.get(pid, (group, 0.0))[1]
            self.used[group] = self.used.get(group, 0.0) + max(0.0, seconds - earlier)
        return {group: round(seconds, 1) for group, seconds in sorted(self.used.items())}


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the value at least ``share`` of the values are at or below."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-int(share * 100) * len(ordered) // 100) - 1))]


def answer_labels(kind: str) -> list[re.Pattern]:
    """The drop-down of each item a participant answers, by its label (the drop-down exercises only)."""
    from pcp_widgets.practice.content import load_exercises

    if kind != "to_or_for":
        raise SystemExit("this benchmark answers the drop-down exercise, --kind to_or_for")
    return [re.compile(rf"^Statement {number}: important to or for") for number in
            range(1, len(load_exercises(kind).items) + 1)]


async def trainer_starts(browser, server, base: str) -> tuple[object, str]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.request.get(server.sign_in_url, max_redirects=0)
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    await page.goto(base + "/voila/render/workbooks/facilitator.ipynb")
    await page.get_by_label("Your name (printed on the handout)").fill("Trainer")
    await page.get_by_role("button", name="Start a session").click()
    shown = page.get_by_text(re.compile(r"^[A-HJ-NP-Z2-9]{6}$"))
    await shown.wait_for()
    return context, (await shown.inner_text()).strip()


def own_address(server, number: int) -> str:
    """Person ``number``'s own address of the server, 127.0.0.(number + 1): a browser of their own, as
    far as Chromium's one-handshake-per-address queue is concerned (see the module's docstring)."""
    return server.base.replace("127.0.0.1", f"127.0.0.{number + 1}")


async def participant(browser, server, path: str, code: str, name: str, labels, delay: float,
                      number: int) -> dict:
    """One person: open the page, join, answer every item; the times and what the page said it saved."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    result = {"name": name, "usable_s": None, "answered": 0, "saved_said": 0, "error": "", "join_retries": 0}
    base = own_address(server, number)
    url = base + path
    try:
        await context.request.get(server.sign_in_url.replace(server.base, base), max_redirects=0)
        page = await context.new_page()
        page.set_default_timeout(WAIT_MS)
        start = time.perf_counter()
        await page.goto(url, wait_until="commit")
        await page.get_by_role("button", name="Join the session").wait_for()
        result["usable_s"] = time.perf_counter() - start
        print(f"{name}: usable in {result['usable_s']:.1f} s", file=sys.stderr, flush=True)
        await page.get_by_label("Session code").fill(code)
        await page.get_by_label("Your name").fill(name)
        joined = page.get_by_text(f"You have joined session {code} as {name}")
        half_typed = page.get_by_text(re.compile("is not a session code|Type your name"))
        for _attempt in range(JOIN_ATTEMPTS):
            await page.get_by_role("button", name="Join the session").click()
            await joined.or_(half_typed).first.wait_for()
            if await joined.count():
                break
            # Join reached the kernel before the name or code did (ipywidgets sends a click at once but holds
            # a box's value while the kernel has not answered the last one): press again, as a person would.
            result["join_retries"] += 1
            await asyncio.sleep(1)
        await joined.wait_for()
        choices = ("Important to", "Important for")
        for number, label in enumerate(labels):
            await page.get_by_label(label).select_option(choices[number % 2])
            result["answered"] += 1
        said = len(labels)
        await page.get_by_text(re.compile(rf"\b{said} answers saved for your trainer")).wait_for()
        result["saved_said"] = said
        result["all_s"] = time.perf_counter() - start
    except Exception as error:  # reported in the figures: a page that never became usable is a finding
        result["error"] = f"{type(error).__name__}: {str(error).splitlines()[0]}"
        print(f"{name}: {result['error']}", file=sys.stderr, flush=True)
    finally:
        await context.close()
    return result


async def run(args, server, database_url: str) -> dict:
    from playwright.async_api import async_playwright

    from pcp_widgets.practice import sessions
    from pcp_widgets.store import open_store

    labels = answer_labels(args.kind)
    path = f"/voila/render/workbooks/practice_{args.kind}.ipynb"
    sampler = MemorySampler(server.process.pid)
    sampler.start()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        trainer_context, code = await trainer_starts(browser, server, server.base)
        alone = await participant(browser, server, path, code, "Alone", labels, 0, 1)
        at_rest, _count = sampler.total()
        cpu = CpuByGroup(server.process.pid)
        cpu.start()
        began, began_epoch = time.perf_counter(), time.time()
        room = await asyncio.gather(*(
            participant(browser, server, path, code, f"Participant {n:02d}", labels,
                        args.spread * n / max(1, args.participants - 1) if args.spread else 0, n + 1)
            for n in range(1, args.participants + 1)))
        room_s = time.perf_counter() - began
        room_cpu = cpu.stop()
        trainer = trainer_context.pages[0]
        # The trainer's page, live throughout, shows everyone by itself (it reads every 10 s).
        try:
            await trainer.get_by_role("cell", name=f"Participant {args.participants:02d}").wait_for(timeout=60_000)
            trainer_sees = True
        except Exception:
            trainer_sees = False
        await browser.close()
    sampler.stopping.set()
    sampler.join()

    store = open_store(database_url)
    try:
        stored = {person.name: sum(len(given) for given in person.answers.values())
                  for person in sessions.participants(store, code)}
    finally:
        store.dispose()
    people = [alone, *room]
    said = sum(person["saved_said"] for person in people)
    answered = sum(person["answered"] for person in people)
    times = [person["usable_s"] for person in room if person["usable_s"] is not None]
    return {
        "participants": args.participants, "kind": args.kind, "spread_s": args.spread,
        "alone_usable_s": alone["usable_s"], "alone_all_s": alone.get("all_s"),
        "usable_median_s": statistics.median(times) if times else None,
        "usable_p95_s": percentile(times, 0.95) if times else None,
        "usable_max_s": max(times) if times else None,
        "usable_each_s": [round(t, 2) for t in times],
        "room_all_answered_s": room_s,
        "never_usable": [person["name"] for person in room if person["usable_s"] is None],
        "errors": {person["name"]: person["error"] for person in people if person["error"]},
        "join_retries": sum(person["join_retries"] for person in people),
        "answers_given": answered, "answers_pages_said_saved": said,
        "answers_in_database": sum(stored.values()), "participants_in_database": len(stored),
        "answers_lost": answered - sum(stored.values()),
        "memory_at_rest_gib": at_rest / GIB, "memory_peak_gib": sampler.peak / GIB,
        "processes_at_peak": sampler.peak_processes, "trainer_saw_everyone": trainer_sees,
        "kernel_cpu_median_s": statistics.median(sampler.cpu_s.values()) if sampler.cpu_s else None,
        "kernels_seen": len(sampler.cpu_s),
        "room_kernel_cpu_median_s": statistics.median(
            [cpu for pid, cpu in sampler.cpu_s.items() if sampler.started[pid] >= began_epoch] or [0.0]),
        "room_cpu_s": room_cpu,
    }


CEILING_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "ceiling", "metadata": {}, "outputs": [],
               "source": "import ipywidgets\nipywidgets.Button(description='Ping')"}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def start_plain_voila(folder: Path):
    """Voila itself, as shipped, serving a notebook of one button to every address (no token)."""
    import subprocess

    from tests.support.serving import free_port

    notebook = folder / "ceiling.ipynb"
    notebook.write_text(json.dumps(CEILING_NOTEBOOK))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser", "--Voila.ip=0.0.0.0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
    import urllib.request

    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60).read()
            return process, port
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("plain Voila did not start")


async def visitor(browser, url: str, name: str) -> float | None:
    """Open ``url`` in a context of one's own; seconds until its Ping button is drawn."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        page.set_default_timeout(WAIT_MS)
        start = time.perf_counter()
        await page.goto(url, wait_until="commit")
        await page.get_by_role("button", name="Ping").wait_for()
        seconds = time.perf_counter() - start
        print(f"{name}: usable in {seconds:.1f} s", file=sys.stderr, flush=True)
        return seconds
    except Exception as error:
        print(f"{name}: {type(error).__name__}: {str(error).splitlines()[0]}", file=sys.stderr, flush=True)
        return None
    finally:
        await context.close()


async def run_ceiling(args, process, port: int) -> dict:
    """The room opening plain Voila's one-button page: the wait that Voila and Chromium alone make."""
    from playwright.async_api import async_playwright

    def url(number: int) -> str:
        return f"http://127.0.0.{number + 1}:{port}/"

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        alone = await visitor(browser, url(1), "Alone")
        cpu = CpuByGroup(process.pid)
        cpu.start()
        began = time.perf_counter()
        times = await asyncio.gather(*(visitor(browser, url(n + 1), f"Visitor {n:02d}")
                                       for n in range(1, args.participants + 1)))
        room_s = time.perf_counter() - began
        room_cpu = cpu.stop()
        await browser.close()
    drawn = [seconds for seconds in times if seconds is not None]
    return {
        "ceiling": True, "participants": args.participants, "alone_usable_s": alone,
        "usable_median_s": statistics.median(drawn) if drawn else None,
        "usable_p95_s": percentile(drawn, 0.95) if drawn else None,
        "usable_max_s": max(drawn) if drawn else None,
        "usable_each_s": [round(seconds, 2) for seconds in drawn],
        "never_usable": args.participants - len(drawn), "room_s": room_s, "room_cpu_s": room_cpu,
        # for the budget line below: a plain page loses nothing and is not what memory is measured on
        "answers_lost": 0, "memory_peak_gib": 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--kind", default="to_or_for", help="the practice page everyone opens")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="seconds over which the participants arrive (0: all at once)")
    parser.add_argument("--ceiling", action="store_true",
                        help="open plain Voila's one-button page instead: the ceiling no change of ours can beat")
    args = parser.parse_args()

    load_before = os.getloadavg()  # the machine is shared: how busy it was, to read the figures by
    if args.ceiling:
        with tempfile.TemporaryDirectory() as folder:
            process, port = start_plain_voila(Path(folder))
            try:
                time.sleep(5)
                figures = asyncio.run(run_ceiling(args, process, port))
            finally:
                process.terminate()
                process.wait(60)
        report(figures, load_before, "bench_practice_load_ceiling.json")
        return
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{folder}/practice-load.sqlite"
        own_hosts = [arg for n in range(2, args.participants + 3) for arg in ("--allow-host", f"127.0.0.{n}")]
        server = start_server("--db", database_url, "--max-pages", str(args.participants + 20),
                              "--idle-minutes", "30", "--ip", "0.0.0.0", *own_hosts)
        try:
            time.sleep(15)  # the warm kernels of the preheated pages start first, as on a server already running
            figures = asyncio.run(run(args, server, database_url))
        finally:
            code, errors = server.stop()
    figures["server_exit"] = code
    figures["server_tracebacks"] = errors.count("Traceback")
    report(figures, load_before, "bench_practice_load.json")


def report(figures: dict, load_before, file_name: str) -> None:
    """Print the figures and keep them in tests/benchmarks/out/, with the budget's verdict."""
    figures["load_average_before"], figures["load_average_after"] = load_before, os.getloadavg()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / file_name).write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    within = (figures["usable_p95_s"] is not None and figures["usable_p95_s"] <= BUDGET_P95_S
              and figures["answers_lost"] == 0 and not figures["never_usable"]
              and figures["memory_peak_gib"] < BUDGET_MEMORY_GIB)
    print(f"\nbudget (p95 <= {BUDGET_P95_S:g} s, nothing lost, peak < {BUDGET_MEMORY_GIB:g} GiB): "
          f"{'met' if within else 'MISSED'}")


if __name__ == "__main__":
    main()
