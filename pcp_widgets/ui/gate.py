"""The door of every page: who is signed in, and whether their role lets them open this page.

A page's entry function (``tool_page``, ``dashboard_page``, ...) builds the page through
:func:`page_or_refusal`. It learns who is signed in on the server side
(:func:`pcp_widgets.identity.sign_in`; never from the browser), checks the action the page registry
says the page needs (:attr:`pcp_widgets.pages.Page.needs`), and only then builds the page. A person
whose role does not allow it gets :class:`RefusedPage`: the page's title and one sentence saying why,
and none of the page's controls. So no widget exists in their kernel that a crafted widget message
could press, and nothing was read from the database for them. The refusal is written to the access log.

Checks on one person's record (the service they are at) are the page's own, made when the record is
asked for, with :func:`pcp_widgets.access.check`.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from pcp_widgets.access import Identity, NotAllowed, check
from pcp_widgets.identity import sign_in, signed_in_name
from pcp_widgets.pages import page_for
from pcp_widgets.ui.frame import PageFrame

T = TypeVar("T")


class RefusedPage(PageFrame):
    """A page the signed-in person may not open: its title and the sentence saying why."""

    what = "refused page"

    def __init__(self, path: str, reason: str):
        super().__init__()
        self.reason = reason
        self.frame(path)
        self.say(reason, problem=True)


def signed_in_for(path: str, store) -> Identity:
    """The signed-in person, once the page at ``path`` is known to be theirs to open; else :class:`NotAllowed`.

    Every refusal is logged under the name the server knows, with the page and the sentence shown.
    """
    try:
        identity = sign_in(store)
        page = page_for(path)
        if page is not None and page.needs is not None:
            check(identity, page.needs)
    except NotAllowed as error:
        store.log_access(signed_in_name()[0], "refused", detail=f"{path}: {error}")
        raise
    return identity


def page_or_refusal(path: str, store, build: Callable[[Identity], T]) -> T | RefusedPage:
    """``build(identity)`` when the signed-in person may open the page at ``path``, else a :class:`RefusedPage`."""
    try:
        identity = signed_in_for(path, store)
    except NotAllowed as error:
        return RefusedPage(path, str(error))
    return build(identity)


__all__ = ["RefusedPage", "signed_in_for", "page_or_refusal"]
