"""A practice page per kind of exercise: the exercises from the content files, with instant feedback.

Thin: the words come from the exercise files (:mod:`pcp_widgets.practice.content`) and every
judgement from :mod:`pcp_widgets.practice.feedback`; this module only lays out standard
controls (text boxes, drop-downs, buttons: all keyboard-operable and labelled) and shows
the feedback beside each answer, escaped, since it can quote what the participant typed.
"""

from __future__ import annotations

import html
from typing import Callable

import ipywidgets as widgets

from pcp_widgets.pages import practice_page_path
from pcp_widgets.plural import counted
from pcp_widgets.practice import feedback, sessions
from pcp_widgets.practice.browser_key import owner_of
from pcp_widgets.practice.content import PERSPECTIVES, SIDES, TO_FOR, ExerciseSet, load_exercises
from pcp_widgets.practice.feedback import Feedback
from pcp_widgets.ui.frame import PageFrame, StatusLine, html_block
from pcp_widgets.ui.fields import row_of, stacked
from pcp_widgets.ui.gate import signed_in_for
from pcp_widgets.ui.kernel import kernel_loop

CHOOSE = "Choose…"


def feedback_html(result: Feedback) -> str:
    """One answer's feedback, every piece escaped; announced by screen readers as it changes."""
    css = "pcp-note" if result.ok else "pcp-problem"
    points = "".join(f"<li>{html.escape(point)}</li>" for point in result.points)
    model = (f"<p>The guidance's example, to compare: <q>{html.escape(result.model)}</q></p>"
             if result.model else "")
    return html_block(f"<div class='{css}' role='status'><p><strong>{html.escape(result.headline)}</strong></p>"
                      f"{f'<ul>{points}</ul>' if points else ''}{model}</div>")


#: Called with an answer's session key, its text and whether it passed, each time it is checked.
OnChecked = Callable[[str, str, bool], None]


class Answer:
    """One answer's controls and its feedback box; ``check`` turns the controls' values into Feedback.

    ``key`` names the answer in a practice session (:mod:`pcp_widgets.practice.sessions`) and
    ``text`` gives it as words; ``on_checked``, set by the page, hears of every checked answer.
    """

    def __init__(self, parts: list[widgets.Widget], check: Callable[[], Feedback | None],
                 button: str | None = None, watch: tuple[widgets.Widget, ...] = (), key: str = "",
                 text: Callable[[], str] = lambda: ""):
        """With ``button``, feedback comes when it is pressed; otherwise as soon as a ``watch`` control changes."""
        self.check = check
        self.key = key
        self.text = text
        self.on_checked: OnChecked | None = None
        self.status = StatusLine("practice page")  # the page puts its own here: where a failure is said
        self.result = widgets.HTML()
        parts = list(parts)
        if button:
            self.button = widgets.Button(description=button)
            self.button.on_click(self.show)
            parts.append(self.button)
        for control in watch:
            control.observe(self.show, names="value")
        self.widget = widgets.VBox(parts + [self.result])

    def show(self, _event=None) -> None:
        with self.status.guarded():
            result = self.check()
            self.result.value = feedback_html(result) if result else ""
            if result and self.on_checked:
                self.on_checked(self.key, self.text(), result.ok)


def heading(text: str, level: int = 2) -> widgets.HTML:
    return widgets.HTML(html_block(f"<h{level}>{html.escape(text)}</h{level}>"))


def _paragraphs(*texts: str) -> widgets.HTML:
    return widgets.HTML(html_block("".join(f"<p>{html.escape(' '.join(text.split()))}</p>" for text in texts)))


def _text_box(label: str) -> widgets.Textarea:
    return stacked(widgets.Textarea(description=label, continuous_update=False, rows=3,
                                    layout=widgets.Layout(width="100%")))


def _choice(label: str, options: list[tuple[str, str]], wide: bool = False) -> widgets.Dropdown:
    """A labelled drop-down starting at "Choose…"; ``wide`` when its options are sentences to read whole."""
    layout = widgets.Layout(width="100%", max_width="50rem") if wide else widgets.Layout()
    return stacked(widgets.Dropdown(description=label, options=[(CHOOSE, "")] + options, value="", layout=layout))


def _rewrites(exercises: ExerciseSet, judge: Callable[[dict, str], Feedback]) -> list[widgets.Widget | Answer]:
    """Make it specific and Whose voice: the statement, a box for the rewrite, and a Check button."""
    parts = []
    for number, item in enumerate(exercises.items, 1):
        box = _text_box(f"Your rewrite of statement {number}")
        texts = [item["context"]] if "context" in item else []
        parts += [heading(f"{number}. {item['person']}"), _paragraphs(*texts, f"The statement: {item['statement']}"),
                  Answer([box], lambda item=item, box=box: judge(item, box.value), "Check my rewrite",
                         key=item["id"], text=lambda box=box: box.value)]
    return parts


