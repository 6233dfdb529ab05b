"""The "Working Together for Change" page: theme a period's top-two review statements together.

Choose the period, then for each kind (working, not working, future) select statements and
put them into themes named with an "I" statement; suggested groupings (statements about
the same thing, by meaning) speed this up and say which words tie them. For what is not working,
record root causes, what success would look like, and actions. Every change is saved as a
new version of the period's themes. The rules live in :mod:`pcp_widgets.audit.analysis.wtfc`.

The page is the signed-in person's (:func:`themes_page` builds it through the gate for a role that
themes reviews). A manager sees and themes only the statements of their own services (the counts
too); a theme that also holds other services' statements is theirs to add to, not to delete. Saves,
sign-offs and the commissioner workbook are made under the signed-in name, never a typed one; signing
theme text off and making the workbook need the commissioner export role, checked in the kernel
whether or not the page shows their buttons, and the workbook is logged as exported.
"""

from __future__ import annotations

import datetime as dt
import html
import tempfile
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from pcp_widgets.access import Action, Identity, allowed, check_logged, visible_services
from pcp_widgets.audit.outputs import free_text
from pcp_widgets.audit.analysis import wtfc
from pcp_widgets.audit.analysis.lemmas import lemma
from pcp_widgets.errors import ConflictError
from pcp_widgets.plural import counted
from pcp_widgets.ui.downloads import download_link_html, safe_download_name
from pcp_widgets.ui.frame import PageFrame, StatusLine, html_block
from pcp_widgets.ui.fields import row_of, stacked
from pcp_widgets.ui.gate import RefusedPage, page_or_refusal
from pcp_widgets.ui.import_page import html_table
from pcp_widgets.ui.start import built_on_visit

PATH = "audits/working_together_for_change.ipynb"
INTRO = (
    "Every person-centred review ends with the person's top two things that are working, not working, and "
    "that they want for the future. Put them into themes together with the people involved, name each theme "
    "as an 'I' statement (for example, 'I want staff who know me'), and for what is not working agree the "
    "root causes, what success would look like, and actions. The counts per theme go into the commissioner "
    "workbook; the statements' own words never do."
)
#: What the page says when saving failed for a reason nobody foresaw (the server's log has it).
NOT_SAVED = "Not saved: something went wrong that we did not expect; the details are in the server's log."


def month_options(statements: pd.DataFrame) -> list[str]:
    """Every month, as YYYY-MM, of the calendar quarters from the first statement's to the last's.

    Whole quarters, because the commissioner workbook covers only calendar quarters and years.
    """
    dates = statements["date"] if not statements.empty else [dt.date.today()]
    first = pd.Period(min(dates), freq="Q").asfreq("M", how="start")
    last = pd.Period(max(dates), freq="Q").asfreq("M", how="end")
    return [str(month) for month in pd.period_range(first, last, freq="M")]


def month_name(month: str) -> str:
    """'October 2026' for '2026-10': how a person names a month (the value stays YYYY-MM)."""
    return pd.Period(month, freq="M").strftime("%B %Y")


def last_quarter(months: list[str]) -> tuple[str, str]:
    """The last calendar quarter there are statements in (the last three of whole quarters' months):
    the usual period to theme, and one the commissioner workbook can be made for."""
    return months[max(0, len(months) - 3)], months[-1]


def counts_table_html(theme_set: wtfc.ThemeSet, statements: pd.DataFrame) -> str:
    counts = wtfc.theme_counts(theme_set, statements)
    if counts.empty:
        return html_block("<p>No themes yet.</p>")
    wide = counts.pivot_table(index=["theme", "kind", "i_statement"], columns="service", values="count",
                              aggfunc="sum", fill_value=0)
    wide = wide.drop(columns=[c for c in wide.columns if c == ""], errors="ignore")
    wide["Total"] = wide.sum(axis=1)
    frame = wide.reset_index()
    frame["kind"] = frame["kind"].map(wtfc.KINDS)
    columns = {"theme": "Theme", "kind": "Kind", "i_statement": "I statement",
               **{c: c for c in frame.columns if c not in ("theme", "kind", "i_statement")}}
    return html_block(html_table(frame, columns, "Review statements in each theme, by service"))


