"""Practice sessions: codes, joining, answers saved under the session (also at the same time), exports."""

import io
import threading

import openpyxl
import pdfplumber
import pytest

from pcp_widgets.errors import PcpError, SessionError
from pcp_widgets.practice import sessions
from pcp_widgets.practice.sessions import (CODE_ALPHABET, CODE_LENGTH, answers_side_by_side, completion_xlsx,
                                           handout_pdf, join, progress, save_answer, session_items, start_session)
from pcp_widgets.store import open_store
from pcp_widgets.ui.session import people

TO_OR_FOR = session_items("to_or_for")[0].item_id


def owner(name: str) -> str:
    """A participant as the server knows them (here: signed in to the Hub under their first name)."""
    return f"hub:{name.split()[0].casefold()}"


def test_codes_are_short_and_never_use_letters_that_look_like_digits():
    codes = {sessions.new_code() for _ in range(500)}
    assert len(codes) > 490
    for code in codes:
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert not set("0O1I") & set(CODE_ALPHABET)


def test_a_started_session_is_joined_with_its_code_typed_loosely(store):
    code = start_session(store, "Trainer: Priya")
    loose = f" {code[:3].lower()} {code[3:].lower()} "
    participant = join(store, loose, "  Dee   Smith ", owner("Dee"))
    assert participant.code == code and participant.name == "Dee Smith"
    assert sessions.get_session(store, code).trainer == "Trainer: Priya"


def test_joining_again_carries_on_under_the_name_typed_last_and_other_owners_are_new(store):
    code = start_session(store, "Priya")
    first = join(store, code, "Dee", owner("Dee"))
    again = join(store, code, "Dee S", owner("Dee"))  # a reloaded page, another tab
    assert (again.document_id, again.participant_id) == (first.document_id, first.participant_id)
    assert [p.name for p in sessions.participants(store, code)] == ["Dee S"]
    assert join(store, code, "Sam", owner("Sam")).participant_id != first.participant_id


@pytest.mark.parametrize("typed, words", [("K7M2Q", "is not a session code"), ("K7M2Q0", "is not a session code"),
                                          ("", "is not a session code"), ("KKKKKK", "no practice session")])
def test_a_wrong_or_unknown_code_is_one_sentence(store, typed, words):
    start_session(store, "Priya")
    with pytest.raises(SessionError, match=words) as raised:
        join(store, typed, "Dee", owner("Dee"))
    assert isinstance(raised.value, PcpError) and "\n" not in str(raised.value)


def test_a_name_is_needed_to_join(store):
    code = start_session(store, "Priya")
    with pytest.raises(SessionError, match="Type your name"):
        join(store, code, "   ", owner("Dee"))


def test_session_documents_never_appear_in_a_tool_pages_person_picker(store):
    code = start_session(store, "Priya")
    save_answer(store, code, join(store, code, "Dee", owner("Dee")), "to_or_for", TO_OR_FOR, "Important to", True)
    assert people(store) == []


def _save_many(url, code, participant, answers, errors):
    other = open_store(url)  # a kernel of its own: its own connections to the database
    try:
        for kind, item_id, answer in answers:
            save_answer(other, code, participant, kind, item_id, answer, True)
    except Exception as error:  # reported to the test's thread, which fails on it
        errors.append(error)
    finally:
        other.dispose()


def _items(count):
    items = sessions.all_session_items()[:count]
    return [(item.kind, item.item_id, f"answer to {item.item_id}") for item in items]


