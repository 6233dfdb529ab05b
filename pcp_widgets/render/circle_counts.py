"""Who is in a relationship circle, counted by group, by ring and paid or unpaid.

The picture's side panel and the tables printed under it both give these counts. They are
kept apart from the drawing (:mod:`pcp_widgets.render.circle`) so a page or a document
that prints only the tables does not import matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass

from pcp_widgets.tools import get_tool

RINGS = 4


def _group_column():
    return get_tool("relationship_circle").section("people").column("group")


def groups() -> tuple[str, ...]:
    """The circle's groups, one per quarter, in the order the tool declares them."""
    return tuple(_group_column().values)


def group_label(group: str) -> str:
    """The short name of a group for the picture: 'Community: school, work...' -> 'Community'."""
    return _group_column().label_for(group).split(":")[0]


@dataclass(frozen=True)
class CircleCounts:
    by_group: dict
    by_ring: dict
    paid: int
    unpaid: int

    @property
    def total(self) -> int:
        return self.paid + self.unpaid

    def sections(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """(heading, [(label, number)]) in reading order, for the panel and the tables."""
        return [
            ("By group", [(group_label(group), n) for group, n in self.by_group.items()]),
            ("Paid or unpaid", [("Paid", self.paid), ("Unpaid", self.unpaid)]),
            ("By ring", [(f"Ring {ring}" + (" (closest)" if ring == 1 else ""), n)
                         for ring, n in self.by_ring.items()]),
            ("Everyone", [("Everyone", self.total)]),
        ]


def circle_counts(people) -> CircleCounts:
    by_group = {group: 0 for group in groups()}
    by_ring = {ring: 0 for ring in range(1, RINGS + 1)}
    for person in people:
        by_group[person["group"]] += 1
        by_ring[int(person["ring"])] += 1
    paid = by_group.get("paid", 0)
    return CircleCounts(by_group, by_ring, paid, sum(by_group.values()) - paid)


__all__ = ["RINGS", "CircleCounts", "circle_counts", "groups", "group_label"]
