"""The "Import audit data" page: upload workbooks, import them, see every row stored or explained.

The work is done by plain functions that need no kernel and are tested on their own:
saving uploads under safe names in a private folder (:func:`import_uploads`), and turning
an :class:`~pcp_widgets.audit.report.ImportReport` into escaped HTML tables
(:func:`results_html`) and download links (:func:`download_link_html`). :class:`ImportPage`
only holds the widgets and calls them.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import ipywidgets as widgets
import pandas as pd

from pcp_widgets.plural import counted
from pcp_widgets.progress import Progress, widget_progress
from pcp_widgets.ui.downloads import MAX_NAME_LENGTH, download_link_html, safe_download_name
from pcp_widgets.ui.fields import row_of
from pcp_widgets.ui.frame import PageFrame, html_block

PATH = "audits/import_audit_data.ipynb"
#: What the upload button offers; the reader decides what it can really read.
ACCEPTED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
#: More rows than this in one table make the page slow; the workbook download has them all.
MAX_TABLE_ROWS = 500

COUNT_COLUMNS = {
    "file": "File",
    "sheet": "Sheet",
    "rows": "Rows",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "new": "New",
    "updated": "Updated",
    "duplicates": "Duplicates",
}
ERROR_COLUMNS = {"file": "File", "sheet": "Sheet", "row": "Row", "column": "Column", "value": "Value",
                 "reason": "Reason"}
WARNING_COLUMNS = {"file": "File", "sheet": "Sheet", "row": "Row", "column": "Column", "value": "Value",
                   "message": "Warning"}

INTRO = (
    "Fill in the blank audit workbook (or your own copy of it), choose one or more workbooks "
    "(.xlsx, .xlsm, .xls or .ods) and press Import. Every row is either stored or listed below "
    "with the reason; rows already stored are not stored twice."
)


# -- uploads ------------------------------------------------------------------------------


def display_name(raw_name: str | None) -> str:
    """The name to show for an uploaded file: its last path part, printable, not too long."""
    name = re.split(r"[\\/]", str(raw_name or ""))[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split())
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        name = name[: MAX_NAME_LENGTH - len(extension) - 2] + "…." + extension if dot else name[:MAX_NAME_LENGTH]
    return name or "unnamed file"


def safe_extension(name: str) -> str:
    """The file's extension, lower case, if it is a plain one (letters and digits), else ''."""
    suffix = Path(display_name(name)).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,6}", suffix) else ""


def save_uploads(uploads: Iterable[Mapping], folder: Path) -> tuple[list[Path], list[str]]:
    """Write each upload as ``upload-NN.ext`` in ``folder``; return the paths and the names to show.

    The person's file name is never used as a path: it only travels to the importer as a
    display name, so messages name their file.
    """
    paths, names = [], []
    for number, upload in enumerate(uploads, start=1):
        name = display_name(upload.get("name"))
        path = folder / f"upload-{number:02d}{safe_extension(name)}"
        path.write_bytes(bytes(upload.get("content", b"")))
        paths.append(path)
        names.append(name)
    return paths, names


def import_uploads(uploads: Sequence[Mapping], store, progress: Progress | None = None, *, limits=None):
    """Import uploaded files from a private temporary folder that is removed afterwards."""
    from pcp_widgets.audit.importer import import_files
    from pcp_widgets.audit.limits import Limits

    limits = limits or Limits.from_options()
    with tempfile.TemporaryDirectory(prefix="pcp-upload-") as folder:
        paths, names = save_uploads(uploads, Path(folder))
        return import_files(paths, store, limits=limits, progress=progress, display_names=names)


# -- HTML -------------------------------------------------------------------------------------


def _cell(value) -> str:
    """One table cell: numbers right-aligned with thousands separators (others to one decimal place),
    dates in UK order, everything else as escaped text."""
    if value is None:
        return "<td></td>"
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="pcp-number">{value:,}</td>'
    if isinstance(value, float):
        return f'<td class="pcp-number">{value:,.1f}</td>'
    if isinstance(value, (dt.date, pd.Timestamp)):
        return f"<td>{value:%d/%m/%Y}</td>"
    return f"<td>{html.escape(str(value))}</td>"