def _to_or_for(exercises: ExerciseSet) -> list[widgets.Widget | Answer]:
    parts = []
    for number, item in enumerate(exercises.items, 1):
        choice = _choice(f"Statement {number}: important to or for {item['person']}?",
                         [(label, key) for key, label in TO_FOR.items()])
        parts += [heading(f"{number}. {item['person']}"), _paragraphs(item["statement"]),
                  Answer([choice], lambda item=item, choice=choice:
                         feedback.to_or_for(item, choice.value) if choice.value else None, watch=(choice,),
                         key=item["id"], text=lambda choice=choice: TO_FOR[choice.value])]
    return parts


def _four_perspectives(exercises: ExerciseSet) -> list[widgets.Widget | Answer]:
    parts = []
    for exercise in exercises.items:
        whose = [(exercise["perspectives"][key], key) for key in PERSPECTIVES]
        sides = [(label, key) for key, label in SIDES.items()]
        parts += [heading(exercise["person"]), _paragraphs(exercise["story"]),
                  heading("First: whose view, and is it working?", 3)]
        for number, statement in enumerate(exercise["statements"], 1):
            view = _choice(f"Statement {number}: whose view?", whose)
            side = _choice(f"Statement {number}: working or not working?", sides)
            parts += [_paragraphs(f"{number}. {statement['text']}"),
                      Answer([row_of([view, side])], lambda exercise=exercise, statement=statement, view=view,
                             side=side: feedback.sorted_statement(exercise, statement, view.value, side.value)
                             if view.value and side.value else None, watch=(view, side),
                             key=sessions.statement_key(exercise, statement),
                             text=lambda view=view, side=side: f"{view.label}; {side.label}")]
        parts += [heading("Then: an action for each thing that is not working", 3),
                  _paragraphs("For each, say what will happen, who will make sure it happens, and by when.")]
        not_working = [s for s in exercise["statements"] if s["side"] == "not_working"]
        for number, statement in enumerate(not_working, 1):
            what, who, when = (stacked(widgets.Text(description=f"{label} (action {number})",
                                                    continuous_update=False))
                               for label in ("What will happen", "Who", "By when"))
            parts += [_paragraphs(f"Action {number}, for: {statement['text']}"),
                      Answer([what, row_of([who, when])],
                             lambda what=what, who=who, when=when, model=statement["action"]:
                             _with_model(feedback.action(what.value, who.value, when.value), model),
                             f"Check action {number}", key=sessions.action_key(exercise, statement),
                             text=lambda what=what, who=who, when=when:
                             sessions.action_text(what.value, who.value, when.value))]
    return parts


def _with_model(result: Feedback, model: dict) -> Feedback:
    """Once an action passes, show the one agreed at Arthur's review beside it."""
    if not result.ok:
        return result
    return Feedback(True, result.headline, result.points, f"{model['what']} ({model['who']}, {model['when']})")


def _review_questions(exercises: ExerciseSet) -> list[widgets.Widget | Answer]:
    """The nine questions offered in alphabetical order (never the right one), a place each, then the quiz."""
    offered = [(question["text"], question["text"]) for question in sorted(exercises.questions,
                                                                             key=lambda q: q["text"])]
    places = [_choice(f"Question {place}", offered, wide=True) for place in range(1, len(offered) + 1)]
    parts = [heading("The nine questions, in order"),
             Answer(places, lambda: feedback.review_order(exercises.questions, [p.value for p in places]),
                    "Check the order", key=sessions.ORDER_KEY,
                    text=lambda: sessions.order_text([p.value for p in places])),
             heading("Quiz")]
    for number, item in enumerate(exercises.items, 1):
        choice = _choice(f"Quiz question {number}: {item['question']}", [(o, o) for o in item["options"]], wide=True)
        parts.append(Answer([choice], lambda item=item, choice=choice:
                            feedback.quiz(item, choice.value) if choice.value else None, watch=(choice,),
                            key=item["id"], text=lambda choice=choice: choice.value))
    return parts


#: How each kind's exercises are laid out: headings and texts, and the Answers among them.
LAYOUTS: dict[str, Callable[[ExerciseSet], list[widgets.Widget | Answer]]] = {
    "make_it_specific": lambda exercises: _rewrites(exercises, feedback.make_it_specific),
    "to_or_for": _to_or_for,
    "whose_voice": lambda exercises: _rewrites(exercises, feedback.whose_voice),
    "four_perspectives": _four_perspectives,
    "review_questions": _review_questions,
}