def sign_off_html(texts: list[free_text.ThemeText], signed: free_text.SignOff | None) -> str:
    """Each theme's text as it would reach commissioners, and where it stands: blocked by the check
    (with every reason, in plain words), signed off, or waiting to be signed off. Escaped."""
    if not texts:
        return html_block("<p>No themes yet: there is no theme text to sign off.</p>")
    items = []
    for text in texts:
        words = f"<strong>{html.escape(text.name)}</strong>"
        if text.i_statement:
            words += f": \u201c{html.escape(text.i_statement)}\u201d"
        problems = text.problems()
        if problems:
            reasons = "".join(f"<li>{html.escape(problem)}.</li>" for problem in problems)
            items.append(f"<li><span class='pcp-problem'>Blocked</span> {words}<ul>{reasons}</ul></li>")
        elif signed is not None and signed.covers(text):
            items.append(f"<li>Signed off: {words}</li>")
        else:
            items.append(f"<li>Not signed off yet: {words}</li>")
    blocked = sum(bool(text.problems()) for text in texts)
    lead = (f"<p class='pcp-problem'>{counted(blocked, 'theme')} cannot go to commissioners as written: change "
            "the name or I statement (for a name, make a new theme and move the statements), then sign off.</p>"
            if blocked else "")
    return html_block(f"{lead}<ul>{''.join(items)}</ul>")


def sign_off_sentence(texts: list[free_text.ThemeText], signed: free_text.SignOff | None, period: str) -> str:
    """What is signed off for the period, by whom, and what has changed since."""
    if signed is None:
        return (f"Nothing is signed off for {period} yet: the workbook shows the themes by number with their "
                "counts, and [z] for their text.")
    since = [text.name for text in texts if not signed.covers(text)]
    sentence = f"The theme text of {period} was {signed.sentence()}."
    if since:
        sentence += (f" Changed or new since then, so not sent until signed off again: "
                     f"{', '.join(since)}.")
    return sentence


