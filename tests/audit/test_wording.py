"""The plan-language check against a labelled set of care-plan statements written for these tests.

tests/data/wording_cases.json holds 110 generic and 98 specific statements (none copied from
docs/domain.md or the demo), and 20 "important to" items in and out of the person's voice. The
check must label at least 95% of all statements right and at least 90% of each kind: a
quality lead can live with the odd miss, but not with a check that cries wolf at good plans
or waves generic ones through.

tests/data/plain_statements.json holds 160 short plain statements (issue 19), half generic (a
task with no when, how or who), in a tuning part and a held-out part written and committed
before the check was tuned. On the held-out part the check must flag at least 90% of the
generic statements and at most 10% of the specific ones.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcp_widgets.audit.analysis import wording
from pcp_widgets.audit.schema.sheets import REVIEW_STATEMENTS

CASES = json.loads((Path(__file__).parents[1] / "data" / "wording_cases.json").read_text(encoding="utf-8"))
PLAIN = json.loads((Path(__file__).parents[1] / "data" / "plain_statements.json").read_text(encoding="utf-8"))
OVERALL_ACCURACY = 0.95
EACH_KIND_ACCURACY = 0.90
#: The figures the README gives for the older set: 207 of its 208 right, and the later batch of 40 (the last
#: 20 of each list, written after the first tuning) all right. Issue 19's rules must not make them worse.
OLDER_SET_WRONG_AT_MOST = 1
LATER_BATCH = 20
#: Issue 19's budget on the held-out plain statements.
HELD_OUT_RECALL = 0.90
HELD_OUT_SPECIFIC_FLAGGED = 0.10

DOMAIN_GENERIC = ["Staff to promote independence.", "Supports choice.", "Assist with personal care as required.",
                  "Encourage a healthy diet.", "Monitor mood.", "Service user requires support with meals."]
DOMAIN_SPECIFIC = [
    "Ask before helping with washing; offer two options; if I say 'later', step back for 10 minutes and offer "
    "once more.",
    "Call my name from the bedroom door to wake me; never shake me.",
    "Serve my meals piping hot and sit with me while I eat.",
    "Never take the £10 note out of my pocket.",
]


def test_the_labelled_set_is_big_enough_and_has_no_duplicates():
    assert len(CASES["generic"]) >= 50 and len(CASES["specific"]) >= 50
    everything = CASES["generic"] + CASES["specific"]
    assert len(set(everything)) == len(everything)
    assert not set(everything) & set(DOMAIN_GENERIC + DOMAIN_SPECIFIC)


def test_accuracy_on_the_labelled_set():
    wrong = {kind: [t for t in CASES[kind] if wording.check_statement(t).generic != (kind == "generic")]
             for kind in ("generic", "specific")}
    total = len(CASES["generic"]) + len(CASES["specific"])
    accuracy = 1 - (len(wrong["generic"]) + len(wrong["specific"])) / total
    assert accuracy >= OVERALL_ACCURACY, wrong
    for kind in wrong:
        assert 1 - len(wrong[kind]) / len(CASES[kind]) >= EACH_KIND_ACCURACY, wrong[kind]


def test_the_older_sets_figures_are_no_worse():
    wrong = [t for kind in ("generic", "specific") for t in CASES[kind]
             if wording.check_statement(t).generic != (kind == "generic")]
    assert len(wrong) <= OLDER_SET_WRONG_AT_MOST, wrong
    later = [t for kind in ("generic", "specific") for t in CASES[kind][-LATER_BATCH:]
             if wording.check_statement(t).generic != (kind == "generic")]
    assert later == []


# -- short plain statements (issue 19) ------------------------------------------------


def test_the_plain_statements_are_enough_balanced_and_new():
    parts = [PLAIN[part][kind] for part in ("tuning", "held_out") for kind in ("generic", "specific")]
    everything = [text for texts in parts for text in texts]
    assert len(everything) >= 150 and len(set(everything)) == len(everything)
    assert len({len(texts) for texts in parts}) == 1  # half generic, half specific, in each part
    assert not set(everything) & set(CASES["generic"] + CASES["specific"] + DOMAIN_GENERIC + DOMAIN_SPECIFIC)


def test_the_budget_on_the_held_out_plain_statements():
    """At least 90% of the generic statements flagged, at most 10% of the specific ones; this part was
    written before the check was tuned and was never used to tune it."""
    held_out = PLAIN["held_out"]
    missed = [t for t in held_out["generic"] if not wording.check_statement(t).generic]
    false_alarms = [t for t in held_out["specific"] if wording.check_statement(t).generic]
    assert 1 - len(missed) / len(held_out["generic"]) >= HELD_OUT_RECALL, missed
    assert len(false_alarms) / len(held_out["specific"]) <= HELD_OUT_SPECIFIC_FLAGGED, false_alarms


@pytest.mark.parametrize("text, person", [("Help Ken go out.", "Ken"), ("Staff give Ken his tablets.", "Ken"),
                                          ("Take Mary shopping.", "Mary"), ("Keep Beth busy.", "Beth"),
                                          ("Sam goes to the gym.", "Sam"), ("Help me get dressed.", "I")])
def test_a_task_without_when_how_or_who_is_generic_and_the_reason_names_the_person(text, person):
    check = wording.check_statement(text)
    assert check.generic and not check.gives
    likes = "I like" if person == "I" else f"{person} likes"
    assert check.reasons == [f"It says what to do but not when or how: add the time and the way {likes} it done."]
    assert len(check.suggestions) == 1 and "when" in check.suggestions[0]


@pytest.mark.parametrize("text, part, words", [
    ("Take Mary to Tesco on Fridays at 10am.", "when", ("Fridays", "10am")),
    ("Knock and wait for Tom to say come in.", "how", ("wait for",)),
    ("Give Ken his tablets after breakfast.", "when", ("after breakfast",)),
    ("Give Ken his tablets with a glass of water.", "how", ("with a glass",)),
    ("Staff give Ken his tablets one at a time.", "how", ("one at a time",)),
    ("Help Ken go out by getting his coat ready.", "how", ("by getting",)),
    ("Ken's brother Bill takes him shopping.", "who", ("Ken's brother Bill",)),
    ("Stephen phones Arthur.", "who", ("Stephen phones Arthur",)),
])
def test_a_task_with_when_how_or_who_stays_specific_and_says_what_gave_it(text, part, words):
    check = wording.check_statement(text)
    assert not check.generic and check.reasons == []
    assert getattr(check.gives, part) == words
    assert part not in check.gives.missing


def test_gives_is_blind_to_vague_phrasing_and_to_the_task_itself():
    assert wording.gives("Take Ken out when needed.").missing == ("when", "how", "who")  # "when needed" is no time
    assert not wording.gives("Give Sam his dinner.").when  # the dinner is the task, not when
    assert wording.gives("Give Sam his tablets with his dinner.").when == ("with his dinner",)
    assert not wording.gives("Help Pat with her hair.")  # the task, not how
    assert not wording.gives("Go for a walk with Beth.")  # with the person, not how
    assert wording.gives("Go for a walk with his friend Dave.").who == ("his friend Dave",)
    assert wording.gives("Take Mary shopping on Fridays.").missing == ("how", "who")
    assert wording.gives("I like tea") == wording.Gives()


def test_important_to_items_are_not_asked_for_when_or_how():
    check = wording.check_statement("Going to the football with my dad.", important_to=True)
    assert not check.generic


# -- content-word lemmas, for comparing what statements are about ----------------------------


def test_content_lemmas_match_the_same_task_in_other_words():
    from pcp_widgets.audit.analysis.lemmas import content_lemmas, lemma

    assert content_lemmas("Take Mary shopping.") == ("take", "mary", "shop")
    assert content_lemmas("Staff took Mary to the shops.") == ("staff", "take", "mary", "shop")
    assert set(content_lemmas("I like bathing")) & set(content_lemmas("Run my bath at 8pm")) == {"bath"}
    assert content_lemmas("Staff give Ken his tablets.") == ("staff", "give", "ken", "tablet")
    assert [lemma(w) for w in ("leaves", "went", "Fridays", "Ken's", "glasses", "washed")] == \
        ["leave", "go", "friday", "ken", "glass", "wash"]
    assert content_lemmas("") == () and content_lemmas("I am at it") == ()


@pytest.mark.parametrize("text", DOMAIN_GENERIC)
def test_domain_generic_examples_are_flagged_with_reasons_and_suggestions(text):
    check = wording.check_statement(text)
    assert check.generic
    assert check.reasons and len(check.reasons) == len(check.suggestions)
    assert all(r.endswith(".") for r in check.reasons)


@pytest.mark.parametrize("text", DOMAIN_SPECIFIC)
def test_domain_specific_examples_pass_and_say_what_made_them_specific(text):
    check = wording.check_statement(text)
    assert not check.generic and check.reasons == [] and check.suggestions == []
    assert check.details


def test_reasons_name_what_is_wrong():
    check = wording.check_statement("Service user requires support with meals as and when needed.")
    joined = " ".join(check.reasons)
    assert "service user" in joined and "when to help" in joined
    aim = wording.check_statement("Staff to promote independence.")
    assert aim.reasons == [wording.VAGUE[0].reason]  # the aim, not also "promote" as a vague verb
    bare = wording.check_statement("Care plan reviewed and updated.")
    assert bare.generic and "nothing a new staff member could do" in bare.reasons[0]


def test_every_rule_is_explained_and_catches_something_in_the_labelled_set():
    fired = {rule.name for text in CASES["generic"] for rule in wording.vague_rules(text)}
    for rule in wording.VAGUE:
        assert rule.reason.endswith(".") and rule.suggestion.endswith((".", ")"))
        assert rule.name in fired, f"{rule.name} never fires on the labelled generic statements"


def test_the_persons_own_voice():
    for text in CASES["first_person"]:
        assert wording.in_own_voice(text), text
    for text in CASES["not_first_person"]:
        assert not wording.in_own_voice(text), text
    assert wording.in_own_voice("I like it when she sings to me")  # "she" is not about the person


def test_important_to_items_get_a_first_person_rewrite():
    check = wording.check_statement("She enjoys going to the pub with her brother.", important_to=True)
    assert not check.first_person
    assert "own voice" in check.reasons[-1]
    assert check.suggestions[-1].endswith("\u201cI enjoy going to the pub with my brother.\u201d")
    assert "\u201cI like football.\u201d" in wording.own_voice_suggestion("Likes football.")
    assert "\u201cI love gardening.\u201d" in wording.own_voice_suggestion("Margaret loves gardening.")
    mine = wording.check_statement("My cat Smudge is very important to me.", important_to=True)
    assert mine.first_person and not mine.generic and mine.reasons == []


def test_specific_rate_and_is_generic_over_a_column():
    column = pd.Series(["Monitor mood.", None, "  ", "Knock twice and wait for me to say 'come in'.",
                        "Monitor mood.", "Walk on my left; I can't see well on my right."])
    assert list(wording.is_generic(column)) == [True, False, False, False, True, False]
    assert wording.specific_rate(column) == pytest.approx(50.0)
    assert pd.isna(wording.specific_rate(pd.Series([None, ""], dtype=object)))


def review_rows(*rows: tuple) -> pd.DataFrame:
    columns = ["review_date", "service", "person_ref", *REVIEW_STATEMENTS]
    return pd.DataFrame([(d, "Ash", p, *texts) for p, d, texts in rows], columns=columns)


def test_near_identical_reviews_of_the_same_person():
    first = ("I like my new room", "I see my sister on Sundays", "Staff rush me in the mornings",
             "Agency staff don't know me", "I want a job", "I want to go to college")
    reordered = (first[1], first[0], first[3], first[2], first[5], first[4])
    one_word = first[:4] + ("I want a paid job", first[5])
    different = ("I chose my new carpet", "I go swimming on Fridays", "The bus is hard for me",
                 "I am bored at the weekend", "I want to live in my own flat", None)
    frame = review_rows(
        ("P-0001", dt.date(2025, 1, 10), first), ("P-0001", dt.date(2025, 7, 10), reordered),
        ("P-0002", dt.date(2025, 1, 10), first), ("P-0002", dt.date(2025, 7, 10), different),
        ("P-0003", dt.date(2025, 2, 1), first), ("P-0003", dt.date(2025, 8, 1), one_word),
        ("P-0004", dt.date(2025, 3, 1), different),
    )
    pairs = wording.near_identical_reviews(frame)
    assert list(pairs["person_ref"]) == ["P-0001", "P-0003"]
    assert pairs.iloc[0]["similarity"] == 1.0 and pairs.iloc[0]["word_overlap"] == 1.0
    assert pairs.iloc[0]["earlier_review"] == dt.date(2025, 1, 10)
    assert pairs.iloc[0]["later_review"] == dt.date(2025, 7, 10)
    assert 0.85 <= pairs.iloc[1]["similarity"] < 1
    assert list(wording.near_identical_reviews(frame, threshold=1.0)["person_ref"]) == ["P-0001"]
    assert wording.review_similarity("a b c", "d e f") == (0.0, 0.0)


PHRASES = ("I like my room", "I see my sister", "staff rush me", "I want a job", "my room is cold", "I like",
           "", "Staff rush me in the mornings", "job job job", "I")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["P-1", "P-2", "P-3"]),
                          st.lists(st.sampled_from(PHRASES + (None,)), min_size=len(REVIEW_STATEMENTS),
                                   max_size=len(REVIEW_STATEMENTS))), max_size=12),
       st.sampled_from([0.0, 0.5, 0.85, 1.0]))
def test_the_year_at_once_agrees_with_comparing_each_pair_on_its_own(reviews, threshold):
    """The page compares a year's reviews as arrays; each flagged pair, its figures, and each pair left
    out must be what review_similarity says of the two reviews' statements joined up."""
    rows = [(person, dt.date(2025, 1, 1) + dt.timedelta(days=30 * n), texts)
            for n, (person, texts) in enumerate(reviews)]
    frame = review_rows(*rows)
    flagged = wording.near_identical_reviews(frame, threshold=threshold)
    expected = []
    for person in sorted({person for person, _, _ in rows}):
        mine = [(day, " ".join(text for text in texts if text)) for p, day, texts in rows if p == person]
        for (earlier, before), (later, after) in zip(mine, mine[1:]):
            similarity, overlap = wording.review_similarity(before, after)
            if similarity >= threshold:
                expected.append((person, earlier, later, round(similarity, 9), round(overlap, 9)))
    columns = ("person_ref", "earlier_review", "later_review", "similarity", "word_overlap")
    got = [(person, earlier, later, round(similarity, 9), round(overlap, 9))
           for person, earlier, later, similarity, overlap in zip(*(flagged[c] for c in columns))]
    assert sorted(got) == sorted(expected)


