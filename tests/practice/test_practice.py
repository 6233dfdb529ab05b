"""Practice exercises: every content file is valid, a broken one is refused clearly, and each kind's feedback."""

import pytest
import yaml

from pcp_widgets.errors import InvalidExercise
from pcp_widgets.practice import feedback
from pcp_widgets.practice.content import CONTENT, KINDS, content_path, load_exercises, load_file


@pytest.mark.parametrize("kind", KINDS)
def test_every_content_file_is_valid(kind):
    exercises = load_file(content_path(kind))
    assert exercises.kind == kind and exercises.items and "\n" not in exercises.purpose


def test_there_is_one_file_per_kind_and_no_other():
    assert sorted(path.stem for path in CONTENT.glob("*.yaml")) == sorted(KINDS)


def _broken(tmp_path, kind, change):
    """A copy of a real content file with one change made to its parsed YAML."""
    raw = yaml.safe_load(content_path(kind).read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / f"{kind}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind, change, message", [
    ("to_or_for", lambda raw: raw["items"][2].update(answer="importent_to"),
     r"to_or_for\.yaml: items number 3 \(arthur-sensor\) answer: 'importent_to' is not one of important_to"),
    ("whose_voice", lambda raw: raw["items"][0].pop("model_answer"),
     r"whose_voice\.yaml: items number 1 \(pat-su\): the field 'model_answer' is missing"),
    ("make_it_specific", lambda raw: raw["items"][1].update(statment="typo"),
     r"make_it_specific\.yaml: items number 2 \(arthur-waking\): there is a field it does not know"),
    ("review_questions", lambda raw: raw["questions"].pop(),
     r"review_questions\.yaml: questions: it has 8 entries"),
    ("to_or_for", lambda raw: raw.update(title=["A", "list"]), r"to_or_for\.yaml: title: it must be text"),
    ("to_or_for", lambda raw: raw["items"][0].update(id="Arthur Meals"),
     r"items number 1 \(Arthur Meals\) id: 'Arthur Meals' must be lower-case letters, digits and '-'"),
    ("whose_voice", lambda raw: raw["items"][0].update(statement=""), r"items number 1 \(pat-su\) statement: it is empty"),
    ("review_questions", lambda raw: raw["items"][0].update(answer="Two hours"),
     r"item 1 \(length\): the answer is not one of its options"),
    ("to_or_for", lambda raw: raw["items"][1].update(id="arthur-fridays"),
     r"item 2 repeats the id 'arthur-fridays'"),
    ("make_it_specific", lambda raw: raw["items"][0].update(statement="Knock on my door at 8am and say 'tea?'"),
     r"item 1 \(arthur-meals\): the plan-language check finds the statement specific already"),
    ("whose_voice", lambda raw: raw["items"][0].update(model_answer="Pat loves her garden."),
     r"item 1 \(pat-su\): the model answer is not in the person's own voice"),
    ("four_perspectives", lambda raw: raw["items"][0]["statements"][2].pop("action"),
     r"statements number 3 \(lukewarm\): the field 'action' is missing"),
    ("four_perspectives", lambda raw: raw["items"][0]["statements"][2]["action"].update(who="staff"),
     r"statement lukewarm: the model action does not pass its own check \('staff' names nobody"),
])
def test_a_broken_file_is_refused_naming_the_file_and_item(tmp_path, kind, change, message):
    with pytest.raises(InvalidExercise, match=message):
        load_file(_broken(tmp_path, kind, change))


