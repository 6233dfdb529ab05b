"""The fifteen person-centred thinking tools, each declared once.

Prompts and hints follow the guidance in ``shared/seeds`` (the Department of Health's
"Personalisation through person-centred planning", the providers' advice on reviews and
the NHS England handbook on action plans), in our own words. Section keys are the
canonical keys of docs/domain.md, "The tools"; the editor, the renderers and validation all read
them from here.
"""

from __future__ import annotations

from pcp_widgets.tools.spec import Column, Section, Tool, UnknownTool


def _list(key, label, prompt, *hints, first_person=False, specific_actions=False, max_items=None):
    return Section(key, label, prompt, "list", tuple(hints), first_person=first_person,
                   specific_actions=specific_actions, max_items=max_items)


def _table(key, label, prompt, columns, *hints, fixed_rows=(), row_key=""):
    return Section(key, label, prompt, "table", tuple(hints), columns=tuple(columns),
                   fixed_rows=tuple(fixed_rows), row_key=row_key)


def _text(key, label, prompt, *hints):
    return Section(key, label, prompt, "text", tuple(hints))


def _choices(*pairs: str) -> tuple[tuple[str, str], ...]:
    """('not_working', ...) -> (('not_working', 'Not working'), ...): labels read from the keys."""
    return tuple((key, key.replace("_", " ").capitalize()) for key in pairs)


# -- shared vocabularies ------------------------------------------------------------------

PERSPECTIVES = (("person", "The person"), ("family", "Family"), ("staff", "Staff"), ("other", "Someone else"))
SIDES = (("working", "Working"), ("not_working", "Not working"))
CIRCLE_GROUPS = (
    ("family", "Family"),
    ("friends", "Friends and unpaid support"),
    ("paid", "Paid supporters"),
    ("community", "Community: school, work, day services, clubs"),
)
GOAL_STATUSES = _choices("in_progress", "achieved", "on_hold", "not_achieved", "abandoned")
ACTION_STATUSES = _choices("not_started", "in_progress", "done", "stuck")
WEEK_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: The review triggers the guidance names; offered as suggestions in the action plan.
REVIEW_TRIGGERS = (
    "An incident",
    "A hospital admission or discharge",
    "A new diagnosis",
    "A safeguarding concern",
    "A bereavement",
    "A change in support",
    "A major life change",
    "The person or a carer asks for a review",
)
#: Confidence below this (on 1 to 10) means the step is too big, as the guidance advises.
LOW_CONFIDENCE = 6


def _derive_keep_change(sections: dict) -> dict:
    """What is working is what to keep; what is not working is what to change."""
    statements = sections.get("statements") or []
    return {
        "keep": [s["text"] for s in statements if s.get("side") == "working" and s.get("text")],
        "change": [s["text"] for s in statements if s.get("side") == "not_working" and s.get("text")],
    }


ONE_PAGE_PROFILE = Tool(
    key="one_page_profile",
    title="One-page profile",
    purpose="A single page that says what people like and admire about the person, what matters to them "
            "and how best to support them.",
    when_to_use="Start here with anyone new to you: it is the first page a new member of staff should read, "
                "and the beginning of a fuller plan.",
    layout="profile",
    sections=(
        _list("appreciation", "What people like and admire about me",
              "What do people like and admire about the person?",
              "What do people thank them for?", "What are they proud of?", "What would friends say they are good at?"),
        _list("important_to", "What is important to me",
              "What matters most to the person, in their own words?",
              "Who and what must be part of their day?", "What makes a good day?", "Write it as they would: 'I love...'",
              first_person=True),
        _list("best_support", "How best to support me",
              "What must staff know and do to support the person well?",
              "What would a new member of staff need to do on day one?", "What helps, and what makes things worse?",
              "Say who does what, when and how.",
              specific_actions=True),
    ),
    reflection=(
        "Would a new member of staff know what to do on their first morning from this page alone?",
        "Which statements are in the person's own words, and which are ours?",
        "What did you learn about the person that you did not know before?",
    ),
)

