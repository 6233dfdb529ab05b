"""Who may do what: roles, the services they work in, and one check every page and command calls.

Pure and table-driven, so the whole policy can be read in :data:`PERMISSIONS` and tested without
a database or a kernel. A page calls :func:`check` in the kernel, in Python, before it reads or
writes anything (a hidden button is a courtesy, never the control): the browser can send any widget
message it likes, but the kernel refuses what the signed-in person's role does not allow, with one
sentence saying why (:class:`NotAllowed`).

Two kinds of permission:

* ``ALL``: the role may do the action for every service (admins, quality leads);
* ``OWN``: only for the people of the services the person works in (managers, staff). Staff see
  only the people of their services.

Who is signed in comes from :mod:`pcp_widgets.identity`, never from the browser.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from pcp_widgets.errors import PcpError


class NotAllowed(PcpError):
    """The signed-in person's role or services do not allow this; the message says why in one sentence."""


#: The roles, by the key stored and typed (``pcp users add NAME --role quality-lead``), and how a
#: sentence names the people holding them.
ROLES: dict[str, str] = {
    "admin": "Admins",
    "quality-lead": "Quality leads",
    "manager": "Managers",
    "trainer": "Trainers",
    "staff": "Staff",
    "commissioner-export": "Commissioner export users",
}


class Action(enum.Enum):
    """Everything a page or command may be asked to do that the policy decides on.

    The value is the phrase a refusal uses: "Staff cannot <value>."
    """

    VIEW_PERSON = "open a person's tool documents"
    SAVE_PERSON = "save a person's tool documents"
    RESTORE_PERSON = "restore an earlier version of a person's tool document"
    ADD_PERSON = "add a person to the register"
    IMPORT = "import audit workbooks"
    VIEW_DASHBOARDS = "view the audit dashboards"
    THEME_REVIEWS = "theme review statements (Working Together for Change)"
    EXPORT_COMMISSIONERS = "export for commissioners"
    RUN_PRACTICE = "run practice sessions as the trainer"
    MANAGE_USERS = "manage who signs in and their roles"
    READ_ACCESS_LOG = "read the access log"
    EXPORT_PERSON = "export everything held about a person"
    ERASE_PERSON = "erase a person's records"
    REDACT = "redact a version of a person's document"
    APPLY_RETENTION = "apply the retention schedule"


class Scope(enum.Enum):
    ALL = "every service"
    OWN = "their own services"


#: The verb a refusal by service uses: "Staff can <verb> only the people of their services".
_SERVICE_VERBS = {
    Action.VIEW_PERSON: "open",
    Action.SAVE_PERSON: "save the documents of",
    Action.RESTORE_PERSON: "restore the documents of",
    Action.ADD_PERSON: "add",
    Action.VIEW_DASHBOARDS: "see the audits of",
    Action.THEME_REVIEWS: "theme the reviews of",
}

_ALL, _OWN = Scope.ALL, Scope.OWN
_PERSON_WORK = (Action.VIEW_PERSON, Action.SAVE_PERSON, Action.RESTORE_PERSON, Action.ADD_PERSON)

#: The policy: for each role, the actions it may take and for which services. Anything not listed is
#: refused. Least privilege: a trainer runs practice sessions and sees no care records; a commissioner
#: export user makes the aggregated, suppressed export and nothing else.
PERMISSIONS: dict[str, dict[Action, Scope]] = {
    "admin": {action: _ALL for action in Action},
    "quality-lead": {**{a: _ALL for a in _PERSON_WORK}, Action.IMPORT: _ALL, Action.VIEW_DASHBOARDS: _ALL,
                     Action.THEME_REVIEWS: _ALL, Action.EXPORT_COMMISSIONERS: _ALL, Action.READ_ACCESS_LOG: _ALL},
    "manager": {**{a: _OWN for a in _PERSON_WORK}, Action.VIEW_DASHBOARDS: _OWN, Action.THEME_REVIEWS: _OWN},
    "trainer": {Action.RUN_PRACTICE: _ALL},
    "staff": {a: _OWN for a in _PERSON_WORK},
    "commissioner-export": {Action.THEME_REVIEWS: _ALL, Action.EXPORT_COMMISSIONERS: _ALL},
}


@dataclass(frozen=True)
class Identity:
    """Who is signed in, as the server knows it: their sign-in name, role and services.

    ``source`` says how the name was learnt ("hub": the Hub's JUPYTERHUB_USER; "os": the account
    running a one-computer ``pcp serve`` or a command), for the access log and for tests.
    """

    name: str
    role: str
    services: frozenset[str] = field(default_factory=frozenset)
    source: str = "os"

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")


def role_key(text: str) -> str:
    """The role a person typed ("Quality lead", "quality_lead", "QUALITY-LEAD"), or one sentence why not."""
    key = "-".join(str(text).strip().lower().replace("_", " ").replace("-", " ").split())
    if key not in ROLES:
        raise PcpError(f"{str(text).strip()!r} is not a role; the roles are {', '.join(ROLES)}.")
    return key


def scope(identity: Identity, action: Action) -> Scope | None:
    """For which services ``identity`` may do ``action``; None when not at all."""
    return PERMISSIONS[identity.role].get(action)


def allowed(identity: Identity, action: Action, service: str | None = None) -> bool:
    """Whether :func:`check` would let this through (for showing only what a person may use)."""
    try:
        check(identity, action, service)
    except NotAllowed:
        return False
    return True


def check(identity: Identity, action: Action, service: str | None = None, *, ref: str | None = None) -> None:
    """Raise :class:`NotAllowed`, saying why in one sentence, unless ``identity`` may do ``action``.

    Without ``service`` this asks whether the role may do the action at all (whether to show a page);
    before reading or writing a person's record, pass the person's service (and ref, which the
    sentence then names). Managers and staff may act only in the services they work in.
    """
    granted = scope(identity, action)
    who = ROLES[identity.role]
    if granted is None:
        raise NotAllowed(f"{who} cannot {action.value}; ask an admin if your work needs it.")
    if granted is Scope.OWN and service is not None and service not in identity.services:
        verb = _SERVICE_VERBS.get(action, action.value + " for")
        whose = f"{ref} is at {service}" if ref else f"{service} is not one of them"
        raise NotAllowed(f"{who} can {verb} only the people of their services; {whose}.")


def check_logged(store, identity: Identity, action: Action, where: str, service: str | None = None, *,
                 ref: str | None = None) -> None:
    """:func:`check`, with a refusal written to ``store``'s access log before it is raised: under the
    person, with the ref, and with ``where`` (the page or tool) and the sentence they were shown.

    Every page and command that refuses someone in the middle of their work goes through here, so
    the data protection lead finds each refusal said the same way."""
    try:
        check(identity, action, service, ref=ref)
    except NotAllowed as error:
        store.log_access(identity.name, "refused", ref, f"{where}: {error}")
        raise


def visible_services(identity: Identity, action: Action = Action.VIEW_PERSON) -> frozenset[str] | None:
    """The services whose people ``identity`` may see for ``action``: None for all, empty for none.

    Pages list the register through this (``store.people(services=visible_services(identity))``),
    so a staff member's person list holds only the people of their services.
    """
    granted = scope(identity, action)
    if granted is None:
        return frozenset()
    return None if granted is Scope.ALL else identity.services
