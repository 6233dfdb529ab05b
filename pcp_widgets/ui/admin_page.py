"""The admin page: who signs in, the register of people supported, the access log, one person's data,
and the retention schedule, for admins and the data protection lead.

Thin: the work is done by what the commands use (the Store's users and register,
:mod:`pcp_widgets.access_export`, :mod:`pcp_widgets.subject_access`, the Store's retention), and the
tables are made by plain functions below. The page is built only for a role the registry lets in
(:func:`pcp_widgets.ui.gate.page_or_refusal`), and every button checks again, in the kernel, before it
reads or writes: it asks who is signed in now (:func:`pcp_widgets.identity.current_identity`, never the
browser) and :func:`pcp_widgets.access.check`s the action. So a widget message sent by someone who is not
(or no longer) an admin is refused with one sentence, and the refusal is logged. Erasing a person and
applying the retention schedule each ask to be confirmed first, saying what will go and what stays.
Everything shown is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Callable

import ipywidgets as widgets
import pandas as pd

from pcp_widgets.access import ROLES, Action, Identity, NotAllowed, check
from pcp_widgets.errors import PcpError
from pcp_widgets.identity import current_identity, signed_in_name
from pcp_widgets.pages import page_for
from pcp_widgets.plural import counted
from pcp_widgets.ui.dates import DateField
from pcp_widgets.ui.downloads import XLSX_MIME, safe_download_name
from pcp_widgets.ui.fields import row_of, stacked
from pcp_widgets.ui.frame import PageFrame, StatusLine, html_block, scrolling
from pcp_widgets.ui.import_page import MAX_TABLE_ROWS, html_table
from pcp_widgets.ui.prepared import Prepared, PreparedDownload, offer
from pcp_widgets.ui.start import built_on_visit

PATH = "audits/admin.ipynb"
ZIP_MIME = "application/zip"
#: What the page needs (its entry in the registry), checked again with every action.
NEEDS = page_for(PATH).needs
INTRO = (
    "Add the people who sign in and set their roles and services; keep the register of the people supported; "
    "see who looked at a person's record; answer a subject access request, redact a version or erase a person; "
    "and apply the retention schedule. Each change is written to the access log under your name."
)


# -- what the page shows: plain functions ------------------------------------------------


def role_options() -> list[tuple[str, str]]:
    """The roles as a drop-down offers them: ("Quality lead", "quality-lead")."""
    return [(key.replace("-", " ").capitalize(), key) for key in ROLES]


def services_from_text(text: str) -> list[str]:
    """Services typed into one box, separated by commas or new lines (the store tidies each)."""
    return [part for part in (piece.strip() for piece in str(text or "").replace("\n", ",").split(",")) if part]


def table_block(inner: str, name: str) -> str:
    """A table (and its notes) that scrolls sideways in its own box on a narrow screen, never the page,
    reached by Tab so a keyboard can scroll it."""
    return html_block(scrolling(inner, name))


def users_html(users) -> str:
    if not users:
        return html_block("<p>Nobody has been added yet.</p>")
    frame = pd.DataFrame([{"name": u.name, "role": u.role, "services": ", ".join(u.services) or "none"}
                          for u in users])
    return table_block(html_table(frame, {"name": "Sign-in name", "role": "Role", "services": "Services"},
                                  f"{counted(len(users), 'person', 'people')} can sign in"), "People who sign in")


def register_html(people) -> str:
    if not people:
        return html_block("<p>Nobody is in the register yet.</p>")
    frame = pd.DataFrame([{"ref": p.ref, "name": p.preferred_name or "no name recorded", "service": p.service,
                           "state": "Active" if p.active else f"Left {p.left_on:%d/%m/%Y}"} for p in people])
    return table_block(html_table(frame, {"ref": "Ref", "name": "Preferred name", "service": "Service",
                                          "state": "Active or left"},
                                  f"{counted(len(people), 'person', 'people')} in the register, "
                                  f"{sum(p.active for p in people):,} of them active"), "The register")


def access_log_html(extract) -> str:
    """The entries found, newest last as in the workbook, at most :data:`MAX_TABLE_ROWS` of them."""
    if not extract.rows:
        return html_block(f"<p>No entries match ({html.escape(extract.filters)}).</p>")
    keys = ["at", "user", "action", "ref", "name", "service", "detail"]
    frame = pd.DataFrame([dict(zip(keys, row)) for row in extract.rows])
    frame["at"] = frame["at"].map(lambda moment: f"{moment:%d/%m/%Y %H:%M}")
    headings = dict(zip(keys, ["When", "User", "Action", "Person ref", "Preferred name", "Service", "Detail"]))
    shown = min(len(extract.rows), MAX_TABLE_ROWS)
    more = (f"<p>The first {shown:,} of {len(extract.rows):,} entries are shown; the workbook has them all.</p>"
            if shown < len(extract.rows) else "")
    caption = f"Access log: {counted(len(extract.rows), 'entry', 'entries')}, {extract.filters}"
    return table_block(more + html_table(frame, headings, caption), "Access log entries")


def erasure_preview(held: dict) -> tuple[list[str], list[str]]:
    """What an erasure of the person in ``held`` (:meth:`pcp_widgets.store.Store.held_about`) removes, and what stays."""
    documents = held["documents"]
    versions = sum(len(doc["versions"]) for doc in documents)
    rows = sum(len(found) for found in held["audit_records"].values())
    log = len(held["access_log"])
    goes = [f"Their {counted(len(documents), 'tool document')}, with {counted(versions, 'version')} in all.",
            "Their entry in the register: their preferred name, ref and service.",
            "Their name and ref wherever the audit rows' text or the access log mentions them."]
    stays = [f"Their {counted(rows, 'audit row')}, under an anonymous code, so counts and charts still add up.",
             f"The {counted(log, 'access-log entry', 'access-log entries')} about them, under the same code.",
             "An access-log entry saying who erased a person, when and why (not whom)."]
    return goes, stays


def preview_html(person_label: str, held: dict) -> str:
    goes, stays = erasure_preview(held)
    listed = lambda items: "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>"  # noqa: E731
    return html_block(f"<p class='pcp-problem'>Erasing {html.escape(person_label)} cannot be undone.</p>"
                      f"<p><strong>What goes:</strong></p>{listed(goes)}"
                      f"<p><strong>What stays:</strong></p>{listed(stays)}")


def retention_html(plan) -> str:
    """What the policy says is due today: a count for each kind of record, then the listing."""
    frame = pd.DataFrame([{"kind": kind, "period": period, "due": due} for kind, period, due in plan.by_kind()])
    table = html_table(frame, {"kind": "Kind of record", "period": "Kept for", "due": "Due to go today"},
                       f"Due on {plan.today:%d/%m/%Y} under the policy in {Path(plan.policy.source).name}")
    listing = "".join(f"<li>{html.escape(line)}</li>" for line in plan.lines()[1:])
    return table_block(f"{table}<p>In detail:</p><ul>{listing}</ul>", "What the retention schedule says is due")


def version_label(version) -> str:
    when = version.saved_at.replace(tzinfo=dt.timezone.utc).astimezone() if version.saved_at.tzinfo is None \
        else version.saved_at.astimezone()
    return f"Version {version.version}, saved {when:%d/%m/%Y %H:%M} by {version.saved_by or 'nobody recorded'}"


def choose(dropdown: widgets.Dropdown, options: list[tuple[str, object]]) -> None:
    """New options for a drop-down, keeping what was chosen if it is still there, else the first."""
    chosen = dropdown.value
    dropdown.options = options
    values = [value for _, value in options]
    dropdown.value = chosen if chosen in values else (values[0] if values else None)


def heading(text: str) -> widgets.HTML:
    return widgets.HTML(html_block(f"<h2>{html.escape(text)}</h2>"))


def subheading(text: str, explained: str = "") -> widgets.HTML:
    note = f"<p>{html.escape(explained)}</p>" if explained else ""
    return widgets.HTML(html_block(f"<h3>{html.escape(text)}</h3>{note}"))


def hidden(*children: widgets.Widget) -> widgets.VBox:
    """A box shown only once a step needs it (a confirmation)."""
    return widgets.VBox(list(children), layout=widgets.Layout(display="none"))


def show(box: widgets.Box, shown: bool) -> None:
    box.layout.display = "flex" if shown else "none"


def button(text: str, action: Callable[[], None], primary: bool = False) -> widgets.Button:
    made = widgets.Button(description=text, button_style="primary" if primary else "")
    made.on_click(lambda _b: action())
    return made


# -- the page --------------------------------------------------------------------------


class AdminPage(PageFrame):
    """Five sections of standard controls; each button's handler checks the action in the kernel first."""

    what = "admin page"

    def __init__(self, store, identity: Identity):
        super().__init__()
        self.store = store
        self.identity = identity  # who opened it; each action asks again who is signed in now
        self.person_ref: str | None = None  # the person the "A person's data" section looked up
        self.policy = None
        self.frame(PATH, self._users_section(), self._register_section(), self._access_log_section(),
                   self._person_section(), self._retention_section(), intro=INTRO)
        with self.status.guarded():
            self.show_users()
            self.show_register()
            self.show_due()

    # -- the check every action makes first ---------------------------------------------

    def allowed(self, action: Action, *, service: str | None = None, ref: str | None = None) -> Identity:
        """Who is signed in now, if their role allows ``action`` and this page; else :class:`NotAllowed`, logged
        as refused. The page's own need comes second, so a refusal names the action the button was for."""
        try:
            identity = current_identity(self.store)
            check(identity, action, service, ref=ref)
            check(identity, NEEDS)
        except NotAllowed as error:
            self.store.log_access(signed_in_name()[0], "refused", ref, f"{PATH}: {error}")
            raise
        return identity

    def act(self, place: StatusLine, action: Callable[[], str | None]) -> None:
        """Run a button's work; what it returns is said in ``place``, a problem (a refusal) as one sentence."""
        with place.guarded():
            said = action()
            if said:
                place.say(said)

    # -- people who sign in --------------------------------------------------------------

    def _users_section(self) -> widgets.VBox:
        self.users_table = widgets.HTML()
        self.new_name = stacked(widgets.Text(description="Sign-in name"))
        self.new_role = stacked(widgets.Dropdown(description="Role", options=role_options(), value="staff"))
        self.new_services = stacked(widgets.Text(description="Services (separate them with commas)"))
        self.chosen_user = stacked(widgets.Dropdown(description="User", options=[]))
        self.chosen_user.observe(lambda _c: self.act(self.users_status, self._user_chosen), names="value")
        self.changed_role = stacked(widgets.Dropdown(description="New role", options=role_options(), value="staff"))
        self.changed_services = stacked(widgets.Text(description="Their services (separate them with commas)"))
        self.users_status = StatusLine(self.what)
        return widgets.VBox([
            heading("People who sign in"), self.users_table, subheading("Add someone who signs in"),
            row_of([self.new_name, self.new_role, self.new_services, button("Add the user", lambda: self.act(
                self.users_status, self.add_user), primary=True)]),
            subheading("Change someone's role or services"),
            row_of([self.chosen_user, self.changed_role, button("Change the role", lambda: self.act(
                self.users_status, self.change_role))]),
            row_of([self.changed_services, button("Change the services", lambda: self.act(
                self.users_status, self.change_services))]),
            self.users_status])

    def show_users(self) -> None:
        self.allowed(Action.MANAGE_USERS)
        users = self.store.users()
        self.users_table.value = users_html(users)
        choose(self.chosen_user, [(u.describe(), u.name) for u in users])
        self._user_chosen()

    def _user_chosen(self) -> None:
        self.allowed(Action.MANAGE_USERS)
        user = self.store.find_user(self.chosen_user.value) if self.chosen_user.value else None
        if user is not None:
            self.changed_role.value = user.role
            self.changed_services.value = ", ".join(user.services)

    def add_user(self) -> str:
        identity = self.allowed(Action.MANAGE_USERS)
        user = self.store.add_user(self.new_name.value, self.new_role.value,
                                   services_from_text(self.new_services.value), by=identity.name)
        self.new_name.value = self.new_services.value = ""
        self.show_users()
        return f"Added {user.describe()}."

    def change_role(self) -> str:
        return self._change_user("role", lambda name, by: self.store.set_user_role(
            name, self.changed_role.value, by=by))

    def change_services(self) -> str:
        return self._change_user("services", lambda name, by: self.store.set_user_services(
            name, services_from_text(self.changed_services.value), by=by))

    def _change_user(self, what: str, change) -> str:
        identity = self.allowed(Action.MANAGE_USERS)
        if not self.chosen_user.value:
            raise PcpError(f"Choose the user whose {what} to change.")
        user = change(self.chosen_user.value, identity.name)
        self.show_users()
        return f"Changed: {user.describe()}."

    # -- the register of people supported -------------------------------------------------

    def _register_section(self) -> widgets.VBox:
        self.register_table = widgets.HTML()
        self.person_name = stacked(widgets.Text(description="Preferred name"))
        self.person_service = stacked(widgets.Combobox(description="Service", ensure_option=False))
        self.person_new_ref = stacked(widgets.Text(description="Ref (leave blank for the next P-number)"))
        self.leaving = stacked(widgets.Dropdown(description="Person", options=[]))
        self.left_on = DateField("Day they left", value=dt.date.today(), said="Left on {date}")
        self.register_status = StatusLine(self.what)
        return widgets.VBox([
            heading("The register of people supported"), self.register_table, subheading("Add a person"),
            row_of([self.person_name, self.person_service, self.person_new_ref, button(
                "Add to the register", lambda: self.act(self.register_status, self.add_person), primary=True)]),
            subheading("Someone left, or came back"),
            row_of([self.leaving, self.left_on,
                    button("Mark as left", lambda: self.act(self.register_status, self.mark_left)),
                    button("Mark as back", lambda: self.act(self.register_status, self.mark_back))]),
            self.register_status])

    def show_register(self) -> None:
        self.allowed(Action.VIEW_PERSON)
        people = self.store.people(include_left=True)
        self.register_table.value = register_html(people)
        choose(self.leaving, [(p.label(), p.ref) for p in people])
        self.person_service.options = sorted({p.service for p in people})

    def add_person(self) -> str:
        identity = self.allowed(Action.ADD_PERSON, service=self.person_service.value.strip() or None)
        added = self.store.add_person(self.person_name.value, self.person_service.value,
                                      ref=self.person_new_ref.value.strip() or None, by=identity.name)
        self.show_register()
        if not added.created:
            return f"{added.person.label()} is already in the register; nothing was added."
        self.person_name.value = self.person_new_ref.value = ""
        return f"Added {added.person.label()}."

    def _left_or_back(self, on: dt.date | None) -> str:
        self.allowed(Action.SAVE_PERSON)
        if not self.leaving.value:
            raise PcpError("Choose the person first.")
        person = self.store.person(self.leaving.value)
        identity = self.allowed(Action.SAVE_PERSON, service=person.service, ref=person.ref)
        person = self.store.person_left(person.ref, on, by=identity.name)
        self.show_register()
        return f"{person.label()}: {'left' if on else 'back in the register'}."

    def mark_left(self) -> str:
        self.allowed(Action.SAVE_PERSON)
        if self.left_on.problem:
            raise PcpError(self.left_on.problem)
        if self.left_on.value is None:
            raise PcpError("Type the day they left, for example 01/07/2026.")
        return self._left_or_back(self.left_on.value)

    def mark_back(self) -> str:
        return self._left_or_back(None)

    # -- the access log ------------------------------------------------------------------

    def _access_log_section(self) -> widgets.VBox:
        self.log_person = stacked(widgets.Text(description="Person (ref or preferred name)"))
        self.log_user = stacked(widgets.Text(description="User (sign-in name)"))
        self.log_from = DateField("From", said="From {date}")
        self.log_to = DateField("To", said="To {date}, the whole day")
        self.log_table = widgets.HTML()
        self.log_link = StatusLine(self.what)
        return widgets.VBox([
            heading("The access log"),
            widgets.HTML(html_block("<p>Who viewed, saved, exported or changed what, and when. Leave a box empty "
                                    "to see everyone, or every date.</p>")),
            row_of([self.log_person, self.log_user, self.log_from, self.log_to, button(
                "Look up the access log", lambda: self.act(self.log_link, self.look_up_log), primary=True)]),
            self.log_link, self.log_table])

    def look_up_log(self) -> None:
        from pcp_widgets.access_export import Period, extract_access_log
        from pcp_widgets.audit.outputs.sheets_out import xlsx_bytes

        identity = self.allowed(Action.READ_ACCESS_LOG)
        for field in (self.log_from, self.log_to):
            if field.problem:
                raise PcpError(field.problem)
        period = Period(self.log_from.value, self.log_to.value)
        extract = extract_access_log(self.store, person=self.log_person.value.strip() or None,
                                     user=self.log_user.value.strip() or None, period=period, by=identity.name)
        self.log_table.value = access_log_html(extract)
        name = safe_download_name(f"access-log-{dt.date.today():%Y-%m-%d}")

        def workbook() -> Prepared:
            data = xlsx_bytes([extract.sheet()])
            extract.log_export(self.store, identity.name, f"{name}, a download from the admin page")
            return Prepared(data, name, f"Download the access log ({counted(len(extract.rows), 'entry', 'entries')}, "
                            "xlsx)", XLSX_MIME)

        offer(self.log_link, workbook, "access log workbook")

    # -- a person's data -------------------------------------------------------------------

    def _person_section(self) -> widgets.VBox:
        self.data_ref = stacked(widgets.Text(description="The person's ref"))
        self.found = widgets.HTML()
        self.export = PreparedDownload("Export everything held (zip)", self.export_file, "export")
        self.document = stacked(widgets.Dropdown(description="Document", options=[]))
        self.document.observe(lambda _c: self.act(self.person_status, self._show_versions), names="value")
        self.version = stacked(widgets.Dropdown(description="Version", options=[],
                                                layout=widgets.Layout(width="min(40rem, 100%)")))  # names who saved it
        self.redact_reason = stacked(widgets.Text(description="Why it is redacted (for example: it named a "
                                                             "third party)"))
        self.erase_start = button("Erase this person…", lambda: self.act(self.person_status, self.prepare_erasure))
        self.erase_preview = widgets.HTML()
        self.erase_typed = stacked(widgets.Text(description="Type their ref again to confirm"))
        self.erase_reason = stacked(widgets.Text(description="Why they are erased (without naming them)"))
        self.erase_confirm = hidden(self.erase_preview, row_of([self.erase_typed, self.erase_reason]), row_of([
            button("Erase for good", lambda: self.act(self.person_status, self.erase), primary=True),
            button("Cancel", self.cancel_erasure)]))
        self.person_status = StatusLine(self.what)
        self.person_box = hidden(
            subheading("Subject access export", "Everything held about them: every version of every document with "
                       "who saved it, their audit rows and the access log about them, as JSON, xlsx and a PDF "
                       "summary. The export is logged."),
            self.export.widget,
            subheading("Redact a version", "The version's text is replaced by a note saying who redacted it, when "
                       "and why; the other versions stay."),
            row_of([self.document, self.version]), row_of([self.redact_reason, button(
                "Redact this version", lambda: self.act(self.person_status, self.redact))]),
            subheading("Erase", "Their documents and register entry go; their audit rows stay under an anonymous "
                       "code. You are shown exactly what first."), self.erase_start, self.erase_confirm)
        return widgets.VBox([
            heading("A person's data"),
            widgets.HTML(html_block("<p>For a subject access request, a correction or an erasure.</p>")),
            row_of([self.data_ref, button("Look up the person", lambda: self.act(self.person_status,
                                                                                 self.look_up_person))]),
            self.found, self.person_status, self.person_box])

    def look_up_person(self) -> str:
        self.allowed(Action.EXPORT_PERSON)
        self.person_ref = None
        show(self.person_box, False)
        self.cancel_erasure()
        person = self.store.person(self.data_ref.value)
        identity = self.allowed(Action.REDACT, ref=person.ref)
        self.person_ref = person.ref
        self.found.value = html_block(f"<p><strong>{html.escape(person.label())}</strong></p>")
        self.export.clear()
        documents = self.store.documents_of(person.ref)
        choose(self.document, [(doc.tool.replace("_", " ").capitalize(), doc.document_id) for doc in documents])
        self._show_versions()
        self.store.log_access(identity.name, "viewed", person.ref, "the list of their documents, on the admin page")
        show(self.person_box, True)
        return "" if documents else f"{person.ref} has no tool documents; their audit rows and log entries remain."

    def _show_versions(self) -> None:
        self.allowed(Action.REDACT, ref=self.person_ref)
        if self.document.value is None or self.person_ref is None:
            self.version.options = []
            return
        history = self.store.document_history(self.document.value)
        choose(self.version, [(version_label(v), v.version) for v in history])  # newest first

    def _looked_up(self) -> str:
        if self.person_ref is None:
            raise PcpError("Look up the person first, by their ref.")
        return self.person_ref

    def export_file(self) -> Prepared:
        from pcp_widgets.subject_access import export_zip

        identity = self.allowed(Action.EXPORT_PERSON, ref=self.person_ref)
        ref = self._looked_up()
        found, data = export_zip(self.store, identity, ref)
        name = safe_download_name(found, ".zip")
        return Prepared(data, name, f"Save {name} (JSON, xlsx and a PDF summary)", ZIP_MIME)

    def redact(self) -> str:
        from pcp_widgets.subject_access import redact_version

        identity = self.allowed(Action.REDACT, ref=self.person_ref)
        ref = self._looked_up()
        if self.document.value is None or self.version.value is None:
            raise PcpError("Choose the document and the version to redact.")
        tool = next(doc.tool for doc in self.store.documents_of(ref) if doc.document_id == self.document.value)
        redact_version(self.store, identity, ref, tool, self.version.value, self.redact_reason.value)
        version = self.version.value
        self.redact_reason.value = ""
        self._show_versions()
        return f"Redacted version {version} of {ref}'s {tool.replace('_', ' ')}; the other versions stay."

    def prepare_erasure(self) -> None:
        identity = self.allowed(Action.ERASE_PERSON, ref=self.person_ref)
        ref = self._looked_up()
        held = self.store.held_about(ref)
        self.store.log_access(identity.name, "viewed", ref, "what an erasure would remove, on the admin page")
        self.erase_preview.value = preview_html(self.store.person(ref).label(), held)
        self.erase_typed.value = self.erase_reason.value = ""
        show(self.erase_confirm, True)

    def cancel_erasure(self) -> None:
        show(self.erase_confirm, False)
        self.erase_preview.value = ""

    def erase(self) -> str:
        from pcp_widgets.store import fold_ref
        from pcp_widgets.subject_access import erase_person

        identity = self.allowed(Action.ERASE_PERSON, ref=self.person_ref)
        ref = self._looked_up()
        if fold_ref(self.erase_typed.value) != fold_ref(ref):
            raise PcpError("Nothing was erased: the ref typed again did not match.")
        done = erase_person(self.store, identity, ref, self.erase_reason.value)
        self.person_ref = None
        self.cancel_erasure()
        show(self.person_box, False)
        self.found.value = ""
        self.data_ref.value = ""
        self.show_register()
        return f"Erased: {done.describe()}."

    # -- retention ---------------------------------------------------------------------

    def _retention_section(self) -> widgets.VBox:
        self.due_table = widgets.HTML()
        self.retention_status = StatusLine(self.what)
        self.apply_note = widgets.HTML()
        self.apply_confirm = hidden(self.apply_note, row_of([
            button("Remove them now", lambda: self.act(self.retention_status, self.apply_retention), primary=True),
            button("Cancel", lambda: show(self.apply_confirm, False))]))
        return widgets.VBox([
            heading("Retention"),
            widgets.HTML(html_block("<p>What the retention schedule says has been kept long enough, today. "
                                    "Nothing is removed until you apply it and confirm.</p>")),
            self.due_table,
            row_of([button("Check again", lambda: self.act(self.retention_status, self.show_due)),
                    button("Apply the schedule…", lambda: self.act(self.retention_status, self.prepare_retention))]),
            self.apply_confirm, self.retention_status])

    def _due(self):
        from pcp_widgets.store import load_retention_policy

        self.allowed(Action.APPLY_RETENTION)
        self.policy = load_retention_policy()
        return self.store.retention_due(self.policy)

    def show_due(self) -> None:
        self.due_table.value = retention_html(self._due())

    def prepare_retention(self) -> None:
        due = self._due()
        self.due_table.value = retention_html(due)
        if not due.items:
            show(self.apply_confirm, False)
            raise PcpError("Nothing is due to go today, so there is nothing to apply.")
        removed = due.counts_in_words(only_due=True)
        self.apply_note.value = html_block(f"<p class='pcp-problem'>This removes for good: {html.escape(removed)}. "
                                           "It is logged in the access log.</p>")
        show(self.apply_confirm, True)

    def apply_retention(self) -> str:
        from pcp_widgets.store import load_retention_policy

        identity = self.allowed(Action.APPLY_RETENTION)
        removed = self.store.apply_retention(self.policy or load_retention_policy(), by=identity.name)
        show(self.apply_confirm, False)
        self.show_due()
        self.show_register()
        return f"Removed {removed.counts_in_words()}; logged in the access log."


def admin_page(store=None):
    """The admin page for an admin; anyone else gets the page's title and one sentence."""
    from pcp_widgets.ui.gate import page_or_refusal

    return built_on_visit(lambda opened: page_or_refusal(PATH, opened, lambda identity: AdminPage(opened, identity)),
                          store)


__all__ = ["PATH", "AdminPage", "admin_page", "users_html", "register_html", "access_log_html", "erasure_preview",
           "retention_html", "services_from_text", "role_options"]
