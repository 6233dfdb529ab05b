"""The trainer's page for a practice session: its code, who has done what, answers side by side, the pack.

Thin: every rule is in :mod:`pcp_widgets.practice.sessions`; this lays out standard controls.
The code is shown large, for a projector. Participants' names are hidden in the side-by-side
view and the handout unless the trainer ticks the box, so answers can be discussed as a group
without putting anyone on the spot. Everything a participant typed is escaped before it is shown.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from pcp_widgets.practice import sessions
from pcp_widgets.practice.content import load_exercises
from pcp_widgets.ui.downloads import PDF_MIME, XLSX_MIME, safe_download_name
from pcp_widgets.ui.frame import PageFrame, html_block
from pcp_widgets.ui.gate import RefusedPage, page_or_refusal
from pcp_widgets.ui.fields import row_of, stacked
from pcp_widgets.ui.import_page import html_table
from pcp_widgets.ui.kernel import kernel_loop
from pcp_widgets.ui.practice_page import heading
from pcp_widgets.ui.prepared import Prepared, PreparedDownload
from pcp_widgets.ui.start import built_on_visit

PATH = "workbooks/facilitator.ipynb"
INTRO = (
    "Start a session and show its code to the group. Each participant opens a practice page, types the code and "
    "their name under 'In a session? Join it', and every answer they check is saved for you here. See who has "
    "done what as they go (the page updates by itself, or press Refresh), show the answers to one exercise side by "
    "side for discussion (names are hidden unless you choose), and at the end download the handout pack and the "
    "completion sheet."
)
#: While a session is open, the page reads progress and answers again this often (seconds).
LIVE_SECONDS = 10
#: Longest exercise item shown in the drop-down; the whole of it is shown above the answers.
MAX_CHOICE_LENGTH = 90


def code_html(code: str) -> str:
    """The session's code, large enough to read from the back of a room."""
    return html_block(
        f"<p>The session code is</p><p style='font-size: 4rem; font-weight: 700; letter-spacing: 0.4em; "
        f"font-family: monospace; margin: 0;'>{html.escape(code)}</p>"
        "<p>Participants: open a practice page and type this code and your name under "
        "<strong>In a session? Join it</strong>.</p>")


def progress_html(table: pd.DataFrame) -> str:
    if table.empty:
        return html_block("<p>Nobody has joined yet; each participant appears here once they join.</p>")
    return html_block(html_table(table, sessions.progress_columns(), "Answers checked by each participant"))


def side_by_side_html(item: sessions.SessionItem, answers: list[sessions.SideBySideAnswer]) -> str:
    """One item's answers next to each other, then the guidance's answer to compare."""
    model = f"<p><strong>The guidance's answer:</strong> {html.escape(item.model)}</p>"
    if not answers:
        return html_block(f"<p>Nobody has answered this one yet.</p>{model}")
    frame = pd.DataFrame([{"label": a.label, "answer": a.answer, "ok": "Passed the check" if a.ok else "Not yet"}
                          for a in answers])
    table = html_table(frame, {"label": "Participant", "answer": "Answer", "ok": "Feedback"},
                       f"Answers to: {item.prompt}")
    return html_block(f"<div style='white-space: pre-line;'>{table}</div>{model}")


def item_options() -> list[tuple[str, int]]:
    """Every answerable item as "<exercise>: <item>", shortened, by its place in the list of items."""
    options = []
    for number, item in enumerate(sessions.all_session_items()):
        text = f"{load_exercises(item.kind).title}: {item.prompt}"
        options.append((text if len(text) <= MAX_CHOICE_LENGTH else text[:MAX_CHOICE_LENGTH - 1] + "…", number))
    return options


