"""Working Together for Change: statements, suggested groupings, themes saved with history, the page."""

from __future__ import annotations

import pytest

from pcp_widgets.audit.analysis import wtfc
from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.errors import ConflictError
from pcp_widgets.tools import new_document
from pcp_widgets.ui.wtfc_page import ThemesPage
from tests.support.workbook_files import headers, row, write_workbook

REVIEWS = [
    ("01/02/2026", "Oak House", "P-0001", "I see my sister on Sundays", "Staff rush my bath in the mornings",
     "I want a job"),
    ("03/02/2026", "Oak House", "P-0002", "I choose my tea", "Agency staff don't know how I like things done",
     "I want to go on holiday"),
    ("10/03/2026", "Elm Court", "P-0003", "I choose my tea", "I don't get a proper wash in the morning",
     "I want a job"),
    ("10/05/2026", "Elm Court", "P-0004", "I choose my tea", "The bus into town is hard for me", "I want a job"),
]


@pytest.fixture
def reviewed(store, tmp_path):
    rows = [headers("review")] + [
        row("review", review_date=date, service=service, person_ref=ref, working_1=w, working_2=None,
            not_working_1=nw, not_working_2=None, future_1=f, future_2=None)
        for date, service, ref, w, nw, f in REVIEWS
    ]
    report = import_files([write_workbook(tmp_path / "reviews.xlsx", {"Reviews": rows})], store)
    assert not report.errors, report.errors
    return store


def test_statements_come_from_the_reviews_sheet_and_review_documents_without_refs(reviewed):
    document = new_document("person_centred_review", "Sam").to_dict()
    document.update(working=["My new wheelchair"], not_working=["Staff rush me at lunch"], future=[],
                    updated="2026-02-20T10:00:00+00:00")
    reviewed.create_document("person_centred_review", "Sam", document)
    statements = wtfc.all_statements(reviewed)
    assert "person_ref" not in statements.columns
    assert len(statements) == 4 * 3 + 2
    in_quarter = wtfc.statements_in_period(statements, "2026-01", "2026-03")
    assert len(in_quarter) == 3 * 3 + 2
    counts = wtfc.distinct_statements(in_quarter, "working")
    assert counts.iloc[0].to_dict() == {"text": "I choose my tea", "count": 2}
    assert wtfc.DOCUMENTS_SERVICE in set(in_quarter["service"])


def test_suggestions_group_statements_about_the_same_thing_in_different_words_and_say_which():
    texts = ["Help with my bath on Sundays", "I help at the café", "Staff rush my bathing",
             "Staff ask me before they help me", "I want a proper wash", "The bus into town is hard for me",
             "I have a shower when I choose", "I want to take the bus on my own", "I want a job"]
    suggestions = wtfc.suggest_groups(texts)
    # bath, bathing (the same lemma), wash and shower (one family of words) are one grouping; "help"
    # (in nearly every statement) ties nothing, so the café and asking first stay apart.
    assert [s.statements for s in suggestions] == [
        ("Help with my bath on Sundays", "Staff rush my bathing", "I want a proper wash",
         "I have a shower when I choose"),
        ("The bus into town is hard for me", "I want to take the bus on my own")]
    assert suggestions[0].shared_words == ("bath, shower or wash",)  # as written, never "help" or "staff"
    assert suggestions[0].describe() == "4 statements sharing: bath, shower or wash"
    assert wtfc.suggest_groups(["I like tea", "I want a job"]) == []  # stop words alone link nothing


def test_a_shared_time_is_not_a_shared_subject_and_groups_do_not_chain():
    assert wtfc.suggest_groups(["I see my sister every Sunday", "I go to church on Sundays again"]) == []
    texts = ["I see my sister every Sunday", "I phone my mum every evening", "I go to church on Sundays again",
             "I sing in the church choir"]
    assert [s.statements for s in wtfc.suggest_groups(texts)] == [
        ("I go to church on Sundays again", "I sing in the church choir"),
        ("I see my sister every Sunday", "I phone my mum every evening")]
    # A rushed bath is like a shower (washing) and like a rushed dinner (rushing); a shower and a dinner are
    # nothing alike, so they are never in one grouping (single linkage would chain all three).
    chained = wtfc.suggest_groups(["My bath is rushed", "I want a shower and a shave", "Staff rush my dinner"])
    assert [len(s.statements) for s in chained] == [2]
    assert {"I want a shower and a shave", "Staff rush my dinner"} - set(chained[0].statements)


def test_words_every_statement_of_the_period_uses_weigh_less_than_rare_ones():
    meanings = [wtfc.statement_meaning(t) for t in ("I want my bath earlier", "I want a wash before bed",
                                                    "I want to go to college", "Staff help me at the gym")]
    weights = wtfc.word_weights(meanings)
    # "college" (one statement, of the family "learn") outweighs "bath"/"wash" (two), which outweighs "help"
    assert weights["learn"] > weights["wash"] > weights["help"] == weights["staff"] == wtfc.COMMON_WEIGHT
    assert meanings[0] == {"wash": {"bath"}, "early": {"early"}}  # "earlier": its lemma; "bath": its family


