"""The word lists that say what a statement is about, for comparing two statements by their subject.

Two places need the same judgement: Working Together for Change suggests grouping review
statements about the same thing, and the "Make it specific" practice checks that a rewrite is
still about the statement it rewrites. Both compare the lemmas of the statements' content words
(:mod:`pcp_widgets.audit.analysis.lemmas`), with words that say nothing about a subject (:data:`STOP_WORDS`)
left out.

Some words are in almost every statement of adult social care ("staff", "help", "support":
:data:`COMMON_WORDS`) and some say only when (:data:`TIME_WORDS`): they may be shared alongside
others, but sharing one of them alone does not make two statements about the same thing. A few
everyday things go by several names ("bath", "shower", "wash": :data:`RELATED_WORDS`). Plain,
explainable lists, so a person can see why two statements were linked.
"""

from __future__ import annotations

#: Words that say nothing about what a statement is about. Kept short and explainable.
STOP_WORDS = frozenset("""
a about again all am an and any are as at be been before being but by can can't could did do does don't
enough even every for from get gets go going got had has have having he her here him his how i i'd i'm
if in into is it it's just keep kept know like live living made make me more most much my need no not
now of on one only or our out own really same see she so some still than that the their them then there
these they this to too up us very want was we were what when where which who will with would you your
each while anything something nothing everything anyone someone everyone whatever
""".split())

#: Content words so common in care and support statements that sharing one of them alone says two
#: statements are about the same thing no more than sharing "the" does (as lemmas: "helping" is "help").
COMMON_WORDS = frozenset("""
help support staff carer care worker people person thing time day feel like
come take put look give tell ask say back until always never
""".split())

#: Lemmas that say when, not what: a time of day, a day, a stretch of time. Sharing one of them says
#: two statements happen at the same time, not that they are about the same task ("On Tuesday
#: mornings, drive me to the supermarket" is not about waking Arthur "in the morning").
TIME_WORDS = frozenset("""
morning afternoon evening night nighttime day daytime week weekend weekday fortnight month year hour minute
today tonight tomorrow yesterday daily weekly monthly nightly early late noon midday midnight o'clock
monday tuesday wednesday thursday friday saturday sunday bedtime teatime lunchtime mealtime
""".split())

#: Small families of words that name the same everyday thing in review statements, each under the
#: word a grouping shows first. Lemmas match "bathing" and "bath", not "bath" and "shower": people
#: write "a bath", "a wash" or "a shower" for the same need, and a team theming statements puts them
#: together. Kept short and plain so anyone can see why two statements were grouped; a word with
#: two common meanings ("tea": a drink or a meal, "call": a phone call or a name) is left out.
RELATED_WORDS: dict[str, tuple[str, ...]] = {
    "wash": ("wash", "bath", "bathe", "shower"),
    "meal": ("meal", "food", "dinner", "lunch", "breakfast", "supper", "eat", "cook", "mealtime"),
    "money": ("money", "cash", "finance", "pay", "bill", "budget", "spend", "wallet", "purse"),
    "medicine": ("medicine", "medication", "tablet", "pill"),
    "family": ("family", "mum", "mother", "dad", "father", "sister", "brother", "son", "daughter",
               "grandchild", "grandson", "granddaughter", "nephew", "niece", "wife", "husband"),
    "friend": ("friend", "mate"),
    "travel": ("travel", "bus", "train", "taxi", "transport"),
    "job": ("job", "work", "volunteer", "employment"),
    "sleep": ("sleep", "sleepy", "bed", "bedtime", "tired"),
    "learn": ("learn", "college", "course", "class"),
    "shop": ("shop", "supermarket"),
    "home": ("home", "flat", "house"),
    "noise": ("noise", "noisy", "loud", "quiet"),
}
#: Each related word's family, by the family's first word.
RELATED = {word: family for family, words in RELATED_WORDS.items() for word in words}

def listed(words: list[str], last: str = "and") -> str:
    """Words as a sentence lists them: 'a', 'a and b', 'a, b and c' (or 'a, b or c' with ``last="or"``)."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


__all__ = ["listed", "STOP_WORDS", "COMMON_WORDS", "TIME_WORDS", "RELATED_WORDS", "RELATED"]