IMPORTANT_TO_FOR = Tool(
    key="important_to_for",
    title="Important to and important for",
    purpose="Separates what makes the person happy, content and fulfilled from what keeps them healthy, safe "
            "and valued, and works out a good balance between the two.",
    when_to_use="When health or safety seem to pull against what the person wants, or at the start of a plan.",
    layout="columns",
    sections=(
        _list("important_to", "Important to me", "What makes the person happy, content and fulfilled?",
              "Relationships, things to do, places, routines, rituals, how things are done.", first_person=True),
        _list("important_for", "Important for me", "What keeps the person healthy and safe, and valued by others?",
              "Health, safety, being seen as a valued member of the community."),
        _list("balance", "What needs to happen for a good balance",
              "What needs to happen so the person has what matters to them and stays healthy and safe?",
              specific_actions=True),
        _list("questions", "What we need to learn", "What do we not know yet, and need to find out?"),
    ),
    reflection=(
        "Which statements were hard to place, and why?",
        "Where do important to and important for pull against each other, and what balance did you find?",
        "How would the person know that we are taking what is important to them seriously?",
    ),
)

WORKING_NOT_WORKING = Tool(
    key="working_not_working",
    title="Working and not working",
    purpose="Looks at what is working and not working from different points of view, so we know what to keep "
            "and what to change.",
    when_to_use="At a review, when something is going wrong, or when people disagree about how things are.",
    layout="grid",
    derive=_derive_keep_change,
    sections=(
        _table("statements", "What is working and not working", "From each person's point of view: what is "
               "working, and what is not working?",
               (Column("text", "What they said", required=True),
                Column("perspective", "Whose view", "choice", PERSPECTIVES, required=True),
                Column("other_name", "Who, if someone else"),
                Column("side", "Working or not working", "choice", SIDES, required=True)),
               "Ask the person first, then family, then staff.", "Write what each person said, not a summary."),
        Section("keep", "What to keep doing", "What is working that we must keep doing?", "list", derived=True),
        Section("change", "What to change", "What is not working that we must change?", "list", derived=True),
    ),
    reflection=(
        "Where do the person, their family and the staff see things differently?",
        "What is on the not working side that we could change this week?",
        "Whose view is missing, and how could we hear it?",
    ),
)

RELATIONSHIP_CIRCLE = Tool(
    key="relationship_circle",
    title="Relationship circle",
    purpose="A picture of the people in the person's life: family, friends, paid supporters and community, "
            "with the closest in the middle ring.",
    when_to_use="To learn who matters to the person, who to invite to a review, and which relationships to "
                "strengthen.",
    layout="circle",
    sections=(
        _table("people", "People in my life", "Who is in the person's life, and how close are they?",
               (Column("name", "Name", required=True),
                Column("group", "Group", "choice", CIRCLE_GROUPS, required=True),
                Column("ring", "Ring (1 closest, 4 furthest)", "number", minimum=1, maximum=4, required=True),
                Column("note", "Note")),
               "Ring 1: the people the person loves most.", "Paid supporters go in their own quarter.",
               "Who would they like to see more of?"),
    ),
    reflection=(
        "Are most of the people close to the person paid to be there?",
        "Who would the person like to see more of, and what would help that happen?",
        "Who should be invited to the person's next review?",
    ),
)

DOUGHNUT = Tool(
    key="doughnut",
    title="The doughnut",
    purpose="Sorts out what a role is responsible for: the core, where to use judgement and creativity, and "
            "what is not our paid responsibility.",
    when_to_use="When a team is unsure who does what, or afraid to be creative.",
    layout="lists",
    sections=(
        _text("context", "Whose role, in what situation", "Whose responsibilities are we sorting, and in what "
              "situation?"),
        _list("core", "Core responsibilities", "What must always be done, exactly as agreed?", specific_actions=True),
        _list("judgement", "Use judgement and creativity", "Where can people try things and use their judgement?"),
        _list("not_ours", "Not our paid responsibility", "What is not part of this paid role?"),
    ),
    reflection=(
        "Where was the team unsure whether something was core or a matter of judgement?",
        "What could people try, now that they know where they may be creative?",
        "What have we been doing that is not our paid responsibility, and who should do it instead?",
    ),
)

