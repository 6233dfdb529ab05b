"""The commissioner export made by a signed-in person: their role checked first, what they made logged.

The Working Together for Change page and ``pcp export commissioners`` both call
:func:`export_commissioners_as`, so the rule is in one place: only a role that may export for
commissioners (:data:`pcp_widgets.access.Action.EXPORT_COMMISSIONERS`) gets a file, anyone else gets
one sentence and the refusal is logged; the export log (:mod:`pcp_widgets.audit.outputs.export_log`) names
them as its maker, and the access log says they exported it, next to everything else they did.
"""

from __future__ import annotations

from pathlib import Path

from pcp_widgets.access import Action, Identity, check_logged


def export_commissioners_as(identity: Identity, store, out: Path, *, made_by: str | None = None,
                            **options) -> Path:
    """:func:`~pcp_widgets.audit.outputs.commissioners.export_commissioners` for ``identity``, checked and logged.

    ``options`` are export_commissioners' own (first, last, min_count, fmt, single_month, themes). The
    export log names ``made_by`` (``pcp export commissioners --by``: the person at a shared account),
    by default the signed-in person; the access log always names the signed-in person.
    """
    from pcp_widgets.audit.outputs.commissioners import export_commissioners

    check_logged(store, identity, Action.EXPORT_COMMISSIONERS, "commissioner export")
    path = export_commissioners(store, out, made_by=made_by or identity.name, **options)
    store.log_access(identity.name, "exported", detail=f"commissioner export {Path(path).name}")
    return path


__all__ = ["export_commissioners_as"]
