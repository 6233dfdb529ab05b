"""The plan-language check (docs/domain.md, "Plan language"): generic wording, the person's voice, copy-paste reviews.

The guidance's warning is that plans drift into generic statements ("promotes
independence", "supports choice") that cannot be evidenced, and that reviews repeat the
same wording without showing change. A quality lead needs to see *why* a statement was
flagged and how to fix it, and to trust the check, so it is a small set of declared,
explainable rules rather than a model:

* :data:`VAGUE` lists the phrasing care staff really write that says what is hoped for
  rather than what to do ("encourage", "as required", "service user", "monitor mood"),
  each with a weight, the reason it is a problem and a suggestion.
* :data:`DETAIL` lists the signs that a statement *can* be delivered by a new staff member
  on day one: a time or day, a number, the person's own words in quotes, a condition
  ("if I say..."), a concrete action ("knock", "sit with me"), a "never" or "don't".

* :func:`gives` says which of when (a time, a day, how often, what prompts it), how (the
  way it is done) and who (a named helper) a statement gives, with the words that give each.

A statement is generic when the weights of the vague rules it breaks add up to at least
the number of kinds of detail it has, or when it has no vague phrasing and either no detail
at all ("Care plan reviewed.") or none of when, how and who: staff write short plain
statements such as "Take Mary shopping." that name a real task in plain words, and a new
staff member still would not know when to do it or how Mary likes it done. So "Encourage
fluids" and "Take Mary shopping." are generic, and "Encourage me to drink by putting a glass
of squash by my chair every hour" and "Take Mary to Tesco on Fridays at 10am." are not.
Everything runs locally; nothing is sent anywhere.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

import numpy as np

if TYPE_CHECKING:
    import pandas as pd  # imported by the functions over many statements, below: the tool editors and the
    # practice pages check one statement at a time, and their pages open half a second sooner without it

from pcp_widgets.audit.schema.sheets import REVIEW_STATEMENTS
from pcp_widgets.errors import UnreadableFile


@dataclass(frozen=True)
class Rule:
    """One kind of vague phrasing: the phrases (regular expressions), how much it weighs, why, and the fix."""

    name: str
    phrases: tuple[str, ...]
    weight: int
    reason: str
    suggestion: str

    @property
    def pattern(self) -> re.Pattern:
        return _compiled(self.phrases)


def _compiled(phrases: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w'])(?:" + "|".join(phrases) + r")(?![\w'])", re.IGNORECASE)


_ENDINGS = r"(?:e|es|ed|ing|s)?"
_GOALS = (r"independen(?:ce|t)", "dignity", "choice(?:s)?", r"well-?being", "privacy", "respect", "rights",
          r"(?:social )?inclusion", "health", "safety", "self-esteem", "confidence", "empowerment",
          "positive behaviour", "autonomy", "safe")

#: The vague phrasing, strongest first. A statement is generic when the weights of the rules it
#: breaks add up to at least the number of kinds of :data:`DETAIL` it has: a weight-2 phrase
#: ("monitor", "promote independence") needs three kinds of detail to be forgiven.
VAGUE: tuple[Rule, ...] = (
    Rule("aim_not_action",
         (rf"(?:promot|support|maintain|encourag|respect|protect|uphold|enabl|increas|improv|keep|kept){_ENDINGS}"
          rf"(?: (?:his|her|their|my|the|a|good|positive|him|them|me))? (?:{'|'.join(_GOALS)})",
          rf"(?:{'|'.join(_GOALS)}) (?:is|are|will be) (?:promoted|maintained|respected|supported)",
          "person[- ]centred(?: care| way| manner| approach)?", "holistic(?:ally)?", r"best interests?"),
         2, "It names an aim (such as independence, dignity or choice), not something staff do.",
         "Write the action that achieves the aim for this person: what they do themselves, what staff "
         "do, and when (for example 'Hand me the flannel; I wash my face, you do my back')."),
    Rule("needs_met",
         (r"(?:meet|met)(?: all| his| her| their| my)?(?: care| support)? needs", r"needs (?:are|being) met",
          r"all (?:aspects of|daily living|care)\w*", r"all (?:his|her|their|my) needs"),
         2, "It promises to meet needs without saying which needs or how.",
         "Name each need and the support for it, one line each (for example 'Cut my food into "
         "bite-sized pieces in the kitchen')."),
    Rule("monitoring",
         (rf"monitor{_ENDINGS}", r"observ(?:e|es|ed|ing)", r"keep an eye on", r"check on", r"be aware of",
          r"watch(?:es|ed|ing)? (?:for|out)"),
         2, "It asks staff to watch without saying what to look for or what to do about it.",
         "Say what to look for, when to check, where to record it and what to do if you see it "
         "(for example 'If I rub my jaw, ask if I have toothache and offer my PRN paracetamol')."),
    Rule("emotional_support",
         (r"emotional support", r"reassur(?:e|es|ed|ing|ance)", r"de-?escalat\w*", r"distraction techniques?",
          r"(?:manage|managing) (?:his|her|their|my )?(?:behaviours?|anxiety|distress|mood)"),
         2, "It names a kind of support without the words or actions that help this person.",
         "Write what staff say and do, in order (for example \"Say 'you're safe, I'm here', sit "
         "beside me and hold my hand until I stop shaking\")."),
    Rule("judgement_word",
         (r"appropriate(?:ly)?", r"effective(?:ly)?", r"adequate(?:ly)?", r"sufficient(?:ly)?", r"suitable",
          r"relevant", r"proper(?:ly)?", r"safely", r"enough", r"lots of", r"plenty of",
          r"as much as possible"),
         2, "It relies on a judgement word ('appropriate', 'adequate') that each staff member will read "
            "differently.",
         "Say what that looks like for this person (for example 'Use short sentences and wait for "
         "me to answer' rather than 'appropriate communication')."),
    Rule("points_elsewhere",
         (r"as per(?: the| his| her| their| my)?(?: care plan| plan| policy| mar(?: chart)?| funding| risk "
          r"assessment| guidelines?| protocol)?", r"in line with(?: the)?(?: care plan| plan| policy| guidance)",
          r"follow(?:s|ing)?(?: the| his| her| their)? (?:risk assessment|care plan|policy|guidance|protocol)"),
         1, "It points to another document instead of saying what to do.",
         "Write the instruction here, in a sentence: a new staff member may not have the other "
         "document to hand."),
    Rule("when_needed",
         ("as required", "when required", "if required", "as needed", "when needed", "if needed",
          "as and when(?: needed| required)?", "where possible", "if possible", "when possible",
          "as appropriate", "where appropriate", "when appropriate", "as necessary", "when necessary",
          "if necessary", "at all times", r"prn"),
         1, "It leaves when to help up to whoever is on shift ('as required', 'where possible').",
         "Say when: a time, or the sign that shows help is needed (for example 'If I haven't "
         "come down by 9:30, knock and ask if I want breakfast in my room')."),
    Rule("vague_frequency",
         (r"regular(?:ly)?", "frequently", "often", "periodically", "routinely", "from time to time",
          "occasionally", r"throughout the (?:day|night)", "at intervals"),
         2, "It gives no frequency a new staff member could follow ('regularly', 'throughout the day').",
         "Give the times or a number: 'every two hours', 'at 10pm and 2am', 'after each meal'."),
    Rule("vague_verb",
         (rf"encourag{_ENDINGS}", rf"promot{_ENDINGS}", rf"ensur{_ENDINGS}", r"make sure", rf"maintain{_ENDINGS}",
          rf"facilitat{_ENDINGS}", rf"enabl{_ENDINGS}", rf"empower{_ENDINGS}", rf"manag{_ENDINGS}",
          rf"prompt{_ENDINGS}", rf"provid{_ENDINGS}",
          r"(?:support|assist|help)(?:s|ed|ing)?(?: (?:him|her|them|client|resident|jim|\w+))? (?:with|to)",
          r"(?:support|assistance|help)(?: (?:him|her|them))? with", r"to be supported", r"offer support"),
         1, "Its verb ('encourage', 'support with', 'ensure') says what staff hope for, not what they do.",
         "Say how, step by step: what staff say or do, which parts the person does themselves, "
         "and when (for example 'At lunch, put a glass of squash by my plate and ask if I'd like more')."),
    Rule("service_language",
         (r"service users?", r"(?-i:SU)", r"clients?(?:'s)?", r"residents?", r"patients?", r"the individual",
          r"requires?(?: full)? (?:support|assistance|help)", r"needs? (?:support|assistance|help)"),
         1, "It talks about the person as a case ('service user', 'requires support') rather than to them.",
         "Write it in the person's voice ('I', 'my') or use the name they like, and say what "
         "the support is."),
    Rule("category_not_task",
         (r"personal care", r"(?:healthy|balanced|nutritious) (?:diet|eating|choices|lifestyle(?: choices)?)",
          r"healthy", r"fluids?(?: intake)?", r"food and fluid", r"mood", r"behaviours?(?: that challenge)?",
          r"challenging behaviour", r"(?:meaningful |social |daily )?activities", r"daily living(?: skills| tasks)?",
          r"continence(?: needs)?", r"mobility", r"skin integrity", r"oral hygiene", r"personal hygiene",
          r"domestic tasks", r"household tasks", r"finances", r"appointments", r"needs", r"risks?",
          r"(?:safe|homely) environment", r"sleep routine", r"community",
          r"communication"),
         1, "It names a category of care ('personal care', 'healthy diet', 'mood') rather than the task.",
         "Name the actual thing: which part of washing, which foods, which signs of low mood, "
         "and what staff do about each."),
    Rule("manner_not_behaviour",
         (r"(?:lots of |plenty of )?praise",
          r"(?:staff )?(?:to|should|must|will) be (?:patient|kind|caring|understanding|respectful|supportive"
          r"|sensitive|friendly|calm|aware)(?: and (?:patient|kind|caring|understanding|respectful))?",
          r"(?:treat(?:ed)?|treat (?:him|her|them|me)) with (?:respect|dignity)(?: and (?:respect|dignity))?",
          r"in a (?:dignified|sensitive|respectful|caring|safe) (?:manner|way)",
          r"(?:respect|respects|respecting) (?:his |her |their |my )?(?:choices|wishes)",
          r"give choices?", r"offer choices?"),
         1, "It describes an attitude ('be patient', 'appropriate') rather than what staff do.",
         "Describe the behaviour a visitor could see (for example 'Wait for me to answer; don't "
         "finish my sentences')."),
)

#: Signs that a statement can be delivered and evidenced: each kind counts once.
DETAIL: dict[str, tuple[str, ...]] = {
    "a time or day": (
        r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)", r"\d{1,2}:\d{2}", r"o'clock", "midday", "midnight",
        r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?", "weekends?", "weekdays?",
        r"breakfast", r"lunch(?:time)?", "tea", "dinner", "supper", "bedtime", "bed", r"mornings?",
        r"evenings?", "afternoons?", "tonight", "tomorrow", r"(?:at|each|every|last thing at) night",
        r"each (?:day|week|meal)", r"every (?:day|meal|hour|week|\w+ hours?)", r"after (?:each|every) meal",
    ),
    "a number": (
        r"£?(?<![:\d])\d+(?:\.\d+)?(?![:\d])", "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten", "fifteen", "twenty", "thirty", "once", "twice", "half", "first", "second", "third", "next",
    ),
    "the person's own words": (r"'(?:[^']|(?<=\w)'(?=\w)){2,}'", r'"[^"]{2,}"', r"‘[^’]{2,}’",
                               r"“[^”]{2,}”"),
    "a condition": (r"if", "when", "whenever", "until", "unless", "before", "after", "as soon as", "while"),
    "a firm rule": (r"never", r"don't", r"do not", r"not (?:in|at|on|to|the|a|\d+\w*)", "rather than", "instead",
                    "only", "always"),
    "who helps": (r"(?:female|male|same|familiar|regular|two) staff(?: members?)?", r"my key ?worker",
                  r"staff (?:i know|who know me)", r"the same (?:person|carer|staff member)"),
    "what the person does themselves": (r"i can", r"i do", r"i'll", r"myself", r"on my own", r"you do",
                                        r"by myself"),
    "a named thing": (
        r"buttons?", r"zips?", r"doors?", r"curtains?", r"bath", r"shower", r"towels?", r"flannel", r"sink",
        r"kettle", r"mugs?", r"cups?", r"glass(?:es)?", r"plates?", r"bowls?", r"spoons?", r"tray", r"pot",
        r"blister pack", r"whiteboard", r"radio", r"tv", r"telly", r"remote", r"hearing aids?", r"keys?",
        r"coat", r"shoes", r"socks", r"slippers", r"bag", r"purse", r"wallet", r"phone", r"laptop", r"bus",
        r"taxi", r"car", r"minibus", r"chair", r"pillows?", r"light", r"lamp", r"walking frame", r"stick",
        r"wheelchair", r"hoist", r"commode", r"razor", r"toothbrush", r"comb", r"cream", r"photos?",
        r"calendar", r"diary", r"list", r"notebook", r"money", r"£\d+", r"fridge", r"cupboard", r"drawer",
        r"bedside table", r"garden", r"kitchen", r"hallway", r"lounge"),
    "a concrete action": (
        "knock", "call", "say", "tell", "ask", "show", "hand", "give", "put", "leave", "sit", "stand", "wait",
        "walk", "take", "bring", "run", "cut", "pour", "stir", "lay", "turn", "open", "close", "read", "write",
        "text", "phone", "ring", "play", "fill", "warm", "brush", "hold", "step back", "point", "sign", "let me",
        "speak", "remind", "check", "offer (?:me )?(?:a|an|two|three|the)", "use", "make", "serve", "stay",
        "go", "keep", "set", "lock", "record", "time", "tick", "move", "share", "introduce", "add", "swap",
    ),
}

#: A statement without any of these is staff's view of the person, not their voice.
FIRST_PERSON = _compiled((r"i", r"i'm", r"i've", r"i'd", r"i'll", r"me", r"my", r"mine", r"myself"))
#: Words that show a statement is written about the person: a third-person opening ("She enjoys...",
#: "His family...") or the language of services anywhere ("service user likes...").
THIRD_PERSON = re.compile(r"^(?:he|she|they|his|her|their|him|them)\b|(?<![\w'])(?:service users?|(?-i:SU)|clients?"
                          r"|residents?|the individual)(?![\w'])", re.IGNORECASE)
#: Third-person verbs and pronouns with their first-person forms: to spot "Likes football." and
#: "Margaret loves gardening.", and to suggest "I like football." instead.
_VERBS = {"likes": "like", "enjoys": "enjoy", "loves": "love", "prefers": "prefer", "hates": "hate",
          "dislikes": "dislike", "wants": "want", "needs": "need", "is": "am", "has": "have", "does": "do",
          "doesn't": "don't", "gets": "get", "goes": "go", "finds": "find", "feels": "feel", "values": "value"}
_PRONOUNS = {"he": "I", "she": "I", "they": "I", "his": "my", "their": "my", "him": "me", "them": "me",
             "himself": "myself", "herself": "myself", "themselves": "myself"}
_VERB = "(?:" + "|".join(map(re.escape, _VERBS)) + ")"
_TITLE = r"(?:(?:mr|mrs|ms|miss|dr)\.? )?"
_ABOUT_THEM = re.compile(rf"^{_TITLE}(?:[A-Z][a-z]+ )?{_VERB}(?![\w'])")
_NAMED_SUBJECT = re.compile(rf"^{_TITLE}(?:service users?|(?-i:SU)|clients?|residents?|[A-Z][a-z]+)(?= {_VERB}(?![\w']))",
                            re.IGNORECASE)
QUOTED = "the person's own words"
_GENERIC_WHEN_BARE = "It says nothing a new staff member could do: no action, no time, no detail."
_GENERIC_WHEN_BARE_FIX = "Add what to do, when, and how, as a new staff member would need it on day one."

# -- when, how and who: what a short plain statement must give --------------------------------
#
# Staff write short plain statements ("Take Mary shopping.") that use none of the vague phrasing
# above and name a real task, yet a new staff member still could not deliver them: they say what
# to do, but not when, how or who. Each list below is a sign that a statement gives one of them;
# a task with none is generic (issue 19). Naming a task, a place it happens ("to the shops") or a
# thing it uses ("his tablets") is not enough: that is the *what*.

_WHEN = (
    # a time or a day
    r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)", r"\d{1,2}:\d{2}", r"(?:\d{1,2}|\w+) o'clock", "midday", "midnight", "noon",
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?", "weekends?", "weekdays?", "bank holidays?",
    r"(?<!good )(?:mornings?|afternoons?|evenings?)", "nights", r"(?:at|by|during the|in the|each|every) night",
    "tonight", "tomorrow", "today", "bedtime", "teatime", "lunchtime", r"meal ?times?", "first thing",
    "last thing",
    # a meal or bed as a time ("after breakfast", not "give Sam his dinner")
    r"(?:at|after|before|during|with|by|until|till|over) (?:his |her |my |their |your |the |\w+'s )?"
    r"(?:breakfast|lunch|tea|dinner|supper|meals?|bed)",
    # how often
    r"every(?: other)? \w+", r"each (?:day|week|month|fortnight|morning|afternoon|evening|night|time|meal|visit|"
    r"hour|shift)", r"(?:once|twice|\w+ times) (?:a|an|each|every|per) \w+", "daily", "weekly", "fortnightly",
    "monthly", "nightly", r"(?:first|second|third|last) \w+ of the month",
    # what prompts it
    "if", "when", "whenever", "until", "till", "unless", "as soon as", "while", r"(?<!look )(?<!looks )(?<!looked )"
    r"(?<!looking )(?:before|after)",
)
_RELATIVES = (r"mum|mother|dad|father|sister|brother|daughter|son|nephew|niece|aunt(?:ie)?|uncle|wife|husband|"
              r"partner|friend|neighbour|cousin|grand(?:son|daughter|ma|pa|mother|father|dad|mum)|nan|key ?worker|"
              r"nurse|volunteer|befriender|advocate|support worker|team leader|manager")
_HOW = (
    r"by (?!the )\w+ing", r"wait(?:s|ing)? for", r"us(?:e|es|ed|ing) (?:a|an|the|his|her|my|their|your|\w+'s) \w+",
    # the way, in a word or a phrase
    r"(?!(?:family|really|likely|lovely|friendly|lonely|ugly|silly|holy|supply|apply|reply|rely|jelly|belly|"
    r"bully|daily|weekly|monthly|nightly|fortnightly|early|only|assembly|elderly|poorly)\b)(?-i:[a-z]{3,}ly)",
    "aloud", "out loud", "in private", "in person", "halfway", "one at a time",
    r"step by step", r"in (?:short|simple|plain) (?:words|sentences)", r"side by side", r"face to face",
    r"(?:just )?(?:the way|how) (?:he|she|they|i|you|\w+) likes? it", r"piping hot", "hot", "cold", "strong",
    "weak", "milky", "first", "last", r"(?:on|to) (?:his|her|my|their|your|the|\w+'s) (?:left|right)",
    r"(?:left|right)(?: hand)? side", "behind", "beside", "next to", "opposite", "facing", r"at eye level",
    # where, in or on something ("in a spoon of yoghurt", "on the radiator"), not where to ("to the shops")
    r"(?:in|on|into|onto|under|by|from|inside|outside|through|at) (?:a|an|the|his|her|my|their|your|\w+'s) "
    r"(?!(?:way|day|time|week|moment)\b)\w+",
    # a choice, a limit, a firm rule, the person's own words, a number
    "which", "whether", "or", r"(?:choose|choice) between", "never", r"don't", "do not", "doesn't",
    r"not (?:in|at|on|by|to|the|a|\d+\w*)",
    "rather than", r"instead(?: of)?", "only", "always", "without",
    *DETAIL[QUOTED],
    r"£?(?<![:\d])\d+(?:\.\d+)?(?![:\d])", "two", "three", "four", "five", "six", "ten", "half", "a couple of",
    # why, which tells how ("so he can lip-read")
    r"so (?:that )?(?:he|she|they|i|you|it|the|his|her|my|\w+ can)",
    # what the person does themselves
    r"let (?:me|him|her|them|(?-i:[A-Z][a-z]+))", r"(?:i|he|she|they) (?:can|do|does)", "myself", "himself",
    "herself", "themselves", r"on (?:my|his|her|their) own", r"you do",
)
_WHO = (
    *DETAIL["who helps"], r"(?:female|male|same|familiar|regular|two|2) (?:carers?|support workers?)",
    r"staff who know (?:him|her|them)",
    rf"(?:my|his|her|their|(?-i:[A-Z][a-z]+)'s) (?:{_RELATIVES})(?: (?-i:[A-Z][a-z]+))?",
    rf"(?:{_RELATIVES}) (?-i:[A-Z][a-z]+)",
)
#: The person doing it, named at the start, with the person they do it for after their verb:
#: "Stephen phones Arthur", "Jo takes him". ("Sam goes to the gym" is Sam doing it, with no helper named.)
_NAMED_HELPER = re.compile(r"^(?!Staff\b)(?-i:[A-Z][a-z]+) (?-i:[a-z]+s) (?:him|her|them|me|(?-i:[A-Z][a-z]+))\b")
#: "with" a thing says how ("with a glass of milk"); with a person it is who is there, and after
#: "help"/"support" it is the task itself ("help Pat with her hair").
_WITH = re.compile(r"(?<![\w'])with (?:(?:a|an|the|his|her|my|their|your|some|\w+'s) )?([\w'£]+)", re.IGNORECASE)
_TASK_WITH = re.compile(r"(?:help|support|assist)(?:s|ed|ing)?(?: \w+)?\s*$", re.IGNORECASE)
_PEOPLE = re.compile(rf"^(?:him|her|them|me|us|you|staff|(?:{_RELATIVES})s?)$", re.IGNORECASE)
_GIVES_PATTERNS = {"when": _compiled(_WHEN), "how": _compiled(_HOW), "who": _compiled(_WHO)}


@dataclass(frozen=True)
class Gives:
    """Which of when, how and who a statement gives, each with the words that give it (empty: not given)."""

    when: tuple[str, ...] = ()
    how: tuple[str, ...] = ()
    who: tuple[str, ...] = ()

    @property
    def missing(self) -> tuple[str, ...]:
        """"when", "how" and "who", those the statement does not give, in that order."""
        return tuple(part for part in ("when", "how", "who") if not getattr(self, part))

    def __bool__(self) -> bool:
        return bool(self.when or self.how or self.who)

    def to_json(self) -> dict:
        return {"when": list(self.when), "how": list(self.how), "who": list(self.who)}


def gives(text: str) -> Gives:
    """Which of when (a time, a day, how often, what prompts it), how (the way it is done) and who
    (a named helper, not just "staff") a statement gives, with the words that give each.

    Vague phrasing explained by :data:`VAGUE` does not count: "when needed" is no time, and
    "regularly" no frequency. Pure and quick (regular expressions only), so a page can call it on
    every keystroke; the practice feedback says from it what a rewrite still lacks.
    """
    text = " ".join(str(text).split())
    return _gives(_blank_out(text, _vague_matches(text)[1]))


def _gives(text: str) -> Gives:
    found = {part: tuple(m.group(0).strip() for m in pattern.finditer(text))
             for part, pattern in _GIVES_PATTERNS.items()}
    how, who = list(found["how"]), list(found["who"])
    for m in _WITH.finditer(text):
        if _TASK_WITH.search(text[:m.start()]):
            continue
        if m.group(1)[:1].isupper() or _PEOPLE.match(m.group(1)):
            continue  # with a person: who is there, or with the person themselves
        how.append(m.group(0))
    helper = _NAMED_HELPER.match(text)
    if helper:
        who.append(helper.group(0))
    return Gives(found["when"], tuple(how), tuple(who))


_NAME = re.compile(r"(?<=[\w,;] )(?-i:[A-Z][a-z]+)(?='s|\b)|^(?-i:[A-Z][a-z]+)(?='s| (?-i:[a-z]+s)\b)")
_NOT_NAMES = frozenset({"Staff", "I", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
                        "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"})


def _who_it_is_for(text: str) -> str:
    """How the reason names the person: "Ken", "I" in a statement in their voice, else "the person"."""
    for m in _NAME.finditer(text):
        if m.group(0) not in _NOT_NAMES:
            return m.group(0)
    return "I" if FIRST_PERSON.search(text) else "the person"


def _is_for_someone(text: str) -> bool:
    """Whether a statement names the person or speaks as them: then it is a task for them, however bare
    ("Help me get dressed."), rather than a note with nothing to do ("Care plan reviewed.")."""
    return _who_it_is_for(text) != "the person"


def _missing_reason(text: str, found: Gives) -> tuple[str, str]:
    """The reason and the fix for a task with no when, how or who, naming the person."""
    person = _who_it_is_for(text)
    likes = "I like" if person == "I" else f"{person} likes"
    reason = f"It says what to do but not when or how: add the time and the way {likes} it done."
    fix = ("Say when (a time, a day, how often, or what prompts it) and how it is done, or who does it; for "
           "example 'Take Mary to Tesco on Fridays at 10am' or 'Knock and wait for Tom to say come in'.")
    return reason, fix


@dataclass
class StatementCheck:
    """What the check found in one statement; ``reasons`` and ``suggestions`` run in parallel."""

    text: str
    generic: bool
    reasons: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    first_person: bool = False
    details: list[str] = field(default_factory=list)
    gives: Gives = field(default_factory=Gives)

    def summary(self) -> str:
        """One readable line: the verdict, the statement and why."""
        verdict = "GENERIC " if self.generic else "specific"
        why = f" — {' '.join(self.reasons)}" if self.reasons else ""
        return f"{verdict}  {self.text}{why}"

    def to_json(self) -> dict:
        """The ``pcp wording --json`` line: the four fields it has always had, then ``gives`` (added for
        issue 19: the words that give when, how and who, each an empty list when not given)."""
        return {"text": self.text, "generic": self.generic, "reasons": self.reasons,
                "first_person": self.first_person, "gives": self.gives.to_json()}


_RULE_PATTERNS = tuple((rule, rule.pattern) for rule in VAGUE)
_DETAIL_PATTERNS = {name: _compiled(phrases) if name != "a concrete action" else _compiled(
    tuple(rf"(?:{verb})(?:s|es|ed|ing|ting|ping|ning)?" for verb in phrases)) for name, phrases in DETAIL.items()}


def check_statement(text: str, *, important_to: bool = False) -> StatementCheck:
    """Check one statement; with ``important_to`` also that it is in the person's own voice."""
    text = " ".join(str(text).split())
    fired, spans = _vague_matches(text)
    unexplained = _blank_out(text, spans)  # "when needed" is vague, not also a condition
    details = [name for name, pattern in _DETAIL_PATTERNS.items()
               if pattern.search(text if name == QUOTED else unexplained)]
    found = _gives(unexplained)
    if fired:
        generic = sum(rule.weight for rule in fired) >= len(details)
    else:
        generic = not important_to and (not details or not found)
    reasons = [rule.reason for rule in fired] if generic else []
    suggestions = [rule.suggestion for rule in fired] if generic else []
    if generic and not fired:
        reasons, suggestions = map(list, zip(_missing_reason(text, found))) if details or _is_for_someone(text) \
            else ([_GENERIC_WHEN_BARE], [_GENERIC_WHEN_BARE_FIX])
    first_person = in_own_voice(text)
    if important_to and not first_person:
        reasons.append("It is not in the person's own voice: 'important to' items read as they would say them.")
        suggestions.append(own_voice_suggestion(text))
    return StatementCheck(text, generic, reasons, suggestions, first_person, details, found)