class FacilitatorPage(PageFrame):
    """The widgets; the session's state is only its code, everything else is read from the store."""

    what = "facilitator page"

    def __init__(self, store=None):
        super().__init__()
        if store is None:
            from pcp_widgets.store import open_store

            store = open_store()
        self.store = store
        self.code: str | None = None
        self._live_scheduled = False
        self.items = sessions.all_session_items()
        self.trainer = stacked(widgets.Text(description="Your name (printed on the handout)"))
        self.start_button = widgets.Button(description="Start a session")
        self.start_button.on_click(lambda _b: self.start())
        self.earlier = stacked(widgets.Text(description="Or reopen an earlier session: its code"))
        self.reopen_button = widgets.Button(description="Reopen")
        self.reopen_button.on_click(lambda _b: self.reopen())
        self.code_shown = widgets.HTML()
        self.session_box = self._session_box()
        self.frame(PATH, row_of([self.trainer, self.start_button]), row_of([self.earlier, self.reopen_button]),
                   self.status, self.code_shown, self.session_box, intro=INTRO, status_first=False)

    def _session_box(self) -> widgets.VBox:
        self.refresh_button = widgets.Button(description="Refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.live = widgets.Checkbox(description=f"Update by itself every {LIVE_SECONDS} seconds", value=True,
                                     indent=False)
        self.progress = widgets.HTML()
        self.item = stacked(widgets.Dropdown(description="Exercise to discuss", options=item_options(), value=0,
                                             layout=widgets.Layout(width="100%")))
        self.show_names = widgets.Checkbox(description="Show participants' names (here and in the handout)",
                                           value=False, indent=False)
        for control in (self.item, self.show_names):
            control.observe(lambda _change: self.show_answers(), names="value")
        self.answers = widgets.HTML()
        # Each file has its own button and its own link, so making one never takes the other's link away.
        self.handout = PreparedDownload("Prepare the handout pack (PDF)", self.handout_file, "handout pack")
        self.completion = PreparedDownload("Prepare the completion sheet (xlsx)", self.completion_file,
                                           "completion sheet")
        return widgets.VBox([
            heading("Who has done what"), row_of([self.refresh_button, self.live]), self.progress,
            heading("Answers side by side"), self.item, self.show_names, self.answers,
            heading("Print and keep"), row_of([self.handout.widget, self.completion.widget]),
        ], layout=widgets.Layout(display="none"))

    # -- actions -----------------------------------------------------------------------

    def start(self) -> None:
        with self.status.guarded():
            self._open(sessions.start_session(self.store, self.trainer.value))

    def reopen(self) -> None:
        with self.status.guarded():
            self._open(sessions.get_session(self.store, self.earlier.value).code)

    def _open(self, code: str) -> None:
        self.code = code
        self.code_shown.value = code_html(code)
        self.session_box.layout.display = "flex"
        self.handout.clear()
        self.completion.clear()
        self.refresh()
        self.say(f"Session {code} is open.")
        self._schedule_live()

    def refresh(self) -> None:
        """Read who has done what, and the chosen item's answers, from the store again."""
        if self.code:
            with self.status.guarded():
                self.progress.value = progress_html(sessions.progress(self.store, self.code))
            self.show_answers()

    def live_update(self) -> None:
        """Read progress and answers again if the trainer left live updates on; then wait for the next.

        Only what changed reaches the browser (a widget sends a value only when it differs),
        so a quiet room costs two small reads every few seconds and nothing more.
        """
        self._live_scheduled = False
        if self.live.value:
            self.refresh()
        self._schedule_live()

    def _schedule_live(self) -> None:
        loop = kernel_loop()
        if loop is None or self._live_scheduled or not self.code:  # outside a kernel, Refresh does it
            return
        self._live_scheduled = True
        loop.call_later(LIVE_SECONDS, self.live_update)

    def show_answers(self) -> None:
        if not self.code:
            return
        item = self.items[self.item.value]
        with self.status.guarded():
            answers = sessions.answers_side_by_side(self.store, self.code, item.kind, item.item_id,
                                                    self.show_names.value)
            self.answers.value = side_by_side_html(item, answers)

    def handout_file(self) -> Prepared:
        """The handout pack of the open session, names shown only if the trainer ticked the box."""
        name = safe_download_name(f"practice-session-{self.code}", ".pdf")
        return Prepared(sessions.handout_pdf(self.store, self.code, self.show_names.value), name, f"Save {name}",
                        PDF_MIME)

    def completion_file(self) -> Prepared:
        name = safe_download_name(f"completion-{self.code}")
        return Prepared(sessions.completion_xlsx(self.store, self.code), name, f"Save {name}", XLSX_MIME)


def facilitator_page(store=None) -> FacilitatorPage | RefusedPage:
    """The trainer's page, reading the sessions when someone opens it (see :func:`built_on_visit`), for
    trainers and admins only: everyone's practice answers are on it. Anyone else gets the refusal's
    sentence and no control (:func:`page_or_refusal`), so no widget message can start or reopen a session."""
    return built_on_visit(lambda opened: page_or_refusal(PATH, opened, lambda _identity: FacilitatorPage(opened)),
                          store)
