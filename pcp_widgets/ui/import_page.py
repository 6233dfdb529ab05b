"""The "Import audit data" page: upload workbooks, import them, see every row stored or explained.

The work is done by plain functions that need no kernel and are tested on their own:
saving uploads under safe names in a private folder (:class:`SavedUploads`), importing them
under the signed-in person's name while holding the one import lock (:func:`import_saved`), and
turning an :class:`~pcp_widgets.audit.ingest.import_report.ImportReport` into escaped HTML tables
(:func:`results_html`) and download links (:func:`download_link_html`). :class:`ImportPage`
only holds the widgets and calls them; :func:`import_page` builds it for those whose role imports.

Who may import is decided in the kernel, twice: when the page is built (:mod:`pcp_widgets.ui.gate`)
and again before each upload is written to disk and before each import, with the role as the
database says it is then (an admin may have changed it since the page opened). An upload arrives
as one websocket message held by the FileUpload widget; it is written to a private temporary file
as soon as it arrives and the widget's copy is dropped at once, so a large workbook is not held in
memory, once or several times over, while it is imported.
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

from pcp_widgets.access import Identity
from pcp_widgets.plural import counted
from pcp_widgets.progress import Progress, widget_progress
from pcp_widgets.ui.downloads import MAX_NAME_LENGTH, download_link_html, safe_download_name
from pcp_widgets.ui.fields import row_of
from pcp_widgets.ui.frame import PageFrame, html_block
from pcp_widgets.ui.gate import RefusedPage, page_or_refusal, signed_in_for

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
    display name, so messages name their file. The bytes are written from the upload's own
    buffer (a memoryview of the websocket message), never copied first.
    """
    paths, names = [], []
    for number, upload in enumerate(uploads, start=1):
        name = display_name(upload.get("name"))
        path = folder / f"upload-{number:02d}{safe_extension(name)}"
        path.write_bytes(upload.get("content", b""))
        paths.append(path)
        names.append(name)
    return paths, names


class SavedUploads:
    """Uploads written to a private temporary folder (owner-only, as ``tempfile`` makes it) as they
    arrive, kept there until they are imported or replaced, then removed with the folder."""

    def __init__(self, uploads: Iterable[Mapping]):
        self._folder = tempfile.TemporaryDirectory(prefix="pcp-upload-")
        try:
            self.paths, self.names = save_uploads(uploads, Path(self._folder.name))
        except BaseException:
            self._folder.cleanup()
            raise

    def discard(self) -> None:
        self._folder.cleanup()


def import_saved(saved: SavedUploads, store, progress: Progress | None = None, *, by: str, limits=None):
    """Import saved uploads as ``by``'s, holding the one import lock of the database throughout
    (:meth:`Store.importing`: a second import, from any page or process, is told who is importing)."""
    from pcp_widgets.audit.ingest.importer import import_files
    from pcp_widgets.audit.ingest.limits import Limits

    limits = limits or Limits.from_options()
    with store.importing(by) as keep_alive:
        def reported(done: int, total: int, message: str) -> None:
            keep_alive()
            if progress is not None:
                progress(done, total, message)

        return import_files(saved.paths, store, limits=limits, progress=reported, display_names=saved.names,
                            imported_by=by)


def import_uploads(uploads: Sequence[Mapping], store, progress: Progress | None = None, *, by: str,
                   limits=None):
    """Import uploaded files as ``by``'s from a private temporary folder that is removed afterwards."""
    saved = SavedUploads(uploads)
    try:
        return import_saved(saved, store, progress, by=by, limits=limits)
    finally:
        saved.discard()


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
    """The rejected rows workbook (:func:`~pcp_widgets.audit.outputs.rejected_rows.write_rejected_rows`) as bytes."""
    from pcp_widgets.audit.outputs.rejected_rows import write_rejected_rows

    with tempfile.TemporaryDirectory(prefix="pcp-errors-") as folder:
        path = write_rejected_rows(report, Path(folder) / "rejected-rows.xlsx")
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
    from pcp_widgets.audit.outputs.templates import write_templates

    with tempfile.TemporaryDirectory(prefix="pcp-template-") as folder:
        path = Path(write_templates(Path(folder)))
        data = path.read_bytes()
    return download_link_html(data, safe_download_name(path.stem, path.suffix or ".xlsx"),
                              "Download the blank audit workbook")


# -- the page ---------------------------------------------------------------------------------


UNEXPECTED = ("Something went wrong that we did not expect, so the import did not finish. Files already "
              "reported as imported are stored; the details are in the server's log.")


def import_page(store=None) -> "ImportPage | RefusedPage":
    """The page as the notebook shows it: built only for a role that may import (others get the
    title and one sentence, and the refusal is logged)."""
    store = store or _open_store()
    return page_or_refusal(PATH, store, lambda identity: ImportPage(store))


def _open_store():
    from pcp_widgets.store import open_store

    return open_store()


class ImportPage(PageFrame):
    """The widgets of the page; the work is done by the functions above."""

    what = "import page"

    def __init__(self, store=None):
        super().__init__()
        self.store = store or _open_store()
        #: The chosen workbooks, on disk since they arrived (None before a choice and after an import).
        self.saved: SavedUploads | None = None
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
        """Write the chosen workbooks to disk as they arrive (if the person may import) and drop the
        widget's copy of their bytes."""
        if not change["new"]:
            return  # the widget emptied below
        self._discard()
        self.say("")
        try:
            with self.status.guarded():
                self.signed_in()  # before a byte of the upload is read
                self.saved = SavedUploads(change["new"])
        finally:
            self.upload.value = ()
        names = self.saved.names if self.saved else []
        self.chosen.value = html_block("<p>Chosen: " + html.escape(", ".join(names)) + "</p>") if names else ""

    def _on_import(self, _button=None) -> None:
        saved, self.saved = self.saved, None
        self.chosen.value = ""
        if saved is None:
            self.say("Choose one or more workbooks first, then press Import.", problem=True)
            return
        self.button.disabled = self.upload.disabled = True
        self.results.value = ""
        self.say("")
        self.bar.layout.visibility = "visible"
        self.progress.reset("Starting the import")
        try:
            if self.status.run(lambda: self.import_now(saved), UNEXPECTED) is None:
                self.label.value = "The import stopped."
        finally:
            saved.discard()
            self.button.disabled = self.upload.disabled = False

    def signed_in(self) -> Identity:
        """Who is signed in, if their role imports now (else NotAllowed, logged as refused)."""
        return signed_in_for(PATH, self.store)

    def import_now(self, saved: SavedUploads):
        """Import the saved uploads as the signed-in person, if they may, and show the results."""
        identity = self.signed_in()
        report = import_saved(saved, self.store, self.progress, by=identity.name)
        self.results.value = results_html(report, errors_link_html(report))
        self.label.value = "Finished."
        return report

    def _discard(self) -> None:
        if self.saved is not None:
            self.saved.discard()
            self.saved = None


__all__ = ["PATH", "ACCEPTED_EXTENSIONS", "display_name", "safe_extension", "save_uploads", "SavedUploads",
           "import_saved", "import_uploads", "import_page",
           "html_table", "summary_sentence", "files_not_imported_html", "rejected_rows_frame", "results_html",
           "safe_download_name", "download_link_html", "errors_workbook_bytes",
           "errors_download_name", "errors_link_html", "template_link_html", "ImportPage"]