class JoinBox:
    """"Join a session": a code and a name; once joined, every checked answer is saved under the session.

    Who joins is learnt on the server side when Join is pressed (:func:`pcp_widgets.ui.gate.signed_in_for`,
    then :func:`pcp_widgets.practice.browser_key.owner_of`): the answers belong to that sign-in or browser
    key, and the name typed is only how the participant shows to the trainer. The page's door is there,
    not when the page is built, because a practice page needs no role and reads no data until someone
    joins: practising alone touches no database, and the page opens sooner for a room of thirty.
    """

    def __init__(self, kind: str, store=None):
        self.kind = kind
        self.path = practice_page_path(kind)
        self._store = store
        self.participant: sessions.Participant | None = None
        self.saved = 0
        # Each box sends its value once, when it is left (not at each key): ipywidgets holds back a value
        # while the kernel has not answered the last one, and a click is sent at once, so with a value per
        # key a quick "type, Tab, Enter" reached a busy kernel as Join pressed on half a code.
        self.code = stacked(widgets.Text(description="Session code", placeholder="for example K7M2QX",
                                         continuous_update=False))
        self.name = stacked(widgets.Text(description="Your name", continuous_update=False))
        self.button = widgets.Button(description="Join the session")
        self.button.on_click(self.join)
        self.status = StatusLine("practice page")
        self.widget = widgets.VBox([heading("In a session? Join it"),
                                    _paragraphs("If your trainer gave you a session code, type it with your name: "
                                                "each answer you check is then shared with your trainer."),
                                    row_of([self.code, self.name, self.button]), self.status])

    @property
    def store(self):
        if self._store is None:
            from pcp_widgets.store import open_store

            self._store = open_store()
        return self._store

    def join(self, _button=None) -> None:
        with self.status.guarded():
            from pcp_widgets.ui.start import wait_for_visit

            wait_for_visit()  # a kernel Voila kept warm learns its request, and so the browser's key, only now
            identity = signed_in_for(self.path, self.store)
            saved_by = identity.name if identity.source == "hub" else sessions.SAVED_BY
            self.participant = sessions.join(self.store, self.code.value, self.name.value, owner_of(identity),
                                             saved_by)
            self.status.say(f"You have joined session {self.participant.code} as {self.participant.name}: each "
                            "answer you check is saved for your trainer.")

    def record(self, key: str, text: str, ok: bool) -> None:
        """Save a checked answer under the session, if this page has joined one (a blank box is not an answer)."""
        if self.participant is None or not text.strip():
            return
        with self.status.guarded(NOT_SAVED):
            sessions.save_answer(self.store, self.participant.code, self.participant, self.kind, key, text, ok)
            self.saved += 1
            self.status.say(f"Session {self.participant.code}, {self.participant.name}: "
                            f"{counted(self.saved, 'answer')} saved for your trainer.")


#: What the join box says when an answer could not be saved for a reason nobody foresaw.
NOT_SAVED = "Your answer could not be saved for the session; your trainer can see the server's log."


class PracticePage(PageFrame):
    """The whole page: the introduction, the box to join a session, then every exercise of one kind.

    The join box says what happens to the session on its own status line, beside its controls; the
    page's status line is for what fails elsewhere on the page.
    """

    what = "practice page"

    def __init__(self, kind: str, store=None):
        super().__init__()
        self.exercises = load_exercises(kind)
        self.join_box = JoinBox(kind, store)
        parts = LAYOUTS[kind](self.exercises)
        self.answers = [part for part in parts if isinstance(part, Answer)]
        for answer in self.answers:
            answer.on_checked = self.join_box.record
            answer.status = self.status
        self.frame(practice_page_path(kind), self.join_box.widget,
                   *(part.widget if isinstance(part, Answer) else part for part in parts),
                   title=self.exercises.title, intro=self.exercises.introduction)
        if kind in COMPARES_MEANING:
            warm_word_lists()


#: Kinds whose feedback compares a rewrite with its statement by the words' dictionary forms.
COMPARES_MEANING = ("make_it_specific",)
#: Seconds after the page is built before the word lists load: the page reaches the browser first.
WARM_DELAY = 1.0


def warm_word_lists() -> None:
    """Load the dictionary forms (1 to 2 s) while the participant reads the first statement, not on
    their first "Check my rewrite". In a kernel only; elsewhere they load when first asked for."""
    loop = kernel_loop()
    if loop is not None:
        from pcp_widgets.audit.analysis.lemmas import lemma

        loop.call_later(WARM_DELAY, lemma, "warming")


def practice_page(kind: str, store=None) -> PracticePage:
    return PracticePage(kind, store)