def html_table(frame: pd.DataFrame, columns: Mapping[str, str], caption: str, limit: int | None = None) -> str:
    """An escaped HTML table of ``frame``'s ``columns`` (key -> heading), at most ``limit`` rows
    (:data:`MAX_TABLE_ROWS` unless told)."""
    limit = MAX_TABLE_ROWS if limit is None else limit
    head = "".join(f'<th scope="col">{html.escape(heading)}</th>' for heading in columns.values())
    body = []
    for record in frame.head(limit).to_dict("records"):
        body.append("<tr>" + "".join(_cell(_plain(record.get(key))) for key in columns) + "</tr>")
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _plain(value):
    """pandas' missing values as None, whole floats as ints (row numbers come back as floats)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    return value


def _more_rows_note(shown: int, total: int, what: str, where_all: str = "") -> str:
    if total <= shown:
        return ""
    return f"<p>The first {shown:,} of {total:,} {what} are shown here{where_all}.</p>"


def summary_sentence(report) -> str:
    """One sentence saying what the import did, for the top of the results."""
    counts = [c for f in report.files for c in f.sheets.values()]
    accepted = sum(c.accepted for c in counts)
    rejected = sum(c.rejected for c in counts)
    new = sum(c.new for c in counts)
    updated = sum(c.updated for c in counts)
    duplicates = sum(c.duplicates for c in counts)
    unreadable = sum(1 for f in report.files if f.error)
    files = len(report.files)
    sentence = (f"{counted(accepted, 'row')} accepted ({new:,} new, {updated:,} updated, "
                f"{counted(duplicates, 'duplicate')}) and {rejected:,} rejected, from {counted(files, 'file')}")
    if unreadable:
        sentence += f"; {counted(unreadable, 'file')} could not be read"
    return sentence + "."


def files_not_imported_html(report) -> str:
    """The files that could not be read, or held no audit sheet, each with its one-sentence reason."""
    items = []
    for f in report.files:
        if f.error:
            items.append(f"<li>{html.escape(f.path)}: not imported. {html.escape(f.error)}</li>")
        elif not f.sheets:
            items.append(f"<li>{html.escape(f.path)}: no audit sheets found; nothing was imported.</li>")
    if not items:
        return ""
    return ('<div class="pcp-problem"><h2>Files not imported</h2><ul>' + "".join(items) + "</ul></div>")


def rejected_rows_frame(report) -> pd.DataFrame:
    """The rejected rows' problems: one row per problem, with the spreadsheet row a person sees."""
    frame = report.errors_table()
    return frame[frame["row"].notna()].reset_index(drop=True)


def results_html(report, errors_link: str = "") -> str:
    """Everything the page shows after an import, escaped: summary, counts, problems, warnings."""
    parts = [f"<p><strong>{html.escape(summary_sentence(report))}</strong></p>", files_not_imported_html(report)]
    counts = report.counts_table()
    if len(counts):
        parts.append("<h2>What was imported</h2>")
        parts.append(html_table(counts, COUNT_COLUMNS, "Rows in each file and sheet", limit=len(counts)))
    rejected = rejected_rows_frame(report)
    if len(rejected):
        parts.append("<h2>Rejected rows</h2>")
        parts.append("<p>These rows were not stored. Fix them in your workbook, or in the download below "
                     "(it has a \u201cWhy rejected\u201d column), and import it again.</p>")
        if errors_link:
            parts.append(f"<p>{errors_link}</p>")
        parts.append(html_table(rejected, ERROR_COLUMNS, "Why each rejected row was not stored"))
        parts.append(_more_rows_note(min(len(rejected), MAX_TABLE_ROWS), len(rejected), "problems",
                                     "; the download has them all"))
    warnings = report.warnings_table()
    if len(warnings):
        parts.append("<h2>Warnings</h2>")
        parts.append("<p>These were imported, but are worth a look.</p>")
        parts.append(html_table(warnings, WARNING_COLUMNS, "Warnings"))
        parts.append(_more_rows_note(min(len(warnings), MAX_TABLE_ROWS), len(warnings), "warnings"))
    return html_block("\n".join(part for part in parts if part))


# -- downloads --------------------------------------------------------------------------------


def errors_workbook_bytes(report) -> bytes:
    """The rejected rows workbook (:meth:`ImportReport.write_errors_workbook`) as bytes."""
    with tempfile.TemporaryDirectory(prefix="pcp-errors-") as folder:
        path = report.write_errors_workbook(Path(folder) / "rejected-rows.xlsx")
        return Path(path).read_bytes()


