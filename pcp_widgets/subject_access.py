"""A person's data from start to end: the subject access export, erasure and redaction.

``pcp person export|erase|redact`` and the admin page call these. Each checks that the acting
identity may do it (admins only: :mod:`pcp_widgets.access`) before it reads or writes anything, and
logs what it did under that identity. The export is a zip a data protection lead can send on:

* ``person.json``: everything, as stored (every version of every tool document with who saved it,
  the audit rows with the import they came from and any replaced values, practice answers that name
  the ref, and the access-log entries about them);
* ``person.xlsx``: the same as sheets (text that Excel would run as a formula stays text);
* ``summary.pdf``: a readable summary of what is held, printed as the project prints its tools.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

from pcp_widgets.access import Action, Identity, check
from pcp_widgets.audit.schema.sheets import sheet_for
from pcp_widgets.audit.outputs.sheets_out import DATETIME_FORMAT, SheetData, xlsx_bytes
from pcp_widgets.errors import UsageError
from pcp_widgets.store import Erasure


# -- writing ---------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def export_bytes(held: dict) -> bytes:
    """The zip: person.json, person.xlsx and summary.pdf."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("person.json", json.dumps(held, ensure_ascii=False, indent=2, default=_plain))
        archive.writestr("person.xlsx", xlsx_bytes(sheets(held)))
        archive.writestr("summary.pdf", summary_pdf(held))
    return buffer.getvalue()


def _local(moment):
    """A stored moment as a local time without a zone, as Excel wants it: SQLite gives UTC without a zone,
    PostgreSQL with one."""
    if isinstance(moment, dt.datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
        return aware.astimezone().replace(tzinfo=None)
    return moment


def _text(content) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, default=_plain)


def sheets(held: dict) -> list[SheetData]:
    person = held["person"]
    out = [SheetData("Person", ["Field", "Value"], [[key, _local(value)] for key, value in person.items()],
                     notes=[f"Everything held about {person['ref']}",
                            f"Written {dt.datetime.now():%d/%m/%Y %H:%M}"])]
    versions = [[doc["tool"], v["version"], _local(v["saved_at"]), v["saved_by"] or "", v["note"] or "",
                 _text(v["content"])] for doc in held["documents"] + held["practice_answers"] for v in doc["versions"]]
    out.append(SheetData("Document versions", ["Tool", "Version", "Saved at", "Saved by", "Note", "Content"],
                         versions, column_formats={2: DATETIME_FORMAT}))
    for kind, rows in held["audit_records"].items():
        headers = [key for key in rows[0] if key != "earlier_values"] + ["earlier_values"]
        out.append(SheetData(sheet_for(kind).name, headers,
                             [[_text(row[h]) if h == "earlier_values" else row[h] for h in headers] for row in rows]))
    out.append(SheetData("Access log", ["When", "User", "Action", "Detail"],
                         [[_local(e["at"]), e["user"], e["action"], e["detail"]] for e in held["access_log"]],
                         column_formats={0: DATETIME_FORMAT}))
    return out


def summary_pdf(held: dict) -> bytes:
    from pcp_widgets.render.blocks import Bullets, Layout, Table
    from pcp_widgets.render.pdf import layout_pdf

    person = held["person"]
    name = person["preferred_name"] or "no name recorded"
    cells = lambda *values: tuple((str(v),) for v in values)  # noqa: E731 - one table cell per value
    documents_table = Table("Tool documents (every version is in person.json and person.xlsx)",
                            ("Tool", "Versions", "Last saved", "Saved by"),
                            tuple(cells(d["tool"], len(d["versions"]), f"{_local(d['versions'][-1]['saved_at']):%d/%m/%Y}",
                                        ", ".join(sorted({v["saved_by"] or "not recorded" for v in d["versions"]})))
                                  for d in held["documents"]), empty_note="No tool documents.")
    audit_table = Table("Audit records", ("Kind", "Rows"),
                        tuple(cells(sheet_for(kind).name, len(rows)) for kind, rows in held["audit_records"].items()),
                        empty_note="No audit records.")
    log = Table("Who looked at or changed their records", ("When", "User", "Action", "Detail"),
                tuple(cells(f"{_local(e['at']):%d/%m/%Y %H:%M}", e["user"], e["action"], e["detail"])
                      for e in held["access_log"]), empty_note="No access-log entries.")
    facts = Bullets("Held in the register", (
        f"Ref {person['ref']}, preferred name {name}, service {person['service']}",
        f"Added {_local(person['added_at']):%d/%m/%Y} by {person['added_by']}"
        + (f"; left {person['left_on']:%d/%m/%Y}" if person["left_on"] else ""),
        f"Practice answers naming the ref: {len(held['practice_answers'])}"))
    layout = Layout(f"What we hold about {name}", f"{person['ref']} · subject access export, "
                    f"{dt.date.today():%d/%m/%Y}", "", (facts, documents_table, audit_table, log))
    return layout_pdf(layout, f"Subject access export · {person['ref']}")


# -- the three operations --------------------------------------------------------------


def export_person(store, identity: Identity, ref: str, out: Path) -> Path:
    """Write the zip of everything held about ``ref`` to ``out`` and log the export."""
    check(identity, Action.EXPORT_PERSON)
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise UsageError(f"{out.name} does not end in .zip: the export is a zip of JSON, xlsx and PDF.")
    found, data = held_zip(store, identity, ref)
    descriptor = out.open("wb")  # then readable by its owner only: it holds everything about a person
    with descriptor:
        out.chmod(0o600)
        descriptor.write(data)
    log_export(store, identity, found, out.name)
    return out


def export_zip(store, identity: Identity, ref: str) -> tuple[str, bytes]:
    """The register ref and the zip of everything held about ``ref``, for a page to offer as a download.

    Logged as the command logs it, naming the download's file (``<ref>.zip``) in place of a path.
    """
    found, data = held_zip(store, identity, ref)
    log_export(store, identity, found, f"a download, {found}.zip")
    return found, data


def held_zip(store, identity: Identity, ref: str) -> tuple[str, bytes]:
    """The register ref and the export's zip, not yet logged (the caller logs once it is handed over)."""
    check(identity, Action.EXPORT_PERSON)
    held = store.held_about(ref)
    return held["person"]["ref"], export_bytes(held)


def log_export(store, identity: Identity, ref: str, where: str) -> None:
    store.log_access(identity.name, "exported", ref, f"everything held about them to {where}")


def erase_person(store, identity: Identity, ref: str, reason: str) -> Erasure:
    """Erase ``ref`` in one transaction, then leave no trace of it in the database's files."""
    check(identity, Action.ERASE_PERSON)
    return store.erase_person(ref, by=identity.name, reason=reason)


def redact_version(store, identity: Identity, ref: str, tool: str, version: int, reason: str) -> dict:
    """Replace one version's content with who redacted it, when and why, then clear the old bytes away."""
    check(identity, Action.REDACT)
    return store.redact_version(ref, tool, version, by=identity.name, reason=reason)


def person_label(store, ref: str) -> str:
    """How a confirmation names the person: "Zoe (P-0042, Oak House)"."""
    return store.person(ref).label()
