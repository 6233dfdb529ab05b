"""Example documents drawn from the guidance's people, for the demo data and for teaching.

Pat, Arthur, Kevin, Michael, Maureen, Graham and Julia are the people of the Department of
Health guidance ("Personalisation through person-centred planning"); Sam is the child of the
inclusion service's leaflet (seed 004); the action plan follows the shop-walk example of
the providers' article (seed 000). Their words are summarised, not pasted, and details the
guidance does not give (Kevin's circle, Pat's week, Sam's review, the dates) are invented.
Every tool has one example, so every teaching page can show the tool finished.
"""

from __future__ import annotations

from pcp_widgets.tools.model import Document, document_from_dict

#: Fixed stamps, so the examples (and the demo database) are the same on every machine.
_STAMP = "2026-01-15T10:00:00+00:00"


def _example(tool: str, person: str, title: str, contributors: list[dict], **sections) -> Document:
    return document_from_dict(
        {"tool": tool, "person": person, "title": title, "created": _STAMP, "updated": _STAMP,
         "contributors": contributors, **sections}
    )


PAT_PROFILE = _example(
    "one_page_profile", "Pat", "Pat's one-page profile",
    [{"name": "Pat", "relationship": "herself"}, {"name": "Su", "relationship": "daughter"}],
    appreciation=[
        "Bubbly and confident.",
        "Independent.",
        "Always looks lovely: a classy lady.",
        "Never lets her illness get her down.",
        "A good friend and a good listener.",
        "A cracking sense of humour.",
        "Selfless, and lives life to the full.",
    ],
    important_to=[
        "Talking to and spending time with my daughter Su and my granddaughter Jessica every day, "
        "and our sleep-overs.",
        "Seeing my friends and neighbours and being part of my local community.",
        "A nice home, with the garden looked after by the gardener.",
        "Looking my best in nice clothes and jewellery, and having my hair done at the local hairdresser "
        "on senior day.",
        "Always having enough food in the house, and some money in my purse.",
        "Getting out and about on my scooter to do some shopping locally.",
        "A holiday by the sea, sitting on the beach in the sun, at least once a year.",
        "My weekly TV magazine, Strictly, good food, gardening and drawing.",
        "The odd glass of Liebfraumilch.",
        "Pottering about, making my own decisions and being organised.",
        "Riding a Harley Davidson for my 70th birthday.",
    ],
    best_support=[
        "Share your day with me: tell me what you have been doing.",
        "Do not talk to me about my illness unless I bring it up.",
        "Tell me how Su is managing; I worry if I think she has too much to cope with.",
        "Allow me at least an hour to get ready in the morning; never hurry me.",
        "If I am out of breath, wait quietly beside me; do not fuss.",
        "From November to March, check each morning whether I need more help; the cold affects my breathing.",
        "Go with Su and me to the supermarket once a week so I can use a scooter trolley for the big shop.",
        "Make sure I get out at least once a week.",
    ],
)

ARTHUR_WORKING = _example(
    "working_not_working", "Arthur", "Arthur: working and not working",
    [{"name": "Arthur", "relationship": "himself"}, {"name": "Stephen", "relationship": "nephew"},
     {"name": "Sally", "relationship": "Stephen's wife"}, {"name": "Gill", "relationship": "planning coordinator"}],
    statements=[
        {"text": "Friday evenings with Stephen, Sally and the children.", "perspective": "person", "side": "working"},
        {"text": "Stephen phoning me at 5pm every day.", "perspective": "person", "side": "working"},
        {"text": "My dinner left lukewarm and just a sandwich for lunch.", "perspective": "person",
         "side": "not_working"},
        {"text": "Nobody to talk to at meal times.", "perspective": "person", "side": "not_working"},
        {"text": "People telling me to take off my wool bob hat.", "perspective": "person", "side": "not_working"},
        {"text": "Sally can make frozen meals for staff to heat.", "perspective": "family", "side": "working"},
        {"text": "Late-night phone calls when Arthur cannot find the £10 note he keeps in his pocket.",
         "perspective": "family", "side": "not_working"},
        {"text": "Arthur sticks to his routines; they help him make sense of his day.", "perspective": "staff",
         "side": "working"},
        {"text": "Arthur hits out with his stick when woken by being shaken; he cannot see who it is.",
         "perspective": "staff", "side": "not_working"},
        {"text": "Arthur sometimes goes out late at night, confused, which is not safe.", "perspective": "staff",
         "side": "not_working"},
    ],
)