def errors_download_name(report) -> str:
    """``<file>-rejected-rows.xlsx`` for one file, ``rejected-rows.xlsx`` for several."""
    names = {rejected.file for rejected in report.rejected_rows}
    if len(names) == 1:
        return safe_download_name(Path(names.pop()).stem + "-rejected-rows")
    return safe_download_name("rejected-rows")


def errors_link_html(report) -> str:
    """The download link for the rejected rows workbook, or '' when no row was rejected."""
    if not report.rejected_rows:
        return ""
    count = len(report.rejected_rows)
    return download_link_html(
        errors_workbook_bytes(report),
        errors_download_name(report),
        f"Download the {counted(count, 'rejected row')} as a workbook to fix and import again",
    )


def template_link_html() -> str:
    """The download link for the blank audit workbook, written fresh from the schema."""
    from pcp_widgets.audit.templates import write_templates

    with tempfile.TemporaryDirectory(prefix="pcp-template-") as folder:
        path = Path(write_templates(Path(folder)))
        data = path.read_bytes()
    return download_link_html(data, safe_download_name(path.stem, path.suffix or ".xlsx"),
                              "Download the blank audit workbook")


# -- the page ---------------------------------------------------------------------------------


UNEXPECTED = ("Something went wrong that we did not expect, so the import did not finish. Files already "
              "reported as imported are stored; the details are in the server's log.")


class ImportPage(PageFrame):
    """The widgets of the page; the work is done by the functions above."""

    what = "import page"

    def __init__(self, store=None):
        super().__init__()
        if store is None:
            from pcp_widgets.store import open_store

            store = open_store()
        self.store = store
        self.heading = widgets.HTML(html_block(f"<p>{template_link_html()}</p>"))
        self.upload = widgets.FileUpload(
            accept=",".join(ACCEPTED_EXTENSIONS),
            multiple=True,
            description="Choose workbooks",
            tooltip="Choose one or more audit workbooks (.xlsx, .xlsm, .xls or .ods)",
            layout=widgets.Layout(width="auto"),
        )
        self.button = widgets.Button(
            description="Import",
            button_style="primary",
            tooltip="Import the chosen workbooks",
        )
        self.chosen = widgets.HTML()
        # The bar appears with the first import; before that it would be an empty box with no meaning.
        self.bar = widgets.IntProgress(value=0, min=0, max=1,
                                       layout=widgets.Layout(width="30rem", visibility="hidden"))
        self.label = widgets.Label(value="")
        self.progress = widget_progress(self.bar, self.label)
        self.results = widgets.HTML()
        self.upload.observe(self._on_choose, names="value")
        self.button.on_click(self._on_import)
        self.frame(PATH, self.heading, row_of([self.upload, self.button]), self.chosen,
                   row_of([self.bar, self.label]), self.status, self.results, intro=INTRO, status_first=False)

    def _on_choose(self, change) -> None:
        names = [display_name(upload.get("name")) for upload in change["new"]]
        self.chosen.value = html_block("<p>Chosen: " + html.escape(", ".join(names)) + "</p>") if names else ""

    def _on_import(self, _button=None) -> None:
        uploads = list(self.upload.value)
        if not uploads:
            self.say("Choose one or more workbooks first, then press Import.", problem=True)
            return
        self.button.disabled = self.upload.disabled = True
        self.results.value = ""
        self.say("")
        self.bar.layout.visibility = "visible"
        self.progress.reset("Starting the import")
        try:
            if self.status.run(lambda: self.import_now(uploads), UNEXPECTED) is None:
                self.label.value = "The import stopped."
        finally:
            self.upload.value = ()
            self.button.disabled = self.upload.disabled = False

    def import_now(self, uploads: Sequence[Mapping]):
        """Import ``uploads`` (FileUpload values: dicts with ``name`` and ``content``) and show the results."""
        report = import_uploads(uploads, self.store, self.progress)
        self.results.value = results_html(report, errors_link_html(report))
        self.label.value = "Finished."
        return report


__all__ = ["PATH", "ACCEPTED_EXTENSIONS", "display_name", "safe_extension", "save_uploads", "import_uploads",
           "html_table", "summary_sentence", "files_not_imported_html", "rejected_rows_frame", "results_html",
           "safe_download_name", "download_link_html", "errors_workbook_bytes",
           "errors_download_name", "errors_link_html", "template_link_html", "ImportPage"]