@pytest.mark.parametrize("common", ["help", "staff", "support", "like", "me"])
def test_a_word_in_nearly_every_statement_never_ties_a_grouping_on_its_own(common):
    texts = [f"{common} with my shopping", f"the {common} at college", f"{common} in the garden"]
    assert wtfc.suggest_groups(texts) == []
    assert wtfc.suggest_groups(["Staff help me with my shopping", "The same staff help me in the mornings",
                                "I do my own shopping with a little help"])[0].statements == (
        "Staff help me with my shopping", "I do my own shopping with a little help")


def test_a_theme_set_moves_statements_between_themes_of_a_kind():
    themes = wtfc.ThemeSet("2026-01", "2026-03")
    themes.add_theme("Staff who know me", "not_working", "I want staff who know me", ["a", "b"])
    themes.add_theme("Time", "not_working", "", ["b", "c"])
    assert themes.theme("Staff who know me").statements == ["a"]
    assert themes.themed_statements("not_working") == {"a", "b", "c"}
    with pytest.raises(wtfc.ThemeError, match="already a theme"):
        themes.add_theme("time", "not_working")
    with pytest.raises(wtfc.ThemeError, match="name"):
        themes.add_theme("  ", "working")
    assert wtfc.theme_set_from_dict(themes.to_dict()).to_dict() == themes.to_dict()


def test_themes_are_saved_per_period_with_history_and_conflicts(reviewed):
    stored = wtfc.load_themes(reviewed, "2026-01", "2026-03")
    assert stored.version == 0 and stored.theme_set.themes == []
    stored.theme_set.add_theme("Staff who know me", "not_working", "I want staff who know me",
                               ["Staff rush me in the mornings"])
    stored = wtfc.save_themes(reviewed, stored)
    stored.theme_set.theme("Staff who know me").root_causes = "Agency cover at weekends"
    stored = wtfc.save_themes(reviewed, stored)
    assert stored.version == 2
    again = wtfc.load_themes(reviewed, "2026-01", "2026-03")
    assert again.theme_set.theme("Staff who know me").root_causes == "Agency cover at weekends"
    history = reviewed.document_history(again.document_id)
    assert [v.content["themes"][0]["root_causes"] for v in history] == ["Agency cover at weekends", ""]
    assert wtfc.load_themes(reviewed, "2026-04", "2026-06").version == 0  # another period, its own themes
    stale = wtfc.StoredThemes(again.theme_set, again.document_id, 1)
    with pytest.raises(ConflictError):
        wtfc.save_themes(reviewed, stale)
    assert wtfc.saved_periods(reviewed) == ["2026-01 to 2026-03"]


def test_counts_by_service_and_the_export_rows_carry_no_statement_words(reviewed):
    stored = wtfc.load_themes(reviewed, "2026-01", "2026-03")
    stored.theme_set.add_theme("Staff who know me", "not_working", "I want staff who know me", [
        "Staff rush my bath in the mornings", "Agency staff don't know how I like things done",
        "I don't get a proper wash in the morning"])
    wtfc.save_themes(reviewed, stored)
    exported = wtfc.themes_for_export(reviewed)
    assert exported == [{"period": "2026-01 to 2026-03", "name": "Staff who know me", "kind": "not_working",
                         "i_statement": "I want staff who know me", "counts": {"Oak House": 2, "Elm Court": 1}}]
    assert wtfc.themes_for_export(reviewed, first="2026-04") == []


def test_the_page_themes_a_suggestion_and_saves_it(reviewed):
    page = ThemesPage(reviewed)
    # The last calendar quarter with statements, in words: one the commissioner workbook can be made for.
    assert [label for label, _ in page.first.options] == [f"{m} 2026" for m in ("January", "February", "March",
                                                                                  "April", "May", "June")]
    assert (page.first.label, page.last.label) == ("April 2026", "June 2026")
    page.first.value, page.last.value = "2026-02", "2026-03"
    page.load_button.click()
    page.kind.value = "not_working"
    assert page.suggestions.options[0][0] == "2 statements sharing: bath or wash"
    assert page.suggestions.value == 0  # offered, not an empty choice
    page.use_suggestion.click()
    assert set(page.unthemed.value) == {"Staff rush my bath in the mornings", "I don't get a proper wash in the morning"}
    page.new_name.value = "Staff who know me"
    page.new_i.value = "I want staff who know me"
    page.create_button.click()
    assert "Saved (version 1)" in page.status.value
    assert [value for _, value in page.unthemed.options] == ["Agency staff don't know how I like things done"]
    page.root_causes.value = "Agency cover"
    assert wtfc.load_themes(reviewed, "2026-02", "2026-03").theme_set.themes[0].root_causes == "Agency cover"
    assert "Elm Court" in page.counts.value and ">2<" in page.counts.value
    page.new_name.value = "<script>alert(1)</script>"
    page.kind.value = "working"
    page.unthemed.value = (page.unthemed.options[0][1],)
    page.create_button.click()
    assert "<script>alert(1)</script>" not in page.counts.value + page.status.value + page.text_check.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text_check.value