KEVIN_TO_FOR = _example(
    "important_to_for", "Kevin", "Kevin: important to and important for",
    [{"name": "Kevin", "relationship": "himself"}, {"name": "Kevin's social worker", "relationship": "social worker"}],
    important_to=[
        "Cycling, and fixing bikes.",
        "Having work to do and a routine to my week.",
        "Seeing people and having a laugh with them.",
        "Running my own business one day, training cycle mechanics.",
    ],
    important_for=[
        "Keeping well, and using mental health services only when I am unwell.",
        "A steady routine, which keeps my mood stable.",
        "Respite money set aside in case things get too much.",
    ],
    balance=[
        "Use the personal budget for my trade qualification as a cycle mechanic.",
        "Put some of the budget towards the costs of setting up my business.",
        "Agree with me the early signs that I am becoming unwell, and what I want people to do then.",
    ],
    questions=["What would I need to set up in business, and who could advise me?"],
)

KEVIN_CIRCLE = _example(
    "relationship_circle", "Kevin", "Kevin's relationship circle",
    [{"name": "Kevin", "relationship": "himself"}],
    people=[
        {"name": "Mum", "group": "family", "ring": 1, "note": "Sunday dinners"},
        {"name": "Our Lee (brother)", "group": "family", "ring": 2, "note": ""},
        {"name": "Aunt Carol", "group": "family", "ring": 3, "note": ""},
        {"name": "Dev", "group": "friends", "ring": 1, "note": "rides with me on Saturdays"},
        {"name": "Marcus", "group": "friends", "ring": 2, "note": ""},
        {"name": "Neighbour Ann", "group": "friends", "ring": 3, "note": ""},
        {"name": "Social worker", "group": "paid", "ring": 2, "note": "plans with me"},
        {"name": "Community nurse", "group": "paid", "ring": 3, "note": ""},
        {"name": "GP", "group": "paid", "ring": 4, "note": ""},
        {"name": "Cycling club", "group": "community", "ring": 2, "note": "Thursday nights"},
        {"name": "College tutor", "group": "community", "ring": 3, "note": "cycle mechanic course"},
        {"name": "Bike shop owner", "group": "community", "ring": 4, "note": ""},
    ],
)

MICHAEL_COMMUNICATION = _example(
    "communication_chart", "Michael", "Michael's communication chart",
    [{"name": "Michael's support team", "relationship": "staff"}],
    rows=[
        {"when": "Any time", "person_does": "Michael yells and pounds on his wheelchair tray while staring at "
         "one spot.", "we_think_it_means": "Something is out of place or there is mess he cannot bear.",
         "we_should": "Ask him if something is out of place, look where he is staring, and put it back."},
        {"when": "At meal times", "person_does": "Michael pushes his plate away.",
         "we_think_it_means": "He has had enough.", "we_should": "Take the plate away and offer a drink."},
        {"when": "In the morning", "person_does": "Michael smiles and rocks when his music is on.",
         "we_think_it_means": "He is happy and ready to start the day.",
         "we_should": "Leave the music playing while we help him get up."},
    ],
)

SHOP_WALK_PLAN = _example(
    "action_plan", "Jo", "Jo's action plan: going to the shop",
    [{"name": "Jo", "relationship": "herself"}, {"name": "Priya", "relationship": "key worker"}],
    goals=[{"outcome": "I want to go to the local shop without panicking.", "status": "in_progress",
            "review_date": "2026-03-01"}],
    actions=[
        {"what": "Plan the walk together: the route, the agreed return point and a phone check-in.",
         "who": "Jo and Priya", "by_when": "2026-01-20", "confidence": 8, "status": "done",
         "barriers": "", "support_needed": ""},
        {"what": "Walk to the post box, pause for two minutes, then come home. Twice a week.",
         "who": "Jo with Priya", "by_when": "2026-02-01", "confidence": 7, "status": "in_progress",
         "barriers": "Busy road at the corner", "support_needed": "Priya walks beside Jo"},
        {"what": "Walk to the shop door, pause, and come home. Priya waits at the return point.",
         "who": "Jo; Priya at the return point", "by_when": "2026-02-15", "confidence": 5,
         "status": "not_started", "barriers": "Worried about queues", "support_needed": "Agreed words for when "
         "anxiety rises: 'We can stop here and breathe.'"},
        {"what": "Buy one thing at the shop on my own while Priya waits outside.", "who": "Jo",
         "by_when": "2026-03-01", "confidence": 3, "status": "not_started", "barriers": "", "support_needed": ""},
    ],
    review_triggers=["An incident", "The person or a carer asks for a review"],
)