def test_a_file_that_is_not_yaml_or_of_no_kind_is_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: to_or_for\nitems: [unclosed\n", encoding="utf-8")
    with pytest.raises(InvalidExercise, match=r"bad\.yaml: the YAML cannot be read at line \d"):
        load_file(bad)
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(InvalidExercise, match=r"bad\.yaml: the file must start with 'kind:'"):
        load_file(bad)
    with pytest.raises(InvalidExercise, match="no exercise kind 'jigsaws'"):
        load_exercises("jigsaws")


def test_an_exercise_added_by_a_trainer_is_loaded(tmp_path):
    def add(raw):
        raw["items"].append({"id": "julia-budget", "person": "Julia", "statement": "Choosing her own staff.",
                             "answer": "important_to", "reasoning": "Julia values choosing who supports her."})

    assert load_file(_broken(tmp_path, "to_or_for", add)).item("julia-budget")["person"] == "Julia"


# -- feedback ----------------------------------------------------------------------------

def _item(kind, item_id):
    return load_exercises(kind).item(item_id)


def test_make_it_specific_says_what_is_still_generic_and_what_detail_is_missing():
    item = _item("make_it_specific", "arthur-meals")
    unchanged = feedback.make_it_specific(item, "  support arthur with meals, as required ")
    assert not unchanged.ok and "as it was" in unchanged.headline
    assert not feedback.make_it_specific(item, "   ").ok

    vague = feedback.make_it_specific(item, "Help Arthur with his meals")
    assert not vague.ok and not vague.model
    assert any("says what staff hope for" in point for point in vague.points)
    assert any(point.startswith("Detail that would help: a concrete action, a time or day") for point in vague.points)

    assert "Still missing: when (a time, a day, how often or what prompts it), how (the way it is done) and who " \
        "does it" in vague.points[1]

    good = feedback.make_it_specific(item, "At 5pm heat my dinner until it is piping hot and sit with me while I eat")
    assert good.ok and good.model == item["model_answer"]
    assert any("a time or day" in point for point in good.points)
    assert "It says when (\u201c5pm\u201d) and how (\u201cpiping hot\u201d)." in good.points
    assert "It could also say who does it (a named person, not just \u201cstaff\u201d)." in good.points

    no_how = feedback.make_it_specific(item, "Support Arthur with his meals every evening")
    assert not no_how.ok and no_how.points[1:3] == (
        "It says when (\u201cevery evening\u201d).",
        "Still missing: how (the way it is done) and who does it (a named person, not just \u201cstaff\u201d).")


PAT = "On Tuesday mornings, drive me to the supermarket and let me choose my own food; you carry the bags to the car."


@pytest.mark.parametrize("item_id, answer", [
    ("arthur-meals", "Come close to my right ear and speak in a loud voice, using the gestures I know"),  # Maureen's
    ("arthur-meals", "On Thursdays at 10am take Maureen swimming and stay with her in the pool"),
    ("arthur-meals", "Staff support me every day at 9am"),  # nothing but words every plan has
    ("arthur-meals", "At 9am every Monday, ask Arthur first"),  # the person, but not the task
    ("arthur-meals", "At 5pm heat Maureen's dinner until it is piping hot"),  # the task, but another person
    ("arthur-waking", PAT),  # Pat's answer shares only a time ("mornings", "in the morning") with Arthur's
    ("arthur-routine", PAT),
])
def test_a_specific_answer_about_something_else_does_not_pass_make_it_specific(item_id, answer):
    item = _item("make_it_specific", item_id)
    result = feedback.make_it_specific(item, answer)
    assert not result.ok and not result.model
    assert result.headline == "This seems to be about something else: rewrite Arthur's statement."
    assert result.points[0] == f"The statement: \u201c{item['statement']}\u201d"


def test_a_generic_rewrite_naming_only_the_person_is_told_it_is_generic_and_lacks_the_task():
    result = feedback.make_it_specific(_item("make_it_specific", "arthur-meals"), "Support Arthur as required")
    assert not result.ok and result.headline.startswith("Still generic")
    assert "It does not say what the statement is about (for example meal, heat or frozen)." in result.points


def test_the_feedback_says_why_an_answer_is_about_something_else():
    meals = _item("make_it_specific", "arthur-meals")
    another = feedback.make_it_specific(meals, "At 5pm heat Maureen's dinner until it is piping hot")
    assert another.points[1] == "Your rewrite is about Maureen, not Arthur, so it is not checked as a rewrite of it."
    waking = feedback.make_it_specific(_item("make_it_specific", "arthur-waking"), PAT)
    assert waking.points[1].startswith("Your rewrite does not say what the statement is about (for example wake, "
                                       "call or name)")


@pytest.mark.parametrize("item", load_exercises("make_it_specific").items, ids=lambda item: item["id"])
def test_a_rewrite_is_about_its_own_statement_and_no_other(item):
    """The guidance's example of every item is about that item (the first person, "my dinner", never
    needs the name) and about no other item, even another of the same person's."""
    assert feedback.make_it_specific(item, item["model_answer"]).ok
    for other in load_exercises("make_it_specific").items:
        assert feedback.about_the_statement(item, other["model_answer"]) is (other is item), other["id"]
    task = feedback.task_words(item)[0]
    assert feedback.about_the_statement(item, f"At 9am every Monday, {task} with {item['person']}")
    assert not feedback.about_the_statement(item, f"At 9am every Monday, ask {item['person']} first")


def test_whose_voice_accepts_the_first_person_and_suggests_a_rewrite_otherwise():
    item = _item("whose_voice", "arthur-boxers")
    about = feedback.whose_voice(item, "He likes the old boxers.")
    assert not about.ok and "\u201cI like the old boxers.\u201d" in about.points[0]
    assert not feedback.whose_voice(item, "Service user likes boxing, especially Cassius Clay").ok
    mine = feedback.whose_voice(item, "I love a chat about Cassius Clay")
    assert mine.ok and mine.model == item["model_answer"]


def test_to_or_for_shows_the_reasoning_when_the_choice_is_wrong():
    item = _item("to_or_for", "arthur-sensor")
    wrong = feedback.to_or_for(item, "important_to")
    assert not wrong.ok and wrong.headline == "Not quite: this is important for Arthur."
    assert wrong.points == (item["reasoning"],)
    assert feedback.to_or_for(item, "important_for").ok


def test_four_perspectives_sorting_names_the_right_view_and_side():
    exercise = _item("four_perspectives", "arthur")
    note = next(s for s in exercise["statements"] if s["id"] == "ten-pound-note")
    wrong = feedback.sorted_statement(exercise, note, "staff", "working")
    assert not wrong.ok
    assert wrong.points[:2] == ("It is the view of Arthur's family (Stephen and Sally).", "It is not working for them.")
    assert feedback.sorted_statement(exercise, note, "family", "not_working").ok


@pytest.mark.parametrize("who, when, ok, says", [
    ("the home care manager", "by Friday", True, ""),
    ("Marie", "within two weeks", True, ""),
    ("Gill", "2026-03-12", True, ""),
    ("staff", "by Friday", False, "'staff' names nobody in particular"),
    ("", "by Friday", False, "Say who"),
    ("Sally", "asap", False, "'asap' is not a date"),
    ("Sally", "when she can", False, "is not a date"),
    ("Sally", "", False, "Say by when"),
])
def test_an_action_needs_a_who_and_a_when(who, when, ok, says):
    result = feedback.action("Call Arthur's name from the bedroom door; never shake him", who, when)
    assert result.ok is ok
    assert ok or any(says in point for point in result.points)


def test_an_action_whose_what_is_generic_is_sent_back():
    result = feedback.action("Support Arthur with meals as required", "Sally", "by Friday")
    assert not result.ok and "generic" in result.points[0]


def test_review_order_counts_the_places_and_gives_a_clue():
    questions = load_exercises("review_questions").questions
    texts = [q["text"] for q in questions]
    assert feedback.review_order(questions, texts).ok
    swapped = texts[:2] + [texts[3], texts[2]] + texts[4:]
    result = feedback.review_order(questions, swapped)
    assert not result.ok and result.headline == "7 of 9 in the right place."
    assert result.points[0] == "Not in the right place: 3 and 4."
    assert questions[2]["why"] in result.points[1]
    assert "every place" in feedback.review_order(questions, texts[:8] + [""]).headline
    twice = feedback.review_order(questions, [texts[0]] + texts[:8])
    assert not twice.ok and twice.points == (f"Chosen more than once: {texts[0]}",)


def test_a_quiz_answer_is_explained_right_or_wrong():
    item = _item("review_questions", "who-leads")
    assert feedback.quiz(item, "A trained facilitator").ok
    wrong = feedback.quiz(item, "The person's social worker")
    assert not wrong.ok and "A trained facilitator" in wrong.headline and wrong.points == (item["explanation"],)

