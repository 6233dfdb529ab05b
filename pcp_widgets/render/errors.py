"""The two ways a render can be refused, each one plain sentence for the person asking."""

from __future__ import annotations

from pcp_widgets.errors import PcpError


class DoesNotFit(PcpError):
    """A one-page profile that cannot fit on one A4 page even at the smallest legible size.

    Exit code 1, as for rows an import rejects: the document itself is valid, it needs
    shortening, and the message says which section and by roughly how much. Carries
    ``cuts``, (section label, words to cut) pairs, so a page can show the same advice.
    """

    exit_code = 1

    def __init__(self, message: str, cuts: tuple[tuple[str, int], ...]):
        super().__init__(message)
        self.cuts = cuts


class UnsupportedFormat(PcpError):
    """An output file name whose extension we do not write, or not for this tool."""

    exit_code = 2
