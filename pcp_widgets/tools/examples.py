"""Example documents drawn from the guidance's people, for the demo data and for teaching.

Pat, Arthur, Kevin and Michael are the people of the Department of Health guidance
("Personalisation through person-centred planning"); the action plan follows the shop-walk
example of the providers' article (seed 000). Their words are summarised, not pasted, and
details the guidance does not give (Kevin's circle, the dates) are invented.
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

#: Every example, in the order the demo data stores them.
EXAMPLES: tuple[Document, ...] = (
    PAT_PROFILE, ARTHUR_WORKING, KEVIN_TO_FOR, KEVIN_CIRCLE, MICHAEL_COMMUNICATION, SHOP_WALK_PLAN,
)


def example_for(tool: str) -> Document | None:
    """The first example of a tool, if the guidance gives one."""
    return next((example for example in EXAMPLES if example.tool == tool), None)