def test_the_page_makes_the_commissioner_workbook_with_the_themes_and_no_statement_words(reviewed, tmp_path):
    import base64
    import io
    import re

    import openpyxl

    audits = [headers("file_audit"), row("file_audit", audit_date="15/02/2026", service="Oak House")]
    import_files([write_workbook(tmp_path / "audit.xlsx", {"File audit": audits})], reviewed)
    page = ThemesPage(reviewed)
    page.first.value, page.last.value = "2026-01", "2026-03"
    page.load_button.click()
    page.kind.value = "not_working"
    page.unthemed.value = tuple(value for _, value in page.unthemed.options)
    page.new_name.value = "Staff who know me"
    page.new_i.value = "I want staff who know me"
    page.create_button.click()
    page.export_button.click()
    assert "base64," in page.export_link.value, page.export_link.value[-500:]
    data = base64.b64decode(re.search(r"base64,([^\"]+)", page.export_link.value).group(1))
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells = [str(c.value) for ws in workbook.worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    themes = [[c.value for c in r] for ws in workbook.worksheets if "theme" in ws.title.lower() for r in ws.iter_rows()]
    assert any("Not working" in map(str, r) or "not_working" in map(str, r) for r in themes), themes[:5]
    assert "I want staff who know me" not in cells  # theme text goes only with a named sign-off (issue 15)
    assert not any("Staff rush me" in cell or "P-0001" in cell for cell in cells)


def _page_with_themes(store, *names_and_i):
    """The page on January to March 2026 with a not-working theme per (name, I statement)."""
    page = ThemesPage(store)
    page.first.value, page.last.value = "2026-01", "2026-03"
    page.load_button.click()
    page.kind.value = "not_working"
    for name, i_statement in names_and_i:
        page.unthemed.value = (page.unthemed.options[0][1],)
        page.new_name.value, page.new_i.value = name, i_statement
        page.create_button.click()
        assert "Saved" in page.status.value, page.status.value
    return page


def test_theme_text_naming_someone_is_blocked_with_its_reason_before_anything_is_signed(reviewed):
    from pcp_widgets.audit.outputs import free_text

    page = _page_with_themes(reviewed, ("P-9101 bath time", "I want my bath when I choose"),
                             ("Staff who know me", "I want staff who know me, like Mrs Jean Smith"))
    shown = page.text_check.value
    assert "Blocked" in shown and "The theme name looks like a person or staff ref." in shown
    assert "The I statement looks like a personal name (a title and a name)." in shown
    assert "2 themes cannot go to commissioners as written" in shown
    assert "Nothing is signed off for 2026-01 to 2026-03 yet" in page.signed.value
    page.sign_button.click()
    assert "Not signed off: in the theme" in page.signed.value and "pcp-problem" in page.signed.value
    assert free_text.latest_sign_off(reviewed, "2026-01", "2026-03") is None


def test_signing_off_says_what_is_signed_off_and_by_whom_and_the_workbook_names_its_maker(reviewed, tmp_path,
                                                                                         monkeypatch):
    audits = [headers("file_audit"), row("file_audit", audit_date="15/02/2026", service="Oak House")]
    import_files([write_workbook(tmp_path / "audit.xlsx", {"File audit": audits})], reviewed)
    reviewed.add_user("jo", "commissioner-export", by="test")
    monkeypatch.setenv("JUPYTERHUB_USER", "jo")  # signed in through the Hub: the name is the Hub's, not typed
    page = _page_with_themes(reviewed, ("Rushed mornings", "I want time to wake up"))
    assert "You are signed in as jo: theme text is signed off and the workbook made under that name." in page.who.value
    page.sign_button.click()
    assert "The theme text of 2026-01 to 2026-03 was signed off by jo on " in page.signed.value
    assert "Signed off: <strong>Rushed mornings</strong>" in page.text_check.value
    page.theme_i.value = "I want time to wake up slowly"  # a change after sign-off needs signing off again
    assert "Changed or new since then, so not sent until signed off again: Rushed mornings." in page.signed.value
    assert "Not signed off yet: <strong>Rushed mornings</strong>" in page.text_check.value

    page.export_button.click()
    assert "base64," in page.export_link.value, page.export_link.value[-500:]
    assert [entry.made_by for entry in reviewed.commissioner_exports()] == ["jo"]
    assert [(e.action, e.detail) for e in reviewed.access_log(user="jo") if e.action == "exported"] == [
        ("exported", "commissioner export commissioner-evidence-2026-01-to-2026-03.xlsx")]
    page.first.value = "2026-02"  # February to March is no calendar quarter: refused in one sentence
    page.load_button.click()
    page.export_button.click()
    assert "pcp-problem" in page.export_link.value and "base64," not in page.export_link.value
    assert "quarter" in page.export_link.value