def _run_together(jobs):
    threads = [threading.Thread(target=_save_many, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_two_participants_saving_at_the_same_time_lose_nothing(store, store_url):
    code = start_session(store, "Priya")
    dee, sam = join(store, code, "Dee", owner("Dee")), join(store, code, "Sam", owner("Sam"))
    errors = []
    _run_together([(store_url, code, dee, _items(20), errors), (store_url, code, sam, _items(20), errors)])
    assert errors == []
    table = progress(store, code)
    assert table["name"].tolist() == ["Dee", "Sam"]
    answered = table[[c for c in table.columns if c.endswith("_answered")]].sum(axis=1)
    assert answered.tolist() == [20, 20]


def test_the_same_participant_in_two_tabs_at_once_keeps_both_tabs_answers(store, store_url):
    code = start_session(store, "Priya")
    dee = join(store, code, "Dee", owner("Dee"))
    items = _items(30)
    errors = []
    _run_together([(store_url, code, dee, items[::2], errors), (store_url, code, dee, items[1::2], errors)])
    assert errors == []
    saved = sessions.participants(store, code)[0].answers
    assert sum(len(given) for given in saved.values()) == 30
    assert len(store.document_history(dee.document_id)) == 31  # joined, then one version per answer


def test_a_save_based_on_a_stale_version_is_merged_into_the_latest(store):
    code = start_session(store, "Priya")
    dee = join(store, code, "Dee", owner("Dee"))
    stale = store.get_document(dee.document_id)  # what a second tab saw when Dee joined there
    save_answer(store, code, dee, "to_or_for", TO_OR_FOR, "Important to", True)
    voice = session_items("whose_voice")[0].item_id
    version = save_answer(store, code, dee, "whose_voice", voice, "I like tea", True, base=stale)
    assert version == 3  # version 2 was refused as the base, so it was saved on top of version 2
    answers = sessions.participants(store, code)[0].answers
    assert answers["to_or_for"][TO_OR_FOR]["answer"] == "Important to"
    assert answers["whose_voice"][voice]["answer"] == "I like tea"


def test_an_answer_changed_later_replaces_the_earlier_one(store):
    code = start_session(store, "Priya")
    dee = join(store, code, "Dee", owner("Dee"))
    save_answer(store, code, dee, "to_or_for", TO_OR_FOR, "Important for", False)
    save_answer(store, code, dee, "to_or_for", TO_OR_FOR, "Important to", True)
    row = progress(store, code).iloc[0]
    assert (row["to_or_for_answered"], row["to_or_for_right"]) == (1, 1)


def test_answers_side_by_side_hide_names_unless_shown(store):
    code = start_session(store, "Priya")
    dee, sam, kim = (join(store, code, name, owner(name)) for name in ("Dee", "Sam", "Kim"))
    item = session_items("make_it_specific")[0].item_id
    save_answer(store, code, kim, "make_it_specific", item, "Kim's rewrite", True)
    save_answer(store, code, dee, "make_it_specific", item, "Dee's rewrite", False)
    hidden = answers_side_by_side(store, code, "make_it_specific", item)
    assert [(a.label, a.answer, a.ok) for a in hidden] == [("Participant 1", "Dee's rewrite", False),
                                                          ("Participant 3", "Kim's rewrite", True)]
    shown = answers_side_by_side(store, code, "make_it_specific", item, show_names=True)
    assert [a.label for a in shown] == ["Dee", "Kim"]


def test_every_page_item_key_is_a_session_item_with_a_model_answer():
    for item in sessions.all_session_items():
        assert item.prompt and item.model
    keys = [(item.kind, item.item_id) for item in sessions.all_session_items()]
    assert len(keys) == len(set(keys))


def _filled_session(store):
    code = start_session(store, "Priya")
    dee, sam = (join(store, code, name, owner(name)) for name in ("Dee Smith", "Sam Jones"))
    item = session_items("make_it_specific")[0]
    save_answer(store, code, dee, "make_it_specific", item.item_id, "Heat Arthur's dinner at 5pm <b>", True)
    save_answer(store, code, sam, "make_it_specific", item.item_id, "=HYPERLINK(\"x\")", False)
    return code, item


def test_the_handout_pack_is_a_real_pdf_with_answers_and_the_guidances_answer(store):
    code, item = _filled_session(store)
    with pdfplumber.open(io.BytesIO(handout_pdf(store, code))) as pdf:
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert f"Practice session {code}" in text
    assert "Heat Arthur's dinner at 5pm <b>" in text and "Participant 1" in text
    assert " ".join(item.model.split())[:40] in text
    assert "Dee Smith" not in text and "Sam Jones" not in text
    with pdfplumber.open(io.BytesIO(handout_pdf(store, code, show_names=True))) as pdf:
        named = " ".join((page.extract_text() or "") for page in pdf.pages)
    assert "Dee Smith" in named


def test_the_handout_holds_only_what_was_answered_and_counts_one_participant_in_the_singular(store):
    code = start_session(store, "Priya")
    dee = join(store, code, "Dee Smith", owner("Dee Smith"))
    item = session_items("make_it_specific")[0]
    save_answer(store, code, dee, "make_it_specific", item.item_id, "Heat my dinner at 5pm", True)
    layout = sessions.handout_layout(store, code)
    assert layout.subtitle.endswith("1 participant")
    tables = [block for block in layout.blocks if type(block).__name__ == "Table"]
    assert [table.label for table in tables] == [item.prompt]  # no table of nobody's answers
    words = [getattr(block, "text", "") for block in layout.blocks]
    others = len(session_items("make_it_specific")) - 1
    assert f"Nobody answered {others} of the {others + 1} items of this exercise; they are left out." in words
    [done_by_nobody] = [w for w in words if "Practice: whose voice?" in w]  # one line, not a page each
    assert "Practice: important to or important for?" in done_by_nobody and "make it specific" not in done_by_nobody
    with pdfplumber.open(io.BytesIO(handout_pdf(store, code))) as pdf:
        text = " ".join((page.extract_text() or "") for page in pdf.pages)
        assert len(pdf.pages) <= 2
    assert "Nobody answered this one" not in text and "1 participants" not in text


def test_the_completion_sheet_saved_at_is_a_date_and_time_in_uk_order(store, tmp_path):
    import datetime as dt

    code, _item = _filled_session(store)
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(completion_xlsx(store, code))
    cell = openpyxl.load_workbook(path)["Answers"]["F2"]
    assert isinstance(cell.value, dt.datetime) and cell.number_format == "dd/mm/yyyy hh:mm"
    assert abs(cell.value - dt.datetime.now()) < dt.timedelta(hours=2)  # UK clock time, not text
    assert sessions.local_time("2026-07-01T09:30:00+00:00") == dt.datetime(2026, 7, 1, 10, 30)  # summer time
    assert sessions.local_time("2026-01-05T09:30:00+00:00") == dt.datetime(2026, 1, 5, 9, 30)
    assert sessions.local_time("") is None


def test_the_completion_sheet_lists_who_did_what_and_keeps_formula_like_answers_as_text(store, tmp_path):
    code, item = _filled_session(store)
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(completion_xlsx(store, code))
    workbook = openpyxl.load_workbook(path)
    completion = list(workbook["Completion"].iter_rows(values_only=True))
    assert completion[0][0] == "Participant" and [row[0] for row in completion[1:]] == ["Dee Smith", "Sam Jones"]
    assert completion[1][1:3] == (1, 1) and completion[2][1:3] == (1, 0)
    answers = list(workbook["Answers"].iter_rows(values_only=True))
    assert ("Sam Jones", "=HYPERLINK(\"x\")") in [(row[0], row[3]) for row in answers]
    assert workbook["Answers"]["D3"].data_type == "s"


def _kernel(url, code, participant, answers):
    """One participant's kernel: a process of its own, as each served page has."""
    errors = []
    _save_many(url, code, participant, answers, errors)
    if errors:
        raise SystemExit(str(errors[0]))


def test_two_participants_kernels_saving_at_the_same_time_lose_nothing(store, store_url):
    import multiprocessing

    code = start_session(store, "Priya")
    dee, sam = join(store, code, "Dee", owner("Dee")), join(store, code, "Sam", owner("Sam"))
    spawn = multiprocessing.get_context("spawn")
    kernels = [spawn.Process(target=_kernel, args=(store_url, code, person, _items(15))) for person in (dee, sam)]
    for kernel in kernels:
        kernel.start()
    for kernel in kernels:
        kernel.join()
    assert [kernel.exitcode for kernel in kernels] == [0, 0]
    for person in sessions.participants(store, code):
        assert sum(len(given) for given in person.answers.values()) == 15
