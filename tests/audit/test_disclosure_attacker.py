"""An attacker written apart from the export's own code: its own linear programme over what was written.

It reads the CSV files and the workbook's cells back (csv, openpyxl), knows only the
published rule (a rounded r is r-2 to r+2 and at least the threshold, "[c]" is 0 or more,
0 is 0) and the additive relations a reader can see (months add to "All months", services
to "Whole provider", a row's categories to its total column, the same figure on two
sheets), and derives every figure's tightest range with scipy's HiGHS. No figure may come
out narrower than its label: a rounded figure keeps its whole range; a "[c]" about fewer
people than the threshold can still be anything from 1 to the threshold less one (and 2
above its true count); a "[c]" hidden to protect one keeps at least its rounding range. The
test knows which "[c]" is which only from the records it generated, counting people itself.
"""

import contextlib
import csv
import io
import datetime as dt
import sqlite3
from collections import defaultdict
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from pcp_widgets.audit.outputs.export_as import export_commissioners
from pcp_widgets.audit.outputs.export_log import OverlapError
from pcp_widgets.audit.schema.sheets import sheet_for
from pcp_widgets.errors import UsageError
from pcp_widgets.store import open_store
from tests.audit.test_commissioners import import_rows
from tests.support.workbook_files import row

PROVIDER, ALL = "Whole provider", "All months"
#: Which CSV files hold counts, their label columns, and the column that totals the others (if any).
COUNT_FILES = {"file_audits": (2, ["Files audited"], None), "observations": (2, ["Observations"], None),
               "events_by_type": (2, None, "All events"), "events_by_routine": (3, None, "All routines"),
               "recovery_time": (2, ["Events with a recovery time"], None), "outcomes": (2, None, "All outcomes")}


def read_csv_tables(folder: Path) -> dict[str, list[dict]]:
    out = {}
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            out[path.stem] = list(csv.DictReader(handle))
    return out