class ThemesPage(PageFrame):
    """The widgets; every rule is a call into :mod:`pcp_widgets.audit.analysis.wtfc`."""

    what = "themes page"

    def __init__(self, store=None, identity: Identity | None = None):
        """``identity``: whose page it is (by default whoever is signed in, see :mod:`pcp_widgets.identity`)."""
        super().__init__()
        if store is None:
            from pcp_widgets.store import open_store

            store = open_store()
        self.store = store
        if identity is None:
            from pcp_widgets.identity import sign_in

            identity = sign_in(store)
        self.identity = identity
        #: The services whose statements this page holds (None: every service).
        self.allowed = visible_services(identity, Action.THEME_REVIEWS)
        self._showing = False  # True while a theme is being shown, so showing it is not a change
        self._suggested: list[wtfc.Suggestion] = []
        statements = wtfc.all_statements(store)
        self.statements = (statements if self.allowed is None else
                           statements[statements["service"].isin(self.allowed).to_numpy()].reset_index(drop=True))
        self.visible_texts = frozenset(self.statements["text"])
        months = month_options(self.statements)
        first, last = last_quarter(months)
        named = [(month_name(month), month) for month in months]
        self.first = stacked(widgets.Dropdown(description="From month", options=named, value=first))
        self.last = stacked(widgets.Dropdown(description="To month", options=named, value=last))
        services = sorted(set(self.statements["service"]))
        everything = "All services" if self.allowed is None else "All your services"
        self.service = stacked(widgets.Dropdown(description="Service (for the statements shown)",
                                                options=[(everything, "")] + [(s, s) for s in services]))
        self.kind = stacked(widgets.Dropdown(description="Statements about",
                                             options=[(label, key) for key, label in wtfc.KINDS.items()]))
        self.load_button = widgets.Button(description="Show this period", button_style="primary")
        self.load_button.on_click(lambda _b: self.status.run(self.load))

        self.unthemed = stacked(widgets.SelectMultiple(description="Statements not in a theme yet (number of "
                                                                   "reviews)", rows=12,
                                                       layout=widgets.Layout(width="100%")))
        self.suggestions = stacked(widgets.Dropdown(description="Suggested groupings", options=[],
                                                    layout=widgets.Layout(width="100%")))
        self.use_suggestion = widgets.Button(description="Select the suggested statements")
        self.use_suggestion.on_click(lambda _b: self._select_suggestion())
        self.new_name = stacked(widgets.Text(description="New theme's name", continuous_update=True))
        self.new_i = stacked(widgets.Text(description="Its I statement", continuous_update=True,
                                          placeholder="I want staff who know me"))
        self.create_button = widgets.Button(description="Make a new theme of the selected statements", icon="plus")
        self.create_button.on_click(lambda _b: self._create_theme())
        self.theme = stacked(widgets.Dropdown(description="Theme", options=[]))
        self.add_button = widgets.Button(description="Add the selected statements to this theme")
        self.add_button.on_click(lambda _b: self._add_to_theme())
        self.theme.observe(lambda _c: self._show_theme(), names="value")

        self.theme_statements = stacked(widgets.SelectMultiple(description="Statements in this theme", rows=6,
                                                               layout=widgets.Layout(width="100%")))
        self.take_out = widgets.Button(description="Take the selected statements out of the theme")
        self.take_out.on_click(lambda _b: self._take_out())
        self.theme_i = stacked(widgets.Text(description="I statement", continuous_update=False,
                                            layout=widgets.Layout(width="100%")))
        self.root_causes = stacked(widgets.Textarea(description="Root causes", continuous_update=False,
                                                    layout=widgets.Layout(width="100%")))
        self.success = stacked(widgets.Textarea(description="What success would look like", continuous_update=False,
                                                layout=widgets.Layout(width="100%")))
        self.actions = stacked(widgets.Textarea(description="Actions (who, what, by when)", continuous_update=False,
                                                layout=widgets.Layout(width="100%")))
        for box in (self.theme_i, self.root_causes, self.success, self.actions):
            box.observe(lambda _c: self._theme_details_changed(), names="value")
        self.not_working_steps = widgets.VBox([self.root_causes, self.success, self.actions])
        self.remove_theme_button = widgets.Button(description="Delete this theme", icon="trash")
        self.remove_theme_button.on_click(lambda _b: self._remove_theme())
        self.counts = widgets.HTML()
        self.download = widgets.HTML()
        self.export_button = widgets.Button(description="Make the commissioner workbook for this period",
                                            icon="file-excel")
        self.export_button.on_click(lambda _b: self.export_for_commissioners())
        self.export_link = StatusLine("commissioner workbook")
        for control in (self.kind, self.service):
            control.observe(lambda _c: self.status.run(self.refresh), names="value")
        exports = allowed(identity, Action.EXPORT_COMMISSIONERS)
        self.who = widgets.HTML(html_block(
            f"<p>{html.escape(signer_sentence(identity, exports))}</p>"))
        self.text_check = widgets.HTML()
        self.sign_button = widgets.Button(description="Sign off the theme text", icon="check")
        self.sign_button.on_click(lambda _b: self.sign_off())
        self.signed = StatusLine("theme text sign-off")

        self.frame(
            PATH,
            row_of([self.first, self.last, self.service, self.load_button]),
            self.status,
            widgets.HTML(html_block("<h2>Theme the statements</h2>")),
            self.kind,
            self.unthemed,
            self.suggestions, self.use_suggestion,
            widgets.HTML(html_block("<h3>Put the selected statements into a theme</h3>")),
            row_of([self.new_name, self.new_i, self.create_button]),
            row_of([self.theme, self.add_button]),
            widgets.HTML(html_block("<h2>The chosen theme</h2>")),
            self.theme_i, self.theme_statements, self.take_out, self.not_working_steps, self.remove_theme_button,
            widgets.HTML(html_block("<h2>Counts</h2>")),
            self.counts, self.download,
            widgets.HTML(html_block("<h2>For commissioners</h2><p>One workbook of aggregated, non-identifying "
                                    "evidence for the period: audit scores, observation match rates, incidents "
                                    "and refusals, outcomes and these themes with their counts. Small counts are "
                                    "hidden and the others rounded, and no ref, name or note is ever included.</p>")),
            self.who,
            widgets.HTML(html_block("<h3>Sign off the theme text for commissioners</h3><p>Theme names and I "
                                    "statements go to commissioners only once a named person has read them and "
                                    "signed them off. Each is checked first for anything that could identify "
                                    "someone: a name, a person or staff ref, a room number, an address, a phone "
                                    "number or a date of birth.</p>")),
            self.text_check, self.sign_button, self.signed,
            widgets.HTML(html_block("<h3>The commissioner workbook</h3>")),
            self.export_button, self.export_link,
            intro=INTRO, status_first=False,
        )
        if not exports:  # a courtesy: the kernel refuses their messages all the same
            for button in (self.sign_button, self.export_button):
                button.layout.display = "none"
        self.load()

    # -- loading and saving ----------------------------------------------------------------

    def load(self) -> None:
        first, last = sorted((self.first.value, self.last.value))
        self.stored = wtfc.load_themes(self.store, first, last)
        saved = f"version {self.stored.version}" if self.stored.version else "not saved yet"
        self.say(f"Themes for {self.stored.theme_set.period} ({saved}).")
        self.refresh()

    def _save(self, what: str) -> None:
        with self.status.guarded(NOT_SAVED):
            try:
                self.stored = wtfc.save_themes(self.store, self.stored, self.identity.name)
            except ConflictError:
                self.say(f"Not saved: someone else saved this period's themes meanwhile. Your change was: {what} "
                         "Press 'Show this period' to see their themes, then make your change again.", problem=True)
                return
            self.say(f"{what} Saved (version {self.stored.version}).")
        self.refresh()

    # -- what the page shows ---------------------------------------------------------------

    def period_statements(self) -> pd.DataFrame:
        theme_set = self.stored.theme_set
        service = self.service.value or None
        if service is not None:  # whatever the list offered: a forged widget message can name any service
            check_logged(self.store, self.identity, Action.THEME_REVIEWS, PATH, service)
        return wtfc.statements_in_period(self.statements, theme_set.first, theme_set.last, service)

    def refresh(self) -> None:
        kind = self.kind.value
        statements = self.period_statements()
        distinct = wtfc.distinct_statements(statements, kind)
        themed = self.stored.theme_set.themed_statements(kind)
        left = distinct[~distinct["text"].isin(themed)]
        self.unthemed.options = [(f"{row.text} ({row.count})", row.text) for row in left.itertuples()]
        self._suggested = wtfc.suggest_groups(list(left["text"]))
        self.suggestions.options = [(s.describe(), n) for n, s in enumerate(self._suggested)] or \
            [("No suggestions: no two statements left are about the same thing", None)]
        self.suggestions.index = 0  # offer the first grouping: a list made empty stays empty in ipywidgets 8
        names = [t.name for t in self.stored.theme_set.themes if t.kind == kind]
        current = self.theme.value
        self.theme.options = names
        self.theme.value = current if current in names else (names[0] if names else None)
        self._show_theme()
        all_in_period = wtfc.statements_in_period(self.statements, self.stored.theme_set.first,
                                                  self.stored.theme_set.last)
        self.counts.value = counts_table_html(self.stored.theme_set, all_in_period)
        self._offer_download(all_in_period)
        self._show_sign_off()

    def _show_sign_off(self, signed: free_text.SignOff | None = None) -> None:
        """The theme text as checked, and what is signed off for the period (read from the store)."""
        theme_set = self.stored.theme_set
        texts = free_text.theme_texts(theme_set)
        signed = signed or free_text.latest_sign_off(self.store, theme_set.first, theme_set.last)
        self.text_check.value = sign_off_html(texts, signed)
        self.signed.say(sign_off_sentence(texts, signed, theme_set.period))

    def _show_theme(self) -> None:
        name = self.theme.value
        theme = self.stored.theme_set.theme(name) if name else None
        self._showing = True
        self.theme_statements.options = [text for text in theme.statements if text in self.visible_texts] \
            if theme else []
        self.theme_i.value = theme.i_statement if theme else ""
        self.root_causes.value = theme.root_causes if theme else ""
        self.success.value = theme.success if theme else ""
        self.actions.value = theme.actions if theme else ""
        self._showing = False
        self.not_working_steps.layout.display = "" if theme and theme.kind == "not_working" else "none"

    def _offer_download(self, statements: pd.DataFrame) -> None:
        counts = wtfc.theme_counts(self.stored.theme_set, statements)
        if counts.empty:
            self.download.value = ""
            return
        from pcp_widgets.audit.outputs.sheets_out import csv_safe

        data = counts.map(lambda v: csv_safe(v) if isinstance(v, str) else v).to_csv(index=False).encode("utf-8-sig")
        name = safe_download_name(f"themes-{self.stored.theme_set.period}", ".csv")
        self.download.value = html_block(f"<p>{download_link_html(data, name, f'Download the counts ({name})', 'text/csv')}</p>")

    def export_for_commissioners(self) -> None:
        """Write the commissioner workbook for the period shown and offer it as a link."""
        from pcp_widgets.audit.outputs.export_as import export_commissioners_as

        theme_set = self.stored.theme_set
        name = safe_download_name(f"commissioner-evidence-{theme_set.period}", ".xlsx")
        self.export_link.say("")
        with self.export_link.guarded():  # a refusal (role, period, overlap, a figure it cannot protect): its sentence
            with tempfile.TemporaryDirectory(prefix="pcp-commissioners-") as folder:
                path = export_commissioners_as(self.identity, self.store, Path(folder) / name,
                                               first=theme_set.first, last=theme_set.last)
                data = path.read_bytes()
            self.export_link.value = html_block(f"<p>{download_link_html(data, name, f'Save {name}')}</p>")

    def signer(self) -> str:
        """Who signs off and makes the workbook: the signed-in person, never a name typed on the page."""
        return self.identity.name

    def sign_off(self) -> None:
        """Sign off the period's theme text under the name typed; refused, with its reason, when a
        text is blocked by the check or no name is given."""
        theme_set = self.stored.theme_set
        texts = free_text.theme_texts(theme_set)
        with self.signed.guarded():
            check_logged(self.store, self.identity, Action.EXPORT_COMMISSIONERS, PATH)
            if not texts:
                self.signed.say("There are no themes to sign off yet: make a theme first.", problem=True)
                return
            signed = free_text.sign_off(self.store, theme_set.first, theme_set.last, texts, self.signer())
            self._show_sign_off(signed)

    # -- actions ---------------------------------------------------------------------------

    def _create_theme(self) -> None:
        chosen = list(self.unthemed.value)
        theme = self.status.run(lambda: self.stored.theme_set.add_theme(self.new_name.value, self.kind.value,
                                                                        self.new_i.value, chosen))
        if theme is None:
            return
        self.new_name.value = self.new_i.value = ""
        self.theme.options = [t.name for t in self.stored.theme_set.themes if t.kind == self.kind.value]
        self.theme.value = theme.name
        self._save(f"Made the theme '{theme.name}' with {counted(len(chosen), 'statement')}.")

    def _add_to_theme(self) -> None:
        chosen = list(self.unthemed.value)
        if not self.theme.value or not chosen:
            self.say("Select statements in the list and choose a theme first.", problem=True)
            return
        self.stored.theme_set.add_statements(self.theme.value, chosen)
        self._save(f"Added {counted(len(chosen), 'statement')} to '{self.theme.value}'.")

    def _take_out(self) -> None:
        chosen = list(self.theme_statements.value)
        if not self.theme.value or not chosen:
            self.say("Select statements in the theme first.", problem=True)
            return
        self.stored.theme_set.remove_statements(self.theme.value, chosen)
        self._save(f"Took {counted(len(chosen), 'statement')} out of '{self.theme.value}'.")

    def _remove_theme(self) -> None:
        if not self.theme.value:
            return
        name = self.theme.value
        if set(self.stored.theme_set.theme(name).statements) - self.visible_texts:
            self.say(f"'{name}' also holds statements of services that are not yours, so it is not yours to "
                     "delete; take your statements out of it instead, or ask a quality lead.", problem=True)
            return
        self.stored.theme_set.remove_theme(name)
        self._save(f"Deleted the theme '{name}'; its statements are back in the list. Earlier versions keep it.")

    def _theme_details_changed(self) -> None:
        if self._showing or not self.theme.value:
            return
        theme = self.stored.theme_set.theme(self.theme.value)
        theme.i_statement = " ".join(self.theme_i.value.split())
        theme.root_causes, theme.success, theme.actions = (self.root_causes.value.strip(), self.success.value.strip(),
                                                           self.actions.value.strip())
        self._save(f"Updated '{theme.name}'.")

    def _select_suggestion(self) -> None:
        index = self.suggestions.value
        if index is None:
            return
        self.unthemed.value = tuple(self._suggested[index].statements)
        self.say("Selected the suggested statements: check them, then make a theme or add them to one.")


def signer_sentence(identity: Identity, exports: bool) -> str:
    """Under which name theme text is signed off and the workbook made, or why this person cannot."""
    if exports:
        return (f"You are signed in as {identity.name}: theme text is signed off and the workbook made under "
                "that name.")
    return (f"You are signed in as {identity.name}. Signing theme text off and making the commissioner "
            "workbook are for the commissioner export role; ask an admin if your work needs them.")


def themes_page(store=None) -> ThemesPage | RefusedPage:
    """The theming page for a signed-in person whose role themes reviews, reading statements and themes
    when someone opens it (see :func:`built_on_visit`).

    The suggested groupings compare the statements' lemmas, whose word lists take a second or two
    to load: they are loaded here, while a kernel is kept warm, not when the page first opens.
    """
    lemma("warming")
    return built_on_visit(lambda opened: page_or_refusal(PATH, opened, lambda identity: ThemesPage(opened, identity)),
                          store)
