"""The commissioner export, written and logged; and made by a signed-in person: their role checked first.

:func:`export_commissioners` joins the steps that each live in a module of their own: the period
and the log (:mod:`~pcp_widgets.audit.outputs.export_log`), the figures
(:mod:`~pcp_widgets.audit.outputs.commissioners`), the signed-off theme text
(:mod:`~pcp_widgets.audit.outputs.free_text`) and the files
(:mod:`~pcp_widgets.audit.outputs.commissioner_files`). It sits here, above all of them, so that none
of them imports another in a circle.

The Working Together for Change page and ``pcp export commissioners`` both call
:func:`export_commissioners_as`, so the rule is in one place: only a role that may export for
commissioners (:data:`pcp_widgets.access.Action.EXPORT_COMMISSIONERS`) gets a file, anyone else gets
one sentence and the refusal is logged; the export log (:mod:`pcp_widgets.audit.outputs.export_log`) names
them as its maker, and the access log says they exported it, next to everything else they did.
"""

from __future__ import annotations

from pathlib import Path

from typing import Sequence

from pcp_widgets.access import Action, Identity, check_logged
from pcp_widgets.audit.analysis.disclosure import MIN_COUNT
from pcp_widgets.audit.outputs import commissioner_files, export_log
from pcp_widgets.audit.outputs.commissioners import FORMATS, Options, build, latest_month
from pcp_widgets.audit.outputs.free_text import themes_for_commissioners
from pcp_widgets.audit.schema.months import month_label
from pcp_widgets.errors import UsageError


def export_commissioners_as(identity: Identity, store, out: Path, *, made_by: str | None = None,
                            **options) -> Path:
    """:func:`export_commissioners` for ``identity``, checked and logged.

    ``options`` are export_commissioners' own (first, last, min_count, fmt, single_month, themes). The
    export log names ``made_by`` (``pcp export commissioners --by``: the person at a shared account),
    by default the signed-in person; the access log always names the signed-in person.
    """
    check_logged(store, identity, Action.EXPORT_COMMISSIONERS, "commissioner export")
    path = export_commissioners(store, out, made_by=made_by or identity.name, **options)
    store.log_access(identity.name, "exported", detail=f"commissioner export {Path(path).name}")
    return path


def export_commissioners(store, out: Path, *, first: str | None = None, last: str | None = None,
                         min_count: int = MIN_COUNT, fmt: str = "xlsx", themes: Sequence | None = None,
                         single_month: bool = False, made_by: str | None = None) -> Path:
    """Write the commissioner workbook (``fmt="xlsx"``, ``out`` a .xlsx file) or CSV files (``out`` a folder).

    The period must be a calendar quarter or year (a month with ``single_month``); with
    neither end given, the calendar year of the newest record. The figures are audited
    before anything is written, and the export is logged (``made_by``, default the
    operating-system user); one overlapping an earlier logged export is refused
    (:class:`~pcp_widgets.audit.outputs.export_log.OverlapError`). ``themes`` default to the
    Working Together for Change themes of periods inside this one, their text only where
    signed off (:mod:`pcp_widgets.audit.outputs.free_text`). Every refusal is a PcpError whose
    message is one sentence.
    """
    options = Options.parse(first, last, min_count)
    out = Path(out)
    if fmt not in FORMATS:
        raise UsageError(f"The commissioner export can be {' or '.join(FORMATS)}, not {fmt!r}.")
    if fmt == "xlsx" and out.suffix.lower() != ".xlsx":
        raise UsageError("The commissioner workbook is an .xlsx file: give --out a name ending in .xlsx, "
                         "or add --format csv to write CSV files to a folder.")
    if fmt == "csv" and out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file: with --format csv, --out names a folder for the CSV files.")
    start, end = export_log.aligned_period(options.first, options.last,
                                           latest_month(store) if options.first is None else None, single_month)
    options = Options(start, end, options.min_count)
    export_log.check_overlap(store, start, end, options.min_count)
    sentence = ""
    if themes is None:
        themes, sentence = themes_for_commissioners(store, month_label(start), month_label(end))
    data = build(store, options, themes, sentence)
    figures = export_log.figures_sha256(data.aggregates)
    export_log.check_overlap(store, start, end, options.min_count, figures)
    if fmt == "csv":
        written = commissioner_files.write_csv_folder(data, out)
    else:
        written = commissioner_files.write_workbook(data, out)
    export_log.log_export(store, start, end, options.min_count, fmt, written, figures, made_by)
    return written


__all__ = ["export_commissioners", "export_commissioners_as"]