# -- pcp wording ----------------------------------------------------------------------


def pcp(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pcp_widgets.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_pcp_wording_json_one_object_per_statement(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("Staff to promote independence.\n\n  \nCall my name from the door; never shake me.\n",
                    encoding="utf-8")
    done = pcp("wording", str(path), "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    # the contract's four fields, unchanged; issue 19 added "gives" after them
    assert [list(line) for line in lines] == [["text", "generic", "reasons", "first_person", "gives"]] * 2
    assert [(line["generic"], line["first_person"]) for line in lines] == [(True, False), (False, True)]
    assert lines[0]["text"] == "Staff to promote independence." and lines[0]["reasons"]
    assert lines[1]["reasons"] == []
    assert lines[1]["gives"] == {"when": [], "how": ["from the door", "never"], "who": []}
    plain = json.loads(pcp("wording", "-", "--json", stdin="Take Mary shopping.\n").stdout)
    assert plain["generic"] is True and plain["gives"] == {"when": [], "how": [], "who": []}
    assert plain["reasons"] == ["It says what to do but not when or how: add the time and the way Mary likes it done."]


def test_pcp_wording_reads_stdin_and_prints_readable_lines():
    done = pcp("wording", stdin="Monitor mood.\nSit with me while I eat.\n")
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first.startswith("GENERIC") and "Monitor mood." in first and "watch" in first
    assert second.startswith("specific") and "Sit with me while I eat." in second
    piped = pcp("wording", "-", "--json", stdin="Encourage fluids.\n")
    assert json.loads(piped.stdout)["generic"] is True


def test_pcp_wording_missing_file_is_one_sentence_and_exit_2(tmp_path):
    done = pcp("wording", str(tmp_path / "missing.txt"), "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == f"pcp: {tmp_path / 'missing.txt'}: there is no such file."
    folder = pcp("wording", str(tmp_path))
    assert folder.returncode == 2 and "Traceback" not in folder.stderr and len(folder.stderr.splitlines()) == 1


def test_a_name_like_su_is_not_read_as_service_user():
    from pcp_widgets.audit.analysis.wording import check_statement

    assert check_statement("I love talking to my daughter Su every day", important_to=True).first_person
    assert check_statement("SU to be supported with meals as required").generic
