"""The editor of any tool, generated from its declaration, with saving, versions and downloads.

One generic editor serves all fifteen tools: a person picker, who took part, then each
section with the guidance's prompt beside it, made by :func:`pcp_widgets.ui.fields.field_for`.
The few tools that need more get it from a view keyed by tool: sorting statements into
columns (working / not working, important to / for) and the relationship circle's picture.

Every change is checked, then saved after a short pause as a new version, and the status
line says so. A save refused because someone saved elsewhere shows both versions and asks
which to keep; both stay in the history. The logic lives in :mod:`pcp_widgets.ui.session`.

The person picker lists the register of people supported (:mod:`pcp_widgets.store.people`), only
those of the services the signed-in person may open, each as "Zoe (P-0012, Oak House)"; a person is
opened by their ref, and "Add a person" adds a register entry first (two editors adding "Zoe" to one
service at once get one entry). What the picker offers is a courtesy: the session checks role and
service in the kernel before every open, save and restore, whatever widget message asked.

The Person list is read again whenever the editor opens or saves a document, so someone added
on another page is there without restarting anything. The PDF and Word links are always on the
page and always of the document as it is now (:mod:`pcp_widgets.ui.current_downloads`): one
click saves the file. Whatever a person sets off runs inside the status line's guard
(:meth:`pcp_widgets.ui.frame.StatusLine.guarded`).
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import ipywidgets as widgets

from pcp_widgets.errors import PcpError
from pcp_widgets.access import Action, Identity, allowed, visible_services
from pcp_widgets.identity import current_identity, sign_in
from pcp_widgets.tools import Document, InvalidDocument, Section, get_tool
from pcp_widgets.tools.flags import document_flags, flags_by_row
from pcp_widgets.tools.spec import Column
from pcp_widgets.ui.debounce import Debouncer
from pcp_widgets.ui.current_downloads import PDF, WORD, CurrentDownloads
from pcp_widgets.ui.downloads import picture_html, safe_download_name
from pcp_widgets.ui.fields import SectionField, field_for, row_of, stacked
from pcp_widgets.ui.frame import StatusLine, html_block, scrolling, status_html
from pcp_widgets.ui.session import DocumentSession, add_person, people
from pcp_widgets.ui.sorting import SORTINGS, SortingView


#: Who took part: shown above every tool and stored as the document's ``contributors``.
CONTRIBUTORS = Section(
    "contributors", "Who took part", "Who helped fill this in, and how do they know the person?", "table",
    columns=(Column("name", "Name", required=True), Column("relationship", "Relationship to the person")),
)

#: What an unexpected failure of a save says (the server's log has the details).
NOT_SAVED = ("Not saved: something went wrong that we did not expect; whoever runs the server can see the details "
             "in its log. Your changes are still on this page.")


def section_intro_html(section: Section) -> str:
    """The section's heading, the guidance's question and its smaller prompts, escaped."""
    hints = "".join(f"<li>{html.escape(hint)}</li>" for hint in section.hints)
    return html_block(
        f"<h3>{html.escape(section.label)}</h3><p class='pcp-prompt'>{html.escape(section.prompt)}</p>"
        + (f"<ul class='pcp-hints'>{hints}</ul>" if hints else "")
    )


def flags_html(document: Document, section_key: str, today: dt.date | None = None) -> str:
    """The guidance's warnings about rows of this section (low confidence, overdue), in words."""
    grouped = flags_by_row(document_flags(document, today))
    items = [f"<li>Row {row}: {html.escape(message)}</li>"
             for (key, row), messages in sorted(grouped.items()) if key == section_key for message in messages]
    return html_block(f"<ul class='pcp-note' role='note'>{''.join(items)}</ul>") if items else ""