def vague_rules(text: str) -> list[Rule]:
    """The vague-phrasing rules a statement breaks, strongest first."""
    return _vague_matches(text)[0]


def _vague_matches(text: str) -> tuple[list[Rule], list[tuple[int, int]]]:
    """The rules whose phrasing appears, each once, and where. A phrase already explained by a
    stronger rule is not counted again by a weaker one ("promote independence" is an aim, not
    also a vague verb)."""
    taken: list[tuple[int, int]] = []
    fired = []
    for rule, pattern in _RULE_PATTERNS:
        spans = [m.span() for m in pattern.finditer(text)
                 if not any(m.start() < end and start < m.end() for start, end in taken)]
        if spans:
            fired.append(rule)
            taken.extend(spans)
    return fired, taken


def _blank_out(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def in_own_voice(text: str) -> bool:
    """Whether a statement speaks as the person ("I like...", "my...") and not about them ("She enjoys...")."""
    text = text.strip()
    return bool(FIRST_PERSON.search(text)) and not THIRD_PERSON.search(text) and not _ABOUT_THEM.match(text)


def own_voice_suggestion(text: str) -> str:
    """A rewrite in the first person to start from ("She enjoys her garden" -> "I enjoy my garden")."""
    words = _NAMED_SUBJECT.sub("I", text.strip())
    if re.match(rf"(?i){_VERB}(?![\w'])", words):  # "Likes football." has lost its subject
        words = "I " + words
    tokens = re.split(r"([^\w']+)", words)
    out: list[str] = []
    for position, token in enumerate(tokens):
        lower = token.lower()
        if lower == "her":  # "her brother" -> "my brother", "with her" -> "with me"
            following = "".join(tokens[position + 1:position + 3]).strip()
            out.append("my" if following[:1].isalpha() else "me")
        elif lower in _PRONOUNS:
            out.append(_PRONOUNS[lower])
        elif lower in _VERBS and "".join(out).rstrip().endswith("I"):  # only the verb of "I"
            out.append(_VERBS[lower])
        else:
            out.append(token)
    rewritten = "".join(out)
    return f"Write it as the person would say it, for example: \u201c{rewritten[:1].upper()}{rewritten[1:]}\u201d"


def check_lines(path: str) -> Iterator[StatementCheck]:
    """Check each non-blank line of a text file (``-``: standard input), for ``pcp wording``."""
    if path == "-":
        lines: Iterable[str] = sys.stdin
    else:
        try:
            lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
        except FileNotFoundError:
            raise UnreadableFile(path, "there is no such file.") from None
        except IsADirectoryError:
            raise UnreadableFile(path, "this is a folder, not a text file.") from None
        except UnicodeDecodeError:
            raise UnreadableFile(path, "this is not a text file in UTF-8 (save it as plain text).") from None
        except OSError as error:
            raise UnreadableFile(path, f"it cannot be read ({error.strerror or error}).") from None
    for line in lines:
        if line.strip():
            yield check_statement(line)


# -- many statements at once ----------------------------------------------------------


def is_generic(statements: pd.Series) -> pd.Series:
    """Whether each statement is generic; blanks are False.

    Each distinct text is checked once, and remembered (:func:`_generic`): a check takes
    about a tenth of a millisecond, so a year of free-typed samples costs a second or two
    the first time a page shows them and nothing when it is re-filtered.
    """
    import pandas as pd

    return pd.Series(statement_flags(statements)[1], index=statements.index)


def statement_flags(statements: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(written, generic): whether each statement has any words, and whether it is generic.

    Both are worked out once per distinct text (a year's samples repeat a great deal), so a
    page can count the samples and their specific share from one pass.
    """
    import pandas as pd

    codes, uniques = pd.factorize(statements.astype("object"))
    texts = [str(text) for text in uniques]
    written = np.array([bool(text.strip()) for text in texts] + [False], dtype=bool)
    generic = np.array([_generic(text) for text in texts] + [False], dtype=bool)
    return written[codes], generic[codes]  # code -1 (missing) takes the appended False


@lru_cache(maxsize=200_000)
def _generic(text: str) -> bool:
    return bool(text.strip()) and check_statement(text).generic


def specific_rate(statements: pd.Series) -> float:
    """The share (%) of non-blank statements written specifically; NaN when there are none."""
    written, generic = statement_flags(statements)
    if not written.any():
        return float("nan")
    return float((~generic[written]).mean() * 100)


# -- copy-paste reviews ---------------------------------------------------------------

#: A review at least this similar to the person's previous one is flagged (0-1).
SIMILAR_REVIEW_THRESHOLD = 0.85
_WORD = re.compile(r"[a-z0-9']+")


def review_similarity(first: str, second: str) -> tuple[float, float]:
    """(similarity, word overlap) of two texts, each from 0 to 1.

    Word overlap is the Jaccard index of their normalised word sets, blind to order, so
    pasted items shuffled around still match; similarity is the larger of that and
    difflib's ratio over the word sequences, which also catches a text with a word or two
    changed. :func:`near_identical_reviews` works out the same for a year of reviews at once.
    """
    words_a, words_b = _WORD.findall(first.lower()), _WORD.findall(second.lower())
    set_a, set_b = set(words_a), set(words_b)
    union = set_a | set_b
    if not union:
        return 1.0, 1.0
    overlap = len(set_a & set_b) / len(union)
    ratio = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()
    return max(overlap, ratio), overlap


def near_identical_reviews(reviews: pd.DataFrame, threshold: float = SIMILAR_REVIEW_THRESHOLD) -> pd.DataFrame:
    """Each review whose wording is near-identical to the same person's previous review.

    The text compared is the review's working, not working and future statements, as
    :func:`review_similarity` compares them. Returns one row per flagged pair: the person,
    service, both dates, the similarity and word overlap (0-1), most similar first.

    A year's reviews are compared at once, as arrays of (review, word) keys: the shared words
    of each review and the one before come from one sorted search. difflib is slow, so its
    ratio is worked out only for the few pairs where an upper bound on it (twice the words the
    two share, counted with repeats, over their total length) reaches ``threshold`` and beats
    the overlap; elsewhere the similarity is the overlap, as difflib could not change it.
    """
    columns = [c for c in REVIEW_STATEMENTS if c in reviews.columns]
    frame = reviews[["person_ref", "service", "review_date", *columns]].sort_values(
        ["person_ref", "review_date"], kind="stable")
    people = frame["person_ref"].to_numpy()
    later = np.append(False, people[1:] == people[:-1]) if len(frame) else np.zeros(0, dtype=bool)
    words = _ReviewWords(frame[columns])
    overlap, bound = words.overlap_with_previous(later)
    similarity = overlap.copy()
    for row in np.flatnonzero(later & (bound >= threshold) & (bound > overlap)):
        ratio = difflib.SequenceMatcher(None, words.sequence(row - 1), words.sequence(row), autojunk=False).ratio()
        similarity[row] = max(overlap[row], ratio)
    pairs = frame[later].assign(earlier_review=frame["review_date"].shift()[later],
                                similarity=similarity[later], word_overlap=overlap[later])
    flagged = pairs[pairs["similarity"] >= threshold].rename(columns={"review_date": "later_review"})
    return flagged[["person_ref", "service", "earlier_review", "later_review", "similarity", "word_overlap"]] \
        .sort_values("similarity", ascending=False, kind="stable").reset_index(drop=True)


class _ReviewWords:
    """The normalised words of each review's statements, as sorted keys ``review * vocabulary + word``.

    Each distinct statement is split once (the same phrases recur across reviews, which is the
    very thing the check looks for).
    """

    def __init__(self, statements: pd.DataFrame):
        import pandas as pd

        self.reviews = len(statements)
        table = statements.to_numpy(dtype=object)
        codes, uniques = pd.factorize(table.ravel())  # one table of every statement, row by row
        self.codes = codes.reshape(table.shape)
        self.split = [_WORD.findall(str(text).lower()) for text in uniques]
        vocabulary: dict[str, int] = {}
        ids = [[vocabulary.setdefault(word, len(vocabulary)) for word in words] for words in self.split]
        self.width = max(len(vocabulary), 1)
        lengths = np.array([len(words) for words in ids] + [0], dtype=np.int64)  # code -1 (blank): no words
        flat = np.fromiter((word for words in ids for word in words), dtype=np.int64, count=int(lengths[:-1].sum()))
        starts = np.append(np.cumsum(lengths[:-1]) - lengths[:-1], 0)
        per_cell = lengths[codes]
        ends = np.cumsum(per_cell)
        positions = np.arange(ends[-1] if len(ends) else 0) + np.repeat(starts[codes] - (ends - per_cell), per_cell)
        cell_rows = np.repeat(np.arange(self.reviews, dtype=np.int64), table.shape[1])
        keys = np.repeat(cell_rows, per_cell) * self.width + flat[positions]
        self.length = np.bincount(keys // self.width, minlength=self.reviews)  # words, with repeats
        self.keys, self.counts = np.unique(keys, return_counts=True)

    def overlap_with_previous(self, later: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(overlap, bound) of each review with the one before it, for the reviews marked ``later``.

        Overlap is the Jaccard index of the two word sets; bound is twice the words they share,
        counted with repeats, over their total length: difflib's ratio cannot exceed it.
        """
        rows = self.keys // self.width
        distinct = np.bincount(rows, minlength=self.reviews)
        mine = later[rows]
        wanted = self.keys[mine] - self.width  # the same word in the review before
        at = np.searchsorted(self.keys, wanted)
        at[at == len(self.keys)] = 0
        found = self.keys[at] == wanted
        found_rows = rows[mine][found]
        shared = np.bincount(found_rows, minlength=self.reviews)
        common = np.bincount(found_rows, weights=np.minimum(self.counts[mine][found], self.counts[at[found]]),
                             minlength=self.reviews)
        union = distinct + np.roll(distinct, 1) - shared
        total = self.length + np.roll(self.length, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            overlap = np.where(union > 0, shared / union, 1.0)  # two reviews with no words are alike
            bound = np.where(total > 0, 2 * common / total, 1.0)
        return overlap, bound

    def sequence(self, row: int) -> list[str]:
        """The review's words in order, statement by statement."""
        return [word for code in self.codes[row] if code >= 0 for word in self.split[code]]


__all__ = ["Rule", "VAGUE", "DETAIL", "Gives", "gives", "StatementCheck", "check_statement", "check_lines", "vague_rules",
           "in_own_voice", "own_voice_suggestion", "is_generic", "statement_flags", "specific_rate", "review_similarity",
           "near_identical_reviews", "SIMILAR_REVIEW_THRESHOLD"]