MAUREEN_DOUGHNUT = _example(
    "doughnut", "Maureen", "Maureen in hospital: who does what",
    [{"name": "Maureen's key worker", "relationship": "key worker"}, {"name": "Ward sister", "relationship": "nurse"}],
    context="Maureen's key worker, while Maureen is in hospital and the nurses are struggling to talk with her.",
    core=[
        "Go to the ward on the day Maureen is admitted and show the nurses how to talk with her.",
        "Speak close to her right ear in a loud voice, using the gestures Maureen knows.",
        "Write Maureen's one-page profile and give it to the nurse in charge before the next shift.",
    ],
    judgement=[
        "Which familiar things to bring from home so the ward feels less strange.",
        "How often to visit, and at which times Maureen is most settled.",
    ],
    not_ours=["Deciding her medical treatment: that is for the doctors and nurses, with Maureen."],
)

ARTHUR_GOOD_DAY = _example(
    "good_day_bad_day", "Arthur", "Arthur: a good day and a bad day",
    [{"name": "Arthur", "relationship": "himself"}, {"name": "Stephen", "relationship": "nephew"}],
    good_day=[
        "I get up in my own time and put my wool bob hat on.",
        "A hot dinner, with someone to chat to while I eat it.",
        "Stephen phones me at 5pm, as he always does.",
        "It is Friday and I go to Stephen and Sally's for the evening.",
    ],
    bad_day=[
        "Someone wakes me by shaking me and I cannot see who it is.",
        "My dinner is lukewarm and I eat it on my own.",
        "I cannot find the £10 note I keep in my pocket.",
    ],
    what_makes_the_difference=[
        "Staff say their name and wait for Arthur to answer before touching him, every time they wake him.",
        "Staff heat one of Sally's frozen meals at 12:30 and sit with Arthur while he eats.",
        "Staff check at bedtime that the £10 note is in Arthur's trouser pocket and tell him it is there.",
    ],
)

PAT_WEEK = _example(
    "perfect_week", "Pat", "Pat's perfect week",
    [{"name": "Pat", "relationship": "herself"}, {"name": "Su", "relationship": "daughter"}],
    week=[
        {"day": "Monday", "morning": "An hour to get ready, no rush", "afternoon": "Gardening, a little",
         "evening": "Phone call with Su and Jessica"},
        {"day": "Tuesday", "morning": "Hairdresser on senior day", "afternoon": "Coffee with a neighbour",
         "evening": "TV magazine and a quiz show"},
        {"day": "Wednesday", "morning": "Out on my scooter to the local shops", "afternoon": "Drawing",
         "evening": "Jessica comes for tea"},
        {"day": "Thursday", "morning": "Supermarket big shop with Su", "afternoon": "Rest and potter",
         "evening": "Strictly with a glass of Liebfraumilch"},
        {"day": "Friday", "morning": "Pottering about the house", "afternoon": "Visit friends nearby",
         "evening": "Fish supper"},
        {"day": "Saturday", "morning": "", "afternoon": "Garden centre with Su",
         "evening": "Sleep-over with Jessica"},
        {"day": "Sunday", "morning": "A slow breakfast", "afternoon": "Sunday dinner at Su's",
         "evening": "Planning next year's holiday by the sea"},
    ],
)

JULIA_DECISIONS = _example(
    "decision_making", "Julia", "Julia's decision-making profile",
    [{"name": "Julia", "relationship": "herself"}, {"name": "Support planner", "relationship": "planner"}],
    how_i_like_information=[
        "I like to see the whole year's budget figure in writing before we start.",
        "Give me the facts and the costs, and let me ask questions.",
    ],
    best_way_to_offer_choices=[
        "Offer me the real options with their costs, and leave me time to think them over.",
    ],
    help_me_understand=["Put the options side by side on paper so I can compare them."],
    good_times=["Mornings, after my personal care, when my breathing is easiest."],
    bad_times=["When I have just come home from hospital and am tired."],
    agreement=[
        {"decision": "How my personal budget is spent", "how_i_am_involved": "I decide, with my support planner",
         "who_decides": "Me"},
        {"decision": "Who comes through my door to support me", "how_i_am_involved": "I interview and choose",
         "who_decides": "Me"},
        {"decision": "Adapting the house (ramps, patio)", "how_i_am_involved": "I decide with my husband",
         "who_decides": "Me and my husband"},
    ],
)

MICHAEL_MATCHING = _example(
    "matching_support", "Michael", "Matching support for Michael",
    [{"name": "Michael's support team", "relationship": "staff"}],
    support_wanted=["Help to get up, wash and dress each morning.",
                    "Someone who keeps his things where he expects them."],
    skills_needed=["Reading Michael's communication chart and acting on it.",
                   "Moving and handling with a wheelchair."],
    characteristics_wanted=["Calm and unhurried.", "Tidy and careful.", "Patient when Michael is upset."],
    characteristics_not_wanted=["Loud or rushed.", "Leaves things lying about."],
    shared_interests=["Music, to play while he gets up."],
)