def wording_html(section: Section, value: Any) -> str:
    """The plan-language check beside a section that tells staff what to do, or speaks as the person.

    Each item the check flags is listed with why and how to make it specific (or in the
    person's own words); nothing is shown when every item reads well.
    """
    if section.kind != "list" or not (section.specific_actions or section.first_person):
        return ""
    from pcp_widgets.audit.analysis.wording import check_statement

    items = []
    for number, text in enumerate(value or [], 1):
        check = check_statement(text, important_to=section.first_person)
        problems = [f"{reason} {suggestion}" for reason, suggestion in zip(check.reasons, check.suggestions)]
        if problems:
            advice = "".join(f"<li>{html.escape(problem)}</li>" for problem in problems)
            items.append(f"<li><q>{html.escape(text)}</q><ul>{advice}</ul></li>")
    if not items:
        return ""
    return html_block("<div class='pcp-note' role='note'><p><strong>Wording check</strong> (a new member of staff "
                      f"should be able to act on each line on day one):</p><ul>{''.join(items)}</ul></div>")


def rendered(document: Document, suffix: str, today: dt.date | None = None) -> bytes:
    """The document rendered as ``suffix`` (.pdf, .docx, .png), as bytes."""
    from pcp_widgets.render import render_bytes

    return render_bytes(document, suffix.lstrip("."), today=today)


def preview_html(document: Document, today: dt.date | None = None) -> str:
    """The document as the page shows it (escaped by the renderer), in a box that scrolls if wide."""
    from pcp_widgets.render import html_fragment

    return scrolling(html_fragment(document, today=today), f"{document.tool_spec.title} as printed")


def download_name(document: Document, suffix: str) -> str:
    return safe_download_name(f"{document.person}-{document.tool_spec.title}", suffix)


