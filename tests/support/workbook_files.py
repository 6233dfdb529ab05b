"""Real .xlsx files for tests, written with openpyxl, and valid rows to start from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from pcp_widgets.audit.schema.sheets import FILE_AUDIT, SHEETS, sheet_for


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write ``{sheet name: rows}``; each row a list of cell values (None for an empty cell)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
            for cell in worksheet[worksheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula stays text, as typed
    workbook.save(path)
    return path


def headers(kind: str) -> list[str]:
    return [f.header for f in sheet_for(kind).fields]


VALID_VALUES = {
    "file_audit": {
        "audit_date": dt.date(2025, 3, 7), "service": "Oak House", "person_ref": "P-0001", "auditor": "QL1",
        **{f.key: "Yes" for f in FILE_AUDIT.answer_fields},
        "best_support_sample": "Call my name from the bedroom door to wake me; never shake me.", "notes": None,
    },
    "observation": {
        "obs_date": dt.date(2025, 3, 7), "obs_time": dt.time(8, 30), "service": "Oak House", "person_ref": "P-0001",
        "staff_ref": "S-0001", "observer": "QL1", "routine": "personal care",
        **{k: "Yes" for k in ("o1_consent_asked", "o2_choice_offered", "o3_stop_respected",
                              "o4_communication_as_plan", "o5_routine_as_plan", "o6_dignity", "o7_knows_person")},
        "matches_plan": "Yes", "notes": None,
    },
    "event": {
        "event_date": dt.date(2025, 3, 7), "event_time": dt.time(7, 15), "service": "Oak House",
        "person_ref": "P-0001", "event_type": "refusal", "routine": "personal care", "trigger": "rushed",
        "severity": "low", "recovery_minutes": 20, "notes": None,
    },
    "plan_change": {
        "change_date": dt.date(2025, 3, 10), "service": "Oak House", "person_ref": "P-0001", "reason": "incident",
        "description": "Offer two options at breakfast",
    },
    "outcome": {
        "review_date": dt.date(2025, 3, 20), "service": "Oak House", "person_ref": "P-0001",
        "outcome": "I want to walk to the shop on my own", "status": "in progress", "steps_done": 2,
        "steps_total": 5, "confidence": 7, "cancellations": 0,
    },
    "review": {
        "review_date": dt.date(2025, 3, 20), "service": "Oak House", "person_ref": "P-0001",
        "working_1": "I like my new room", "working_2": None, "not_working_1": "Staff keep changing",
        "not_working_2": None, "future_1": "I want to go to college", "future_2": None,
    },
}


def row(kind: str, **changes) -> list:
    """A valid row of ``kind`` in schema column order, with some values changed."""
    values = {**VALID_VALUES[kind], **changes}
    return [values[f.key] for f in sheet_for(kind).fields]


def full_workbook(path: Path) -> Path:
    """One valid row on each of the six sheets."""
    return write_workbook(path, {s.name: [headers(s.kind), row(s.kind)] for s in SHEETS})