def read_workbook_tables(path: Path) -> dict[str, list[dict]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    names = {"File audits": "file_audits", "Observations": "observations", "Events by type": "events_by_type",
             "Events by routine": "events_by_routine", "Recovery time": "recovery_time", "Outcomes": "outcomes",
             "Themes": "themes", "Trends": "trends"}
    out = {}
    for sheet, stem in names.items():
        rows = [r for r in workbook[sheet].iter_rows(values_only=True)]
        header = [h for h in rows[0] if h is not None]
        out[stem] = [{h: ("" if v is None else str(int(v)) if isinstance(v, (int, float)) and float(v).is_integer()
                          else str(v)) for h, v in zip(header, r)} for r in rows[1:] if r and r[0] is not None]
    return out


class Attacker:
    def __init__(self, threshold: int):
        self.threshold, self.index, self.lo, self.hi, self.labels, self.relations = threshold, {}, [], [], [], []

    def figure(self, key, text: str) -> int | None:
        text = str(text).strip()
        if text in ("", "[z]"):
            return None
        if text == "[c]":
            lo, hi = 0.0, np.inf
        elif float(text) == 0:
            lo = hi = 0.0
        else:
            r = int(float(text))
            lo, hi = (self.threshold if r <= 5 else max(r - 2, self.threshold)), r + 2
        if key in self.index:  # the same figure seen again: both statements hold
            i = self.index[key]
            self.lo[i], self.hi[i] = max(self.lo[i], lo), min(self.hi[i], hi)
            return i
        self.index[key] = len(self.lo)
        self.lo.append(lo), self.hi.append(hi), self.labels.append((key, text))
        return self.index[key]

    def relate(self, parts, total) -> None:
        if total is not None and all(p is not None for p in parts):
            self.relations.append((parts, total))

    def read(self, tables: dict[str, list[dict]]) -> None:
        for stem, (labels, columns, total_column) in COUNT_FILES.items():
            rows = tables[stem]
            heads = list(rows[0])[labels:] if rows else []
            counted = columns or [h for h in heads if h != total_column] + ([total_column] if total_column else [])
            ids = {}
            for r in rows:
                label = tuple(r[h] for h in list(r)[:labels])
                for column in counted:
                    key = ("events_by_type", label[0], label[1], label[2].lower() if len(label) > 2 else "", column)
                    if stem == "events_by_routine" and column == "All routines":
                        key = ("events_by_type", label[0], label[1], label[2])  # the by-type sheet's figure
                    elif stem != "events_by_routine":
                        key = (stem, *label, column)
                    if stem == "file_audits" or stem == "questions":
                        key = ("files", *label)
                    ids[label + (column,)] = self.figure(key, r[column])
            for (unit, month, *inner, column), i in list(ids.items()):
                if unit == PROVIDER and month == ALL:
                    months = [v for (u, m, *n, c), v in ids.items() if u == PROVIDER and m != ALL and n == inner
                              and c == column]
                    self.relate(months, i)
                    services = [v for (u, m, *n, c), v in ids.items() if u != PROVIDER and m == ALL and n == inner
                                and c == column]
                    self.relate(services, i) if services else None
                if total_column and column == total_column:
                    self.relate([ids[(unit, month, *inner, c)] for c in counted if c != total_column], i)
        themes = tables.get("themes") or []
        by_theme = {}
        for r in themes:
            if not r.get("Statements"):
                continue
            i = self.figure(("themes", r["Theme"], r["Service"]), r["Statements"])
            by_theme.setdefault(r["Theme"], {})[r["Service"]] = i
        for services in by_theme.values():
            self.relate([v for s, v in services.items() if s != PROVIDER], services.get(PROVIDER))
        for r in tables.get("trends") or []:  # the chart's cached figures are the provider's months
            for name, column in (("Incidents", "Incident"), ("Refusals", "Refusal")):
                if name in r and r[name] != "":
                    self.figure(("events_by_type", PROVIDER, r["Month"], column), r[name])

    def narrowed(self, truth: dict | None = None) -> list[tuple]:
        """Every figure the programme narrows below its label, as (key, text, lowest, highest).

        A "[c]" is judged by ``truth`` (key: (count, distinct people), from the records):
        about fewer people than the threshold, it must still reach 1 and the threshold less
        one, and 2 above its count; about more, its rounding range. Without ``truth``,
        every "[c]" is read as a small count (1 to the threshold less one) or a 0.
        """
        n = len(self.lo)
        rows, cols, data = [], [], []
        for number, (parts, total) in enumerate(self.relations):
            for p in parts:
                rows.append(number), cols.append(p), data.append(1.0)
            rows.append(number), cols.append(total), data.append(-1.0)
        matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(self.relations), n))
        bounds = list(zip(self.lo, [None if np.isinf(h) else h for h in self.hi]))
        found = []
        for i, (key, text) in enumerate(self.labels):
            if self.lo[i] == self.hi[i]:
                continue
            ends = []
            for sign in (1.0, -1.0):
                c = np.zeros(n)
                c[i] = sign
                result = linprog(c, A_eq=matrix, b_eq=np.zeros(len(self.relations)), bounds=bounds, method="highs")
                assert result.status in (0, 3), result.message  # 3: unbounded above, nothing narrowed
                ends.append(sign * result.fun if result.status == 0 else np.inf)
            low, high = ends[0], ends[1]
            if text == "[c]" and truth is not None:
                count, people = truth.get(key, (0, 0))
                if count == 0:  # nobody is there, which is no one's secret
                    continue
                if people < self.threshold:
                    need = (1, max(self.threshold - 1, count + 2))
                else:  # hidden to protect another: at least what its rounded figure would have said
                    shown = max(5, (count + 2) // 5 * 5)
                    need = (self.threshold if shown <= 5 else max(shown - 2, self.threshold), shown + 2)
                if low > need[0] + 1e-6 or high < need[1] - 1e-6:
                    found.append((key, text, low, high))
            elif text == "[c]":  # a "[c]" worked out as exactly 0 says nobody is there, which is no one's secret
                if high > 1e-6 and (low > 1 + 1e-6 or high < self.threshold - 1 - 1e-6):
                    found.append((key, text, low, high))
            elif low > self.lo[i] + 1e-6 or high < self.hi[i] - 1e-6:
                found.append((key, text, low, high))
        return found


def attack(folder: Path, workbook: Path, threshold: int, records) -> list[tuple]:
    """What the attacker narrows in both files; ``records``: (kind, record) pairs, for the truth of each "[c]"."""
    attacker = Attacker(threshold)
    attacker.read(read_csv_tables(folder))
    attacker.read(read_workbook_tables(workbook))
    return attacker.narrowed(truth(records))


def generated(rows: dict[str, list[list]]):
    """(kind, record) pairs of rows made with :func:`tests.support.workbook_files.row`."""
    for kind, kind_rows in rows.items():
        keys = [f.key for f in sheet_for(kind).fields]
        yield from ((kind, dict(zip(keys, values))) for values in kind_rows)


def stored(path: Path):
    """(kind, record) pairs read straight from a SQLite store's tables, without the export's code."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.row_factory = sqlite3.Row
        for kind in ("event", "file_audit", "observation", "outcome"):
            for record in connection.execute(f"SELECT * FROM {kind}_records"):
                record = dict(record)
                date = record[sheet_for(kind).date_field]
                record[sheet_for(kind).date_field] = dt.date.fromisoformat(str(date)[:10])
                yield kind, record


def truth(records) -> dict[tuple, tuple[int, int]]:
    """Each published figure's true count and distinct people, counted here from the records."""
    found = defaultdict(lambda: [0, set()])
    for kind, r in records:
        day = r[sheet_for(kind).date_field]
        month = f"{day.year}-{day.month:02d}"
        for unit, period in ((r["service"], ALL), (PROVIDER, month), (PROVIDER, ALL)):
            figures = []
            if kind == "event":
                kind_of = r["event_type"]
                figures += [("events_by_type", unit, period, kind_of.capitalize()),
                            ("events_by_type", unit, period, "All events")]
                if r["recovery_minutes"] is not None:
                    figures.append(("recovery_time", unit, period, "Events with a recovery time"))
                if unit == PROVIDER and kind_of in ("incident", "refusal"):
                    routine = (r["routine"] or "not recorded").capitalize()
                    figures.append(("events_by_type", unit, period, kind_of, routine))
            elif kind == "observation":
                figures.append(("observations", unit, period, "Observations"))
            elif kind == "file_audit":
                figures.append(("files", unit, period))
            elif kind == "outcome":
                figures += [("outcomes", unit, period, r["status"].capitalize()),
                            ("outcomes", unit, period, "All outcomes")]
            for key in figures:
                found[key][0] += 1
                found[key][1].add(r["person_ref"].casefold())
    return {key: (count, len(people)) for key, (count, people) in found.items()}


SERVICES = ("Ash Unit", "Beech Unit", "Cedar Unit")


@st.composite
def small_provider(draw):
    """A few services, a few people each (some alone), events and audits over one quarter of 2025."""
    rows = {"file_audit": [], "event": [], "outcome": []}
    for s, service in enumerate(draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True))):
        for p in range(draw(st.integers(1, 7))):
            person = f"P-{s}{p:03d}"
            for n in range(draw(st.integers(1 if p == 0 else 0, 4))):
                day = dt.date(2025, draw(st.integers(1, 3)), draw(st.integers(1, 28)))
                rows["event"].append(row("event", service=service, person_ref=person, event_date=day,
                                         trigger=f"t{n}", event_time=dt.time(9, n),
                                         event_type=draw(st.sampled_from(["incident", "refusal", "complaint"]))))
            if draw(st.booleans()):
                day = dt.date(2025, draw(st.integers(1, 3)), 1 + p % 28)
                rows["file_audit"].append(row("file_audit", service=service, person_ref=person, audit_date=day))
                rows["outcome"].append(row("outcome", service=service, person_ref=person, review_date=day,
                                           status=draw(st.sampled_from(["achieved", "in progress"]))))
    return {kind: r for kind, r in rows.items() if r}


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(small_provider())
def test_an_independent_attacker_narrows_no_figure_below_its_label(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("attack")
    store = open_store(f"sqlite:///{folder / 'pcp.sqlite'}")  # each example its own records and export log
    try:
        import_rows(store, folder, rows)
        workbook = export_commissioners(store, folder / "c.xlsx", first="2025-01", last="2025-03", made_by="Test")
        csv_folder = export_commissioners(store, folder / "csv", first="2025-01", last="2025-03", fmt="csv",
                                          made_by="Test")
        assert attack(csv_folder, workbook, 5, generated(rows)) == []
    finally:
        store.dispose()


def test_the_attacker_finds_what_the_old_export_gave_away(tmp_path):
    """The attacker can fail: a row published with exact small figures and its total is narrowed."""
    attacker = Attacker(5)
    a, b = attacker.figure(("x", 1), "[c]"), attacker.figure(("x", 2), "0")
    total = attacker.figure(("x", "all"), "10")
    attacker.relate([a, b], total)
    assert [found[:2] for found in attacker.narrowed()] == [(("x", 1), "[c]")]


def test_the_attacker_judges_each_hidden_figure_by_the_people_behind_it():
    """A "[c]" about one person (12 refusals) must reach 1; one about eleven people, hidden to protect another,
    must keep its rounding range (57: 53 to 57). Each is narrowed here, and each is found."""
    attacker = Attacker(5)
    small, five = attacker.figure(("small",), "[c]"), attacker.figure(("five",), "5")
    attacker.relate([small, five], attacker.figure(("small total",), "15"))  # small = 15 - 5, within 6 to 12
    large, none = attacker.figure(("large",), "[c]"), attacker.figure(("none",), "0")
    attacker.relate([large, none], attacker.figure(("large total",), "60"))  # large = 58 to 62
    truth = {("small",): (12, 1), ("five",): (6, 5), ("small total",): (15, 6), ("large",): (57, 11),
             ("large total",): (60, 11)}
    assert [found[0] for found in attacker.narrowed(truth)] == [("small",), ("large",)]
    truth[("large",)] = (60, 11)  # rounded to 60 it would have said 58 to 62: not narrowed
    assert [found[0] for found in attacker.narrowed(truth)] == [("small",)]


def one_person(count: int, service: str = "Solo House", month: int = 2) -> list[list]:
    return [row("event", service=service, person_ref="P-0001", event_type="refusal", trigger=f"t{n}",
                event_date=dt.date(2025, month, 1 + n), event_time=dt.time(10, 0)) for n in range(count)]


def many_people(service: str, people: int, each: int = 3) -> list[list]:
    return [row("event", service=service, person_ref=f"P-{service[:2]}{p:03d}", event_type="refusal",
                trigger=f"t{n}", event_date=dt.date(2025, 1 + (p + n) % 3, 1 + n), event_time=dt.time(9, p % 60))
            for p in range(people) for n in range(each)]


def test_one_persons_twelve_refusals_are_not_published_as_twelve(store, tmp_path):
    import_rows(store, tmp_path, {"event": one_person(12) + many_people("Big House", 20)})
    folder = export_commissioners(store, tmp_path / "csv", first="2025-01", last="2025-03", fmt="csv")
    with (folder / "events_by_type.csv").open(encoding="utf-8-sig", newline="") as handle:
        solo = next(r for r in csv.DictReader(handle) if r["Service"] == "Solo House")
    assert solo["Refusal"] == "[c]" and solo["All events"] == "[c]"
    assert "12" not in (folder / "events_by_type.csv").read_text(encoding="utf-8-sig")
    workbook = export_commissioners(store, tmp_path / "c.xlsx", first="2025-01", last="2025-03")
    assert attack(folder, workbook, 5, generated({"event": one_person(12) + many_people("Big House", 20)})) == []


def test_a_second_overlapping_period_is_refused_naming_the_first(store, tmp_path):
    import_rows(store, tmp_path, {"event": one_person(3) + many_people("Big House", 20)})
    export_commissioners(store, tmp_path / "q1.xlsx", first="2025-01", last="2025-03", made_by="Ann Lead")
    with pytest.raises(OverlapError, match=r"2025-01 to 2025-03 \(q1.xlsx\) made by Ann Lead"):
        export_commissioners(store, tmp_path / "year.xlsx", first="2025-01", last="2025-12")
    assert not (tmp_path / "year.xlsx").exists()
    with pytest.raises(OverlapError, match="overlaps this period"):  # another threshold, same quarter
        export_commissioners(store, tmp_path / "q1b.xlsx", first="2025-01", last="2025-03", min_count=3)
    export_commissioners(store, tmp_path / "csv", first="2025-01", last="2025-03", fmt="csv")  # the same figures
    import_rows(store, tmp_path, {"event": many_people("New House", 6)}, name="late.xlsx")
    with pytest.raises(OverlapError, match="gave different figures for the same period"):
        export_commissioners(store, tmp_path / "again.xlsx", first="2025-01", last="2025-03")


def test_months_that_do_not_make_a_quarter_or_year_are_refused(store, tmp_path):
    import_rows(store, tmp_path, {"event": many_people("Big House", 20)})
    with pytest.raises(UsageError, match="not a calendar quarter or year"):
        export_commissioners(store, tmp_path / "c.xlsx", first="2025-02", last="2025-04")
    with pytest.raises(UsageError, match="add --single-month"):
        export_commissioners(store, tmp_path / "c.xlsx", first="2025-02", last="2025-02")
    assert export_commissioners(store, tmp_path / "m.xlsx", first="2025-02", last="2025-02", single_month=True)


# -- free text ----------------------------------------------------------------------------


def test_theme_text_with_a_name_a_ref_and_a_room_is_blocked_with_reasons(store):
    from pcp_widgets.audit.outputs.free_text import FreeTextError, ThemeText, check_text, sign_off

    reasons = check_text("Mrs Jean Smith (P-9101) bath time in Room 12")
    assert any("personal name" in r for r in reasons)
    assert any("ref" in r for r in reasons) and any("room number" in r for r in reasons)
    for text in ("Jean Smith bath time", "S-0042 was rough", "Ring 07700 900123", "DOB 01/02/1950",
                 "12 Acacia Avenue", "Post to AB1 2CD"):
        assert check_text(text), text
    for text in ("I want staff who know me", "Going out", "Staff who know me"):
        assert check_text(text) == [], text
    with pytest.raises(FreeTextError, match="looks like a person or staff ref"):
        sign_off(store, "2025-01", "2025-03", [ThemeText("future", "Bath time for P-9101", "I want a bath")], "Ann")
    with pytest.raises(FreeTextError, match="name of the person"):
        sign_off(store, "2025-01", "2025-03", [ThemeText("future", "Going out", "I want to go out")], " ")


def test_theme_text_leaves_only_when_signed_off_and_the_contents_say_who(store, tmp_path):
    from pcp_widgets.audit.outputs.free_text import ThemeText, sign_off
    from pcp_widgets.audit.analysis.wtfc import StoredThemes, ThemeSet, save_themes

    reviews = [row("review", service="Big House", person_ref=f"P-{n:03d}", review_date=dt.date(2025, 2, 1 + n),
                   working_1="Going out on Fridays", not_working_1="Nobody knows me", future_1="A bath")
               for n in range(8)]
    import_rows(store, tmp_path, {"event": many_people("Big House", 20), "review": reviews})
    themes = ThemeSet("2025-01", "2025-03")
    themes.add_theme("Going out", "working", "I like going out", ["Going out on Fridays"])
    themes.add_theme("Mrs Jean Smith bath time", "future", "I want a bath", ["A bath"])
    save_themes(store, StoredThemes(themes))
    folder = export_commissioners(store, tmp_path / "before", first="2025-01", last="2025-03", fmt="csv")
    before = (folder / "themes.csv").read_text(encoding="utf-8-sig")
    assert "Going out" not in before and "Jean" not in before and "Theme 1" in before and "2025-01 to 2025-03" in before
    assert "nobody has signed them off" in (folder / "contents.csv").read_text(encoding="utf-8-sig")
    sign_off(store, "2025-01", "2025-03", [ThemeText("working", "Going out", "I like going out")], "Ann Lead")
    with store.engine.begin() as connection:  # a fresh log: the sign-off changes the figures' text
        connection.exec_driver_sql("DELETE FROM commissioner_exports")
    folder = export_commissioners(store, tmp_path / "after", first="2025-01", last="2025-03", fmt="csv")
    after = (folder / "themes.csv").read_text(encoding="utf-8-sig")
    assert "I like going out" in after and "Jean" not in after
    contents = (folder / "contents.csv").read_text(encoding="utf-8-sig")
    assert "Theme 1 only" in contents and "signed off by Ann Lead" in contents


def test_a_quarter_of_a_provider_with_many_services_is_exported_and_gives_nothing_away(tmp_path):
    """Thirty demo services, one calendar quarter: many services' rows hold a figure about 1 to 4 people beside
    larger ones. The older rule (every "[c]" held to "1 to 4") refused this quarter; the export now hides what
    the primary figures need and the attacker, judging each "[c]" by the records in the database, finds nothing."""
    from pcp_widgets.audit.demo import run_demo

    path = tmp_path / "pcp.sqlite"
    store = open_store(f"sqlite:///{path}")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            run_demo(store, out_dir=None, quiet=True, services=30, months=3, seed=1, end_month="2026-03")
        workbook = export_commissioners(store, tmp_path / "q1.xlsx", first="2026-01", last="2026-03", made_by="Test")
        folder = export_commissioners(store, tmp_path / "q1", first="2026-01", last="2026-03", fmt="csv",
                                      made_by="Test")
    finally:
        store.dispose()
    contents = (folder / "contents.csv").read_text(encoding="utf-8-sig")
    assert "Result: no figure about fewer than the threshold of people can be narrowed" in contents
    tables = read_csv_tables(folder)
    services = [r for r in tables["events_by_type"] if r["Service"] != PROVIDER]
    assert sum("[c]" in r.values() for r in services) >= 5  # small figures were there to protect
    provider = next(r for r in tables["events_by_type"] if r["Service"] == PROVIDER and r["Month"] == ALL)
    assert "[c]" not in provider.values()  # the quarter's totals of many people stay shown
    assert attack(folder, workbook, 5, stored(path)) == []
    assert shares_telling_counts(tables, 5) == []


def shares_telling_counts(tables: dict[str, list[dict]], threshold: int) -> list[tuple]:
    """Shares of Yes whose fewest possible answers (tried one by one here) are more than the count beside them
    can be by its label: 57.1% needs 7 answers, so beside a "5" (5 to 7) it would say the count is 7."""
    found = []
    for stem, column in (("questions", "Files audited"), ("observations", "Observations")):
        for r in tables[stem]:
            if r[column] in ("[c]", "[z]", "0"):
                continue
            shown = int(r[column])
            low = threshold if shown <= 5 else max(shown - 2, threshold)
            for header, value in r.items():
                if "% Yes" not in header or value in ("[c]", "[z]", ""):
                    continue
                fewest = next(n for n in range(1, 100_000) if any(round(100 * k / n, 1) == float(value)
                                                                 for k in range(n + 1)))
                if fewest > low:
                    found.append((stem, r["Service"], r["Month"], header, value, r[column]))
    return found