class ToolEditor:
    """The editor's widgets for one tool, a part of its page. ``person`` (a register ref) opens that
    person's document at once.

    ``identity`` is who is signed in, as the page's door learnt it (:func:`pcp_widgets.ui.gate.page_or_refusal`);
    an editor made without one signs in itself. ``status`` is the line that says what happened (the
    page's own, so a page has one); an editor on its own makes its own.
    """

    def __init__(self, tool: str, store=None, person: str | None = None, today: dt.date | None = None,
                 status: StatusLine | None = None, identity: Identity | None = None):
        if store is None:
            from pcp_widgets.store import open_store

            store = open_store()
        self.tool = get_tool(tool)
        self.store = store
        self.today = today
        # Who opens and saves: learnt on the server's side (the Hub's user, or the account running pcp),
        # never from the browser; every version records it and the version list shows it.
        self.identity = identity if identity is not None else sign_in(store)
        self.session: DocumentSession | None = None
        self.fields: dict[str, SectionField] = {}
        self.notes: dict[str, widgets.HTML] = {}
        self.sorter: SortingView | None = None
        self.picture: widgets.HTML | None = None
        self.picture_png = b""
        self.saver = Debouncer(self.save_now)

        self.choose = stacked(widgets.Dropdown(description="Person", options=self._people_options(),
                                               layout=widgets.Layout(width="22rem", max_width="100%")))
        self.open_button = widgets.Button(description="Open", button_style="primary", icon="folder-open")
        self.open_button.on_click(lambda _b: self._guarded(self._open_chosen))
        self.status = status if status is not None else StatusLine("tool editor")
        self.downloads = CurrentDownloads((PDF, WORD), f"{self.tool.title} download")
        self.conflict_box = widgets.VBox()
        self.body = widgets.VBox()
        rows = [row_of([self.choose, self.open_button])]
        if allowed(self.identity, Action.ADD_PERSON):
            rows.append(self._adding_row())
        self.widget = widgets.VBox(rows + [self.status, self.conflict_box, self.body])
        if person:
            self.open(person)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def signed_in(self) -> Identity:
        """Who is signed in now, with the role and services an admin gives them now (read before every
        open, save and restore, so what an admin takes away applies to a page already open)."""
        self.identity = current_identity(self.store)
        return self.identity

    # -- choosing and adding a person ----------------------------------------------------------

    def _people_options(self) -> list[tuple[str, str]]:
        """"Zoe (P-0012, Oak House)" for each person the signed-in person may open; the value is the ref."""
        return [("Choose a person…", "")] + [(person.label(), person.ref)
                                             for person in people(self.store, self.identity)]

    def refresh_people(self) -> None:
        """Read the Person list again (someone may have been added on another page), keeping the choice."""
        chosen = self.choose.value
        options = self._people_options()
        if options != list(self.choose.options):
            self.choose.options = options
            self.choose.value = chosen if chosen in {ref for _, ref in options} else ""

    def _adding_row(self) -> widgets.Widget:
        """Add a person: their service (one of the signed-in person's, or any for those who work
        across services) and their preferred name; Enter in the name or the Add button adds them."""
        services = sorted(self.identity.services, key=str.casefold)
        if visible_services(self.identity, Action.ADD_PERSON) is None:
            known = {person.service for person in self.store.people(include_left=True)}
            known |= {service for user in self.store.users() for service in user.services}
            self.service = widgets.Combobox(
                description="Service", options=sorted(known | set(services), key=str.casefold),
                placeholder="Choose or type a service", ensure_option=False,
                value=services[0] if len(services) == 1 else "")
        else:  # with several, none is chosen for them: a person added to the wrong service is a leak
            self.service = widgets.Dropdown(description="Service", options=services,
                                            value=services[0] if len(services) == 1 else None)
        self.service.layout = widgets.Layout(width="16rem", max_width="100%")
        # The name reaches the kernel on Enter or on leaving the box (not as it is typed: the box's own
        # "submit" message can arrive before its last letters), and that adds the person; so the
        # service comes first.
        self.new_person = stacked(widgets.Text(description="Or add a new person (their preferred name)",
                                               continuous_update=False,
                                               layout=widgets.Layout(width="22rem", max_width="100%")))
        self.new_person.observe(lambda change: change["new"].strip() and self._guarded(self._add_typed),
                                names="value")
        self.add_button = widgets.Button(description="Add this person", icon="user-plus")
        # A click is the box's leaving too: the name it carried has just been added, unless it was refused.
        self.add_button.on_click(lambda _b: self._guarded(self._add_typed, clicked=True))
        self._just_added = False
        return row_of([stacked(self.service), self.new_person, self.add_button])

    def _open_chosen(self) -> None:
        if not self.choose.value:
            self._say("Choose a person, then press Open.", problem=True)
            return
        self.open(self.choose.value)

    def _add_typed(self, clicked: bool = False) -> None:
        name = self.new_person.value.strip()
        if not name:
            if not (clicked and self._just_added):
                self._say("Type the person's preferred name, then press Add this person.", problem=True)
            self._just_added = False
            return
        self._just_added = False
        added = add_person(self.store, self.signed_in(), name, self.service.value or "", self.tool.key)
        self._just_added = True
        self.new_person.value = ""
        if self.open(added.person.ref) and not added.created:
            self._say(f"{added.person.label()} was already in the register: opened their "
                      f"{self.tool.title.lower()} (version {self.session.version}).")

    def open(self, ref: str) -> bool:
        """Open (or start) the document of this tool of the person with this register ref, and show it.

        Whatever asks (the Open button, a script, or a widget message nobody's page sent), the session
        checks the signed-in person may open this person's records before anything of theirs is read.
        """
        self.saver.flush()
        session = self.status.run(lambda: DocumentSession.open(self.store, self.signed_in, self.tool.key, ref))
        if session is None:
            return False
        self.session = session
        self.refresh_people()
        self.choose.value = session.ref if session.ref in {r for _, r in self.choose.options} else ""
        with self.status.guarded():
            self.body.children = self._build_body()
            self._refresh_downloads()
        self._say(f"Opened {self.session.document.person}'s {self.tool.title.lower()} "
                  f"(version {self.session.version}). Every change is saved as you go.")
        return True

    def _build_body(self) -> list[widgets.Widget]:
        document = self.session.document
        self.fields, self.notes, self.sorter, self.picture = {}, {}, None, None
        parts: list[widgets.Widget] = [
            widgets.HTML(html_block(f"<h2>{html.escape(self.tool.title)} for {html.escape(document.person)}</h2>")),
            self._section_block(CONTRIBUTORS, document.contributors, self.change),
        ]
        sorting = SORTINGS.get(self.tool.key)
        sorted_keys: set[str] = set()
        if sorting is not None:
            follows = tuple((section.key, section.label) for section in self.tool.sections if section.derived)
            self.sorter = SortingView(sorting, lambda: self.session.document.sections, self._apply_sections,
                                      follows)
            sorted_keys = {key for key, _ in sorting.columns} | {"statements"}
            parts.append(widgets.HTML(section_intro_html(self._sorting_intro(sorting))))
            parts.append(self.sorter.widget)
        for section in self.tool.editable_sections:
            if section.key not in sorted_keys:
                parts.append(self._section_block(section, document.sections[section.key], self.change))
        if self.tool.layout == "circle":
            self.picture = widgets.HTML()
            parts.append(widgets.HTML(html_block("<h3>The circle</h3>")))
            parts.append(self.picture)
        self.preview = widgets.HTML()
        parts += [self._versions_block(), self._downloads_block(),
                  widgets.HTML(html_block("<h2>How it looks on paper</h2>")), self.preview]
        self._refresh_views()
        return parts

    def _sorting_intro(self, sorting) -> Section:
        labels = " or ".join(label for _, label in sorting.columns)
        first = self.tool.editable_sections[0]
        return Section(first.key, first.label, first.prompt,
                       hints=(f"Type a statement, then press 'Add to {labels}'.",
                              "To move one, select it in its list with the arrow keys, then press Move.") +
                       first.hints)

    def _section_block(self, section: Section, value: Any, on_change) -> widgets.Widget:
        field = field_for(section, value, on_change)
        self.fields[section.key] = field
        note = widgets.HTML()
        self.notes[section.key] = note
        return widgets.VBox([widgets.HTML(section_intro_html(section)), field.widget, note])

    # -- changes ---------------------------------------------------------------------------

    def change(self, section_key: str, value: Any) -> None:
        """A section was edited: check it, show what follows from it, and save after a pause."""
        with self.status.guarded():
            try:
                self.session.update(section_key, value)
            except InvalidDocument as error:
                self._say(f"Not saved yet: {error.problem} ({_where(error.where)})", problem=True)
                return
            self._changed()

    def _apply_sections(self, changed: dict) -> None:
        with self.status.guarded():
            for key, value in changed.items():
                self.session.update(key, value)
            self._changed()

    def _changed(self) -> None:
        self._say("Saving…")
        self.downloads.preparing()  # the links held the document as it was
        self._refresh_views()
        self.saver()

    def save_now(self) -> None:
        if self.session is None or not self.session.dirty:
            return
        with self.status.guarded(NOT_SAVED):
            try:
                saved = self.session.save()
            except PcpError as error:
                self._say(f"Not saved: {error}", problem=True)
                return
            if saved:
                when = dt.datetime.now().strftime("%H:%M:%S")
                self._say(f"Saved at {when} (version {self.session.version}).")
                self._refresh_versions()
                self.refresh_people()
                self._refresh_downloads()
            else:
                self._show_conflict()

    # -- views that follow the document ------------------------------------------------------

    def _refresh_views(self) -> None:
        document = self.session.document
        for key, note in self.notes.items():
            if key == "contributors":
                continue
            note.value = flags_html(document, key, self.today) + \
                wording_html(self.tool.section(key), document.sections.get(key))
        if self.sorter is not None:
            self.sorter.refresh()
        if self.picture is not None:
            self._draw_picture(document)
        self._draw_preview(document)

    def _draw_picture(self, document: Document) -> None:
        with self.status.guarded():
            self.picture_png = rendered(document, ".png")
            self.picture.value = picture_html(
                self.picture_png, f"The relationship circle of {document.person}; everyone in it is listed in the "
                                  "table above and under 'How it looks on paper'.", "48rem")

    def _draw_preview(self, document: Document) -> None:
        try:
            self.preview.value = preview_html(document, self.today)
        except PcpError as error:
            self.preview.value = status_html(str(error), problem=True)

    def _show_document(self, document: Document) -> None:
        """Put a whole document back in the controls (after a restore or a conflict)."""
        for key, field in self.fields.items():
            field.show(document.contributors if key == "contributors" else document.sections[key])
        if self.sorter is not None:
            self.sorter.forget_undo()
        self._refresh_views()
        self._refresh_downloads()

    # -- conflicts -------------------------------------------------------------------------

    def _show_conflict(self) -> None:
        conflict = self.session.conflict
        self._say(f"Not saved: this document was saved elsewhere (now version {conflict.theirs_version}) while "
                  "you were editing. Both versions are shown below; choose which to go on with. The other "
                  "is kept in the history.", problem=True)
        mine, theirs = (preview_html(d, self.today) for d in (conflict.mine, conflict.theirs))
        both = widgets.HTML(html_block(
            "<div class='pcp-side-by-side'>"
            f"<div><h3>Your version (on this page)</h3>{mine}</div>"
            f"<div><h3>The version saved elsewhere (version {conflict.theirs_version})</h3>{theirs}</div></div>"
        ))
        keep_mine = widgets.Button(description="Keep my version", button_style="primary")
        keep_theirs = widgets.Button(description="Go on from the other version")
        keep_mine.on_click(lambda _b: self._guarded(self._resolve, mine=True))
        keep_theirs.on_click(lambda _b: self._guarded(self._resolve, mine=False))
        self.conflict_box.children = [both, widgets.HBox([keep_mine, keep_theirs])]
        keep_mine.focus()

    def _resolve(self, mine: bool) -> None:
        if mine:
            self.session.keep_mine()
        else:
            self.session.keep_theirs()
        self.conflict_box.children = []
        self._show_document(self.session.document)
        self._refresh_versions()
        kept = "your version" if mine else "the other version"
        self._say(f"Saved: going on from {kept} (version {self.session.version}); the other is in the history.")

    # -- versions --------------------------------------------------------------------------

    def _versions_block(self) -> widgets.Widget:
        self.version_choice = stacked(widgets.Dropdown(description="Earlier versions", options=[],
                                                       layout=widgets.Layout(width="28rem", max_width="100%")))
        self.view_button = widgets.Button(description="Show this version", icon="eye")
        self.restore_button = widgets.Button(description="Restore this version", icon="undo")
        self.version_view = widgets.HTML()
        self.view_button.on_click(lambda _b: self._guarded(self._view_version))
        self.restore_button.on_click(lambda _b: self._guarded(self._restore_version))
        self._refresh_versions()
        return widgets.VBox([
            widgets.HTML(html_block("<h3>Versions</h3><p>Every save is kept. Restoring an earlier version saves "
                                    "it as the newest; nothing is lost.</p>")),
            row_of([self.version_choice, self.view_button, self.restore_button]),
            self.version_view,
        ])

    def _refresh_versions(self) -> None:
        if not hasattr(self, "version_choice"):
            return
        options = [(info.describe(), info.version) for info in self.session.versions()]
        self.version_choice.options = options
        # The one before the newest is the one people look for; a blank choice would do nothing.
        self.version_choice.value = options[min(1, len(options) - 1)][1] if options else None

    def _view_version(self) -> None:
        version = self.version_choice.value
        if version is not None:
            document = self.session.version_document(version)
            self.version_view.value = html_block(f"<h3>Version {version}</h3>") + \
                preview_html(document, self.today)

    def _restore_version(self) -> None:
        version = self.version_choice.value
        if version is None:
            return
        self.saver.flush()
        if self.session.restore(version):
            self._show_document(self.session.document)
            self._refresh_versions()
            self.version_view.value = ""
            self._say(f"Restored version {version} as version {self.session.version}.")
        else:
            self._show_conflict()

    # -- downloads -------------------------------------------------------------------------

    def _downloads_block(self) -> widgets.Widget:
        return widgets.VBox([
            widgets.HTML(html_block("<h3>Print or share</h3><p>The links always hold the document as it is "
                                    "now; one click saves it.</p>")),
            self.downloads.widget,
        ])

    def _refresh_downloads(self) -> None:
        """Make the PDF and Word links again from the document as it is now (a moment later, in a kernel)."""
        document = self.session.document
        self.downloads.refresh(lambda fmt: rendered(document, fmt, self.today),
                               lambda suffix: download_name(document, suffix))

    # -- the guard -------------------------------------------------------------------------

    def _guarded(self, action, *args, **kwargs) -> None:
        """``action(...)`` inside the status line's guard (what a button sets off)."""
        with self.status.guarded():
            action(*args, **kwargs)

    def _say(self, text: str, problem: bool = False) -> None:
        self.status.say(text, problem)


def _where(where: str) -> str:
    return where.replace("_", " ")


__all__ = ["ToolEditor", "CONTRIBUTORS", "section_intro_html", "flags_html", "rendered", "download_name"]