GRAHAM_LOG = _example(
    "learning_log", "Graham", "Graham's learning log",
    [{"name": "Graham's support team", "relationship": "staff"}],
    entries=[
        {"date": "2026-01-05", "activity": "Jigsaw morning at the day service", "who_was_there": "Day service staff",
         "worked_well": "", "did_not_work": "Graham pushed the pieces away after a few minutes.",
         "learned": "Repeating the same activity is not engaging him; try something with a purpose."},
        {"date": "2026-01-12", "activity": "Sorting and delivering the post at the day service office",
         "who_was_there": "Office manager and key worker", "worked_well": "Graham smiled, stayed on task "
         "for an hour, and watched people come and go.", "did_not_work": "The trolley was too low to reach.",
         "learned": "He enjoys office work with people around; raise the trolley next time."},
    ],
)

GRAHAM_FOUR_PLUS_ONE = _example(
    "four_plus_one", "Graham", "Graham: 4 plus 1 questions",
    [{"name": "Graham's support team", "relationship": "staff"}],
    tried=["Jigsaws and other repeated day service activities.", "A morning helping in the office."],
    learned=["Graham is happier and more communicative when he has real work to do with people around."],
    pleased=["He stayed on task for an hour in the office and was smiling."],
    concerned=["The day service cannot offer office work every week."],
    next=["Key worker books Graham a job centre interview for office work by the end of the month."],
)

KEVIN_CONTRIBUTION = _example(
    "presence_to_contribution", "Kevin", "Kevin: presence to contribution",
    [{"name": "Kevin", "relationship": "himself"}],
    rows=[
        {"place_or_activity": "Cycling club", "how_often": "Thursday nights", "who_with": "Dev and the club",
         "contribution_now": "Rides with the group", "contribution_possible": "Runs the club's bike repair night"},
        {"place_or_activity": "College", "how_often": "Twice a week", "who_with": "Tutor and classmates",
         "contribution_now": "Learning to be a cycle mechanic", "contribution_possible": "Helps newer students"},
        {"place_or_activity": "Local bike shop", "how_often": "Now and then", "who_with": "The owner",
         "contribution_now": "Buys parts", "contribution_possible": "Work placement fixing bikes"},
    ],
)

SAM_REVIEW = _example(
    "person_centred_review", "Sam", "Sam's person-centred review",
    [{"name": "Sam", "relationship": "himself"}, {"name": "Sam's mum", "relationship": "parent"},
     {"name": "Class teacher", "relationship": "school"}],
    participants=["Sam", "Sam's mum and dad", "Class teacher", "Physiotherapist"],
    appreciate=["Sam is kind to younger children.", "He never gives up on a hard puzzle."],
    important_now=["Playing football with my friends at break.", "My dog, Biscuit."],
    important_future=["Going to the same secondary school as my friends."],
    best_support=["Physiotherapy exercises each morning before school, with mum, for ten minutes."],
    questions=["What help will Sam need with the move to secondary school?"],
    working_person=["I like my teacher."],
    not_working_person=["Reading out loud in class."],
    working_family=["Sam's reading has got better this term."],
    not_working_family=["Getting to school on time when physiotherapy runs late."],
    working_staff=["Sam joins in group work."],
    not_working_staff=["Sam gets tired by the afternoon."],
    working_others=["His physiotherapy programme is helping his balance."],
    not_working_others=[],
    actions=[
        {"what": "Ask for school transport so Sam arrives on time.", "who": "Class teacher",
         "by_when": "2026-02-15"},
        {"what": "Let Sam read to the teacher on his own instead of aloud to the class.", "who": "Class teacher",
         "by_when": "2026-02-01"},
        {"what": "Visit the secondary school with Sam and his friends.", "who": "Sam's mum",
         "by_when": "2026-06-30"},
    ],
    working=["Sam's reading has got better.", "Physiotherapy is helping his balance."],
    not_working=["Getting to school on time.", "Reading out loud in class."],
    future=["Going to secondary school with my friends.", "Playing football for a team."],
)

#: Every example, in the order the demo data stores them.
EXAMPLES: tuple[Document, ...] = (
    PAT_PROFILE, ARTHUR_WORKING, KEVIN_TO_FOR, KEVIN_CIRCLE, MICHAEL_COMMUNICATION, SHOP_WALK_PLAN,
    MAUREEN_DOUGHNUT, ARTHUR_GOOD_DAY, PAT_WEEK, JULIA_DECISIONS, MICHAEL_MATCHING, GRAHAM_LOG,
    GRAHAM_FOUR_PLUS_ONE, KEVIN_CONTRIBUTION, SAM_REVIEW,
)


def example_for(tool: str) -> Document | None:
    """The first example of a tool (every tool has one; None only for an unknown key)."""
    return next((example for example in EXAMPLES if example.tool == tool), None)