COMMUNICATION_CHART = Tool(
    key="communication_chart",
    title="Communication chart",
    purpose="A quick picture of how the person communicates, whether they use words or not: what they do, "
            "what we think it means, and what we should do.",
    when_to_use="Whenever a person's actions say more clearly than their words what they mean.",
    layout="table",
    sections=(
        _table("rows", "How I communicate", "What does the person do, and what should we do about it?",
               (Column("when", "At this time", required=False),
                Column("person_does", "When I do this", required=True),
                Column("we_think_it_means", "We think it means"),
                Column("we_should", "And we should")),
               "Describe exactly what you see and hear.", "Say what staff should do in reply."),
    ),
    reflection=(
        "Did you describe exactly what you saw and heard, or what you guessed?",
        "How would you check that 'we think it means' is right?",
        "Would someone who has never met the person know how to reply?",
    ),
)

LEARNING_LOG = Tool(
    key="learning_log",
    title="Learning log",
    purpose="Records what we learn from each activity or event: what worked well, what did not, and what we "
            "will do next time.",
    when_to_use="After any activity you want to get right for the person, instead of ordinary daily notes.",
    layout="table",
    sections=(
        _table("entries", "Learning log", "What happened, and what did we learn?",
               (Column("date", "Date", "date", required=True),
                Column("activity", "What happened (activity)", required=True),
                Column("who_was_there", "Who was there"),
                Column("worked_well", "What worked well"),
                Column("did_not_work", "What did not work"),
                Column("learned", "What we learned and will do next time"))),
    ),
    reflection=(
        "What did we learn that ordinary daily notes would have missed?",
        "What will we do differently next time, and who will make sure it happens?",
        "Who else needs to read this log?",
    ),
)

GOOD_DAY_BAD_DAY = Tool(
    key="good_day_bad_day",
    title="Good day and bad day",
    purpose="Describes what a good day and a bad day look like for the person, and what makes the difference.",
    when_to_use="When getting to know someone, or when days often go wrong.",
    layout="columns",
    sections=(
        _list("good_day", "A good day", "What happens on a good day, from waking to sleeping?", first_person=True),
        _list("bad_day", "A bad day", "What happens on a bad day?", first_person=True),
        _list("what_makes_the_difference", "What makes the difference",
              "What do we need to do more of, or stop, so there are more good days?", specific_actions=True),
    ),
    reflection=(
        "What makes the difference between a good day and a bad day?",
        "Which of those things are in our hands?",
        "How will we know whether there are more good days next month?",
    ),
)

PERFECT_WEEK = Tool(
    key="perfect_week",
    title="Perfect week",
    purpose="A week as the person would like it to be, morning, afternoon and evening.",
    when_to_use="When planning support hours, activities or a personal budget.",
    layout="week",
    sections=(
        _table("week", "My perfect week", "What would the person love to do each morning, afternoon and evening?",
               (Column("day", "Day"), Column("morning", "Morning"), Column("afternoon", "Afternoon"),
                Column("evening", "Evening")),
               fixed_rows=WEEK_DAYS, row_key="day"),
    ),
    reflection=(
        "How far is the person's week now from their perfect week?",
        "Which one change would bring the week closest to perfect?",
        "Whose help, paid or unpaid, would that change need?",
    ),
)

