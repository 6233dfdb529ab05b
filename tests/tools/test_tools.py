"""The fifteen tool declarations, their documents and their JSON form."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcp_widgets.tools import (
    TOOLS,
    InvalidDocument,
    UnknownTool,
    document_from_dict,
    get_tool,
    new_document,
)
from pcp_widgets.tools.examples import EXAMPLES, PAT_PROFILE, SHOP_WALK_PLAN, example_for
from pcp_widgets.tools.flags import document_flags

DOMAIN_SECTIONS = {
    "one_page_profile": {"appreciation", "important_to", "best_support"},
    "important_to_for": {"important_to", "important_for", "balance", "questions"},
    "working_not_working": {"statements", "keep", "change"},
    "relationship_circle": {"people"},
    "doughnut": {"context", "core", "judgement", "not_ours"},
    "communication_chart": {"rows"},
    "learning_log": {"entries"},
    "good_day_bad_day": {"good_day", "bad_day", "what_makes_the_difference"},
    "perfect_week": {"week"},
    "decision_making": {"how_i_like_information", "best_way_to_offer_choices", "help_me_understand",
                        "good_times", "bad_times", "agreement"},
    "matching_support": {"support_wanted", "skills_needed", "characteristics_wanted",
                         "characteristics_not_wanted", "shared_interests"},
    "four_plus_one": {"tried", "learned", "pleased", "concerned", "next"},
    "presence_to_contribution": {"rows"},
    "person_centred_review": {"participants", "appreciate", "important_now", "important_future", "best_support",
                              "questions", "working_person", "not_working_person", "working_family",
                              "not_working_family", "working_staff", "not_working_staff", "working_others",
                              "not_working_others", "actions", "working", "not_working", "future"},
    "action_plan": {"goals", "actions", "review_triggers"},
}


def test_the_fifteen_tools_of_the_domain_with_their_section_keys():
    assert set(TOOLS) == set(DOMAIN_SECTIONS)
    for key, tool in TOOLS.items():
        assert {section.key for section in tool.sections} == DOMAIN_SECTIONS[key], key
        assert tool.title and tool.purpose and tool.when_to_use
        assert all(section.prompt for section in tool.sections)


def test_pcp_tools_json_lists_the_fifteen_keys():
    out = subprocess.run([sys.executable, "-m", "pcp_widgets.cli", "tools", "--json"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == list(DOMAIN_SECTIONS)


def _value_for(column, draw):
    if column.kind == "choice":
        return draw(st.sampled_from(column.values))
    if column.kind == "number":
        return draw(st.integers(column.minimum or 0, column.maximum or 100))
    if column.kind == "date":
        return draw(st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1))).isoformat()
    return draw(st.text(min_size=1, max_size=40).filter(lambda s: s.strip() == s and s))


@st.composite
def documents(draw, tool_key):
    tool = TOOLS[tool_key]
    data = {"tool": tool_key, "person": draw(st.text(min_size=1, max_size=30).filter(lambda s: s.strip() == s and s)),
            "title": "", "created": "2026-01-01T00:00:00+00:00", "updated": "2026-01-02T00:00:00+00:00",
            "contributors": [{"name": "Su", "relationship": "daughter"}]}
    words = st.text(min_size=1, max_size=60).filter(lambda s: s.strip() == s and s)
    for section in tool.editable_sections:
        if section.kind == "text":
            data[section.key] = draw(st.text(max_size=60).filter(lambda s: s.strip() == s))
        elif section.kind == "list":
            data[section.key] = draw(st.lists(words, max_size=section.max_items or 5))
        elif section.fixed_rows:
            data[section.key] = [{**{c.key: _value_for(c, draw) for c in section.columns}, section.row_key: label}
                                 for label in section.fixed_rows]
        else:
            data[section.key] = [{c.key: _value_for(c, draw) for c in section.columns}
                                 for _ in range(draw(st.integers(0, 4)))]
    return data


@pytest.mark.parametrize("tool_key", list(TOOLS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_declaration_round_trips_dict_to_document_to_dict(tool_key, data):
    original = data.draw(documents(tool_key))
    document = document_from_dict(original)
    as_dict = document.to_dict()
    for key, value in original.items():
        assert as_dict[key] == value, key
    assert document_from_dict(json.loads(json.dumps(as_dict))).to_dict() == as_dict


@pytest.mark.parametrize("tool_key", list(TOOLS))
def test_a_new_document_is_blank_and_valid(tool_key):
    document = new_document(tool_key, "Pat")
    assert document.is_blank()
    assert document_from_dict(document.to_dict()).to_dict() == document.to_dict()


def test_keep_and_change_are_derived_from_the_statements_never_trusted():
    data = {**new_document("working_not_working", "Arthur").to_dict(),
            "statements": [{"text": "Friday evenings", "perspective": "person", "other_name": "", "side": "working"},
                           {"text": "Cold dinners", "perspective": "Person", "other_name": "", "side": "Not working"}],
            "keep": ["something typed by hand"]}
    document = document_from_dict(data)
    assert document.sections["keep"] == ["Friday evenings"]
    assert document.sections["change"] == ["Cold dinners"]
    assert document.sections["statements"][1]["side"] == "not_working"  # labels are read as values


@pytest.mark.parametrize("data, where", [
    ({"person": "Pat"}, "document"),
    ({"tool": "one_page_profile", "person": "", "appreciation": [], "important_to": [], "best_support": []},
     "person"),
    ({"tool": "one_page_profile", "person": "Pat", "appreciation": [], "important_to": []}, "best_support"),
    ({"tool": "one_page_profile", "person": "Pat", "appreciation": "x", "important_to": [], "best_support": []},
     "appreciation"),
    ({"tool": "one_page_profile", "person": "Pat", "appreciation": [], "important_to": [], "best_support": [],
      "hobbies": []}, "hobbies"),
    ({"tool": "relationship_circle", "person": "Kevin",
      "people": [{"name": "Mum", "group": "family", "ring": 7, "note": ""}]}, "people row 1, Ring (1 closest, 4 furthest)"),
    ({"tool": "relationship_circle", "person": "Kevin",
      "people": [{"name": "Mum", "group": "neighbours", "ring": 1, "note": ""}]}, "people row 1, Group"),
    ({"tool": "action_plan", "person": "Jo", "goals": [], "review_triggers": [],
      "actions": [{"what": "Walk", "by_when": "31/02/2026"}]}, "actions row 1, By when"),
    ({"tool": "person_centred_review", "person": "Jo", **{k: [] for k in DOMAIN_SECTIONS["person_centred_review"]},
      "working": ["a", "b", "c"]}, "working"),
])
def test_a_document_that_does_not_fit_says_where(data, where):
    with pytest.raises(InvalidDocument) as caught:
        document_from_dict(data)
    assert caught.value.where == where
    assert str(caught.value).startswith(where)


def test_an_unknown_tool_names_the_tools_there_are():
    with pytest.raises(UnknownTool, match="one_page_profile"):
        get_tool("care_plan")
    with pytest.raises(UnknownTool):
        document_from_dict({"tool": "care_plan", "person": "Pat"})


def test_a_required_column_left_blank_is_refused_but_a_blank_row_is_dropped():
    base = new_document("communication_chart", "Michael").to_dict()
    blank_row = {"when": "", "person_does": "", "we_think_it_means": "", "we_should": ""}
    assert document_from_dict({**base, "rows": [blank_row]}).sections["rows"] == []
    with pytest.raises(InvalidDocument, match="When I do this is needed"):
        document_from_dict({**base, "rows": [{**blank_row, "we_should": "Ask him"}]})


def test_the_perfect_week_always_has_its_seven_days_in_order():
    base = new_document("perfect_week", "Sam").to_dict()
    document = document_from_dict({**base, "week": [{"day": "sunday", "morning": "Lie in", "afternoon": "",
                                                     "evening": ""}]})
    assert [row["day"] for row in document.sections["week"]] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert document.sections["week"][6]["morning"] == "Lie in"
    with pytest.raises(InvalidDocument, match="Funday"):
        document_from_dict({**base, "week": [{"day": "Funday", "morning": "x", "afternoon": "", "evening": ""}]})


def test_the_examples_are_valid_and_drawn_from_the_guidance():
    assert {example.person for example in EXAMPLES} >= {"Pat", "Arthur", "Kevin", "Michael"}
    assert example_for("one_page_profile") is PAT_PROFILE
    for example in EXAMPLES:
        assert document_from_dict(example.to_dict()).to_dict() == example.to_dict()
        assert not example.is_blank()


@pytest.mark.parametrize("tool", list(TOOLS))
def test_every_tool_has_a_worked_example_and_reflection_questions(tool):
    example = example_for(tool)
    assert example is not None and example.tool == tool
    assert document_from_dict(example.to_dict()).to_dict() == example.to_dict()
    assert not example.is_blank()
    assert 2 <= len(TOOLS[tool].reflection) <= 4
    assert all(question.strip().endswith("?") for question in TOOLS[tool].reflection)


def test_the_first_six_examples_stay_first_in_their_order():
    assert [e.tool for e in EXAMPLES[:6]] == ["one_page_profile", "working_not_working", "important_to_for",
                                            "relationship_circle", "communication_chart", "action_plan"]
    assert {e.person for e in EXAMPLES} >= {"Julia", "Maureen", "Graham", "Sam"}


def test_action_plan_flags_low_confidence_and_overdue_steps_in_words():
    flags = document_flags(SHOP_WALK_PLAN, today=dt.date(2026, 2, 10))
    messages = {(f.section, f.row): f.message for f in flags}
    assert "make the step smaller" in messages[("actions", 3)]
    assert ("actions", 1) not in messages  # done: never overdue, confidence 8
    assert messages[("actions", 2)].startswith("Overdue: this step was due by 01/02/2026")
    assert ("goals", 1) not in messages
    later = document_flags(SHOP_WALK_PLAN, today=dt.date(2026, 3, 2))
    assert any(f.section == "goals" and "01/03/2026" in f.message for f in later)


def test_the_json_form_is_a_copy_so_changing_it_leaves_the_document_alone():
    data = PAT_PROFILE.to_dict()
    data["important_to"].append("Something else")
    data["contributors"][0]["name"] = "Changed"
    assert "Something else" not in PAT_PROFILE.sections["important_to"]
    assert PAT_PROFILE.contributors[0]["name"] == "Pat"