DECISION_MAKING = Tool(
    key="decision_making",
    title="Decision-making profile and agreement",
    purpose="How the person likes to be given information and choices, and who makes which decisions.",
    when_to_use="Before an important decision, and for anyone whose capacity to decide needs support.",
    layout="lists",
    sections=(
        _list("how_i_like_information", "How I like to get information", "How does the person like to be given "
              "information?", first_person=True),
        _list("best_way_to_offer_choices", "The best way to offer me choices", "How should choices be offered?",
              specific_actions=True),
        _list("help_me_understand", "What helps me understand", "What helps the person understand?",
              specific_actions=True),
        _list("good_times", "The best times for me to make decisions", "When is a good time to decide?"),
        _list("bad_times", "The worst times for me to make decisions", "When is a bad time to decide?"),
        _table("agreement", "Decision-making agreement", "For each important decision: how is the person involved, "
               "and who makes the final decision?",
               (Column("decision", "Important decisions in my life", required=True),
                Column("how_i_am_involved", "How I must be involved"),
                Column("who_decides", "Who makes the final decision"))),
    ),
    reflection=(
        "Who makes the final decision, and does the person agree?",
        "What would help the person take a bigger part in decisions?",
        "Which decisions should wait for a better time of day?",
    ),
)

MATCHING_SUPPORT = Tool(
    key="matching_support",
    title="Matching support",
    purpose="What support the person wants, and the skills, characteristics and interests of the people who "
            "would suit them best.",
    when_to_use="When recruiting staff or choosing who supports the person.",
    layout="lists",
    sections=(
        _list("support_wanted", "Support wanted", "What support does the person want?"),
        _list("skills_needed", "Skills needed", "What skills does someone need to give that support?"),
        _list("characteristics_wanted", "Personal characteristics wanted", "What kind of person would suit them?"),
        _list("characteristics_not_wanted", "Characteristics to avoid", "What kind of person would not suit them?"),
        _list("shared_interests", "Shared interests", "What interests would it help to share?"),
    ),
    reflection=(
        "Would you recruit differently after reading this?",
        "Which characteristics matter most to the person, in their own words?",
        "Which shared interests could start a good relationship?",
    ),
)

FOUR_PLUS_ONE = Tool(
    key="four_plus_one",
    title="4 plus 1 questions",
    purpose="Four questions about what we have tried, learned, are pleased and concerned about, and one "
            "about what to do next.",
    when_to_use="At a team meeting or supervision, to learn from what has happened and decide what next.",
    layout="lists",
    sections=(
        _list("tried", "What have we tried?", "What have we tried?"),
        _list("learned", "What have we learned?", "What have we learned?"),
        _list("pleased", "What are we pleased about?", "What are we pleased about?"),
        _list("concerned", "What are we concerned about?", "What are we concerned about?"),
        _list("next", "What next?", "Given what we know, what should we do next?", specific_actions=True),
    ),
    reflection=(
        "What did we learn that we did not expect?",
        "Is the next step small and clear enough to start tomorrow?",
        "Who was not in the room, and what would they add?",
    ),
)

PRESENCE_TO_CONTRIBUTION = Tool(
    key="presence_to_contribution",
    title="Presence to contribution",
    purpose="Where the person goes and who with, and how they could move from just being there to "
            "taking part and contributing.",
    when_to_use="When thinking about community life, work or volunteering.",
    layout="table",
    sections=(
        _table("rows", "Places and activities", "Where does the person go, and what could they contribute there?",
               (Column("place_or_activity", "Place or activity", required=True),
                Column("how_often", "How often"),
                Column("who_with", "Who with"),
                Column("contribution_now", "Contribution now"),
                Column("contribution_possible", "Contribution possible"))),
    ),
    reflection=(
        "Where is the person present but not yet taking part?",
        "Which contribution would mean most to the person?",
        "Who in that place could help the person contribute?",
    ),
)

PERSON_CENTRED_REVIEW = Tool(
    key="person_centred_review",
    title="Person-centred review",
    purpose="The review meeting's record: the person-centred review questions, working and not working from "
            "every perspective, actions, and the top two of each for commissioning.",
    when_to_use="At every annual review and whenever a review is triggered.",
    layout="review",
    sections=(
        _list("participants", "Who took part", "Who is at the review, and who did the person invite?"),
        _list("appreciate", "What we appreciate about the person", "What do we like and admire about the person?"),
        _list("important_now", "What is important to the person now", "What is important to the person now?",
              first_person=True),
        _list("important_future", "What is important for the future", "What is important to the person in the "
              "future?", first_person=True),
        _list("best_support", "Best support", "What support does the person need to stay healthy and well?",
              specific_actions=True),
        _list("questions", "Questions to answer", "What questions are there to answer, and issues to resolve?"),
        _list("working_person", "Working: the person", "What is working from the person's perspective?"),
        _list("not_working_person", "Not working: the person", "What is not working from the person's perspective?"),
        _list("working_family", "Working: family", "What is working from the family's or carer's perspective?"),
        _list("not_working_family", "Not working: family", "What is not working from the family's or carer's "
              "perspective?"),
        _list("working_staff", "Working: staff", "What is working from the staff's and manager's perspective?"),
        _list("not_working_staff", "Not working: staff", "What is not working from the staff's and manager's "
              "perspective?"),
        _list("working_others", "Working: others", "What is working from other people's perspective (health "
              "professionals, care managers)?"),
        _list("not_working_others", "Not working: others", "What is not working from other people's perspective?"),
        _table("actions", "Actions", "What will we do to change what is not working and move towards the future?",
               (Column("what", "What", required=True), Column("who", "Who"), Column("by_when", "By when", "date"))),
        _list("working", "Top two: working", "The two most important things that are working.", max_items=2),
        _list("not_working", "Top two: not working", "The two most important things that are not working.",
              max_items=2),
        _list("future", "Top two: future", "The two most important things the person wants in the future.",
              max_items=2, first_person=True),
    ),
    reflection=(
        "Did the person's voice come first in the meeting and in the record?",
        "Does every action say who will do it and by when?",
        "Which of the top two statements should reach the commissioners?",
    ),
)

ACTION_PLAN = Tool(
    key="action_plan",
    title="Action plan",
    purpose="Goals in the person's words, and small steps with who, what, by when and how confident we are.",
    when_to_use="After a review or planning conversation, and whenever a goal needs a route to get there.",
    layout="plan",
    sections=(
        _table("goals", "Goals", "What does the person want to achieve, in their own words?",
               (Column("outcome", "Outcome (in my words)", required=True),
                Column("status", "Status", "choice", GOAL_STATUSES),
                Column("review_date", "Review date", "date")),
               "'I want to go to the local shop without panicking.'"),
        _table("actions", "Steps", "What are the steps, who does them, by when, and how confident are we?",
               (Column("what", "What", required=True),
                Column("who", "Who"),
                Column("by_when", "By when", "date"),
                Column("confidence", "Confidence (1-10)", "number", minimum=1, maximum=10),
                Column("status", "Status", "choice", ACTION_STATUSES),
                Column("barriers", "Barriers"),
                Column("support_needed", "Support needed")),
               "If confidence is below 6, make the step smaller or add support.",
               "Graded steps: prepare, walk part-way, pause, return."),
        _list("review_triggers", "Review this plan early if", "What would make us review this plan before its date?",
              *REVIEW_TRIGGERS),
    ),
    reflection=(
        "Is each goal written in the person's own words?",
        "Where confidence is low, how could the step be made smaller?",
        "What would make us review this plan before its date?",
    ),
)

#: Every tool, in the order pages and lists show them.
TOOLS: dict[str, Tool] = {
    tool.key: tool
    for tool in (
        ONE_PAGE_PROFILE,
        IMPORTANT_TO_FOR,
        WORKING_NOT_WORKING,
        RELATIONSHIP_CIRCLE,
        DOUGHNUT,
        COMMUNICATION_CHART,
        LEARNING_LOG,
        GOOD_DAY_BAD_DAY,
        PERFECT_WEEK,
        DECISION_MAKING,
        MATCHING_SUPPORT,
        FOUR_PLUS_ONE,
        PRESENCE_TO_CONTRIBUTION,
        PERSON_CENTRED_REVIEW,
        ACTION_PLAN,
    )
}


def get_tool(key) -> Tool:
    """The tool with this key, or UnknownTool listing the keys there are."""
    if isinstance(key, str) and key in TOOLS:
        return TOOLS[key]
    raise UnknownTool(f"{key!r} is not a tool; the tools are: {', '.join(TOOLS)}.")
