"""Precision and recall of the plan-language check on the labelled statements, for the README.

    .venv/bin/python tests/benchmarks/bench_wording.py            # the tuning part and the older set
    .venv/bin/python tests/benchmarks/bench_wording.py --held-out # the held-out part as well

"Generic" is the positive class: recall is the share of generic statements flagged, precision
the share of flagged statements that are generic, and "specific flagged" the share of specific
statements wrongly flagged. tests/data/plain_statements.json's held-out part was written and
committed before the check was tuned; tune on the rest (``--show`` lists what the check gets
wrong there) and score the held-out part only to report it. Not a test: tests/audit/test_wording.py
enforces the budget.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pcp_widgets.audit.analysis.wording import check_statement  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"


def score(generic: list[str], specific: list[str]) -> dict:
    """Counts and rates for one labelled set, and the statements the check got wrong."""
    missed = [text for text in generic if not check_statement(text).generic]
    false_alarms = [text for text in specific if check_statement(text).generic]
    flagged = len(generic) - len(missed) + len(false_alarms)
    return {"statements": len(generic) + len(specific), "right": len(generic) + len(specific) - len(missed)
            - len(false_alarms), "recall": 1 - len(missed) / len(generic),
            "precision": (len(generic) - len(missed)) / flagged if flagged else 1.0,
            "specific_flagged": len(false_alarms) / len(specific), "missed": missed, "false_alarms": false_alarms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", action="store_true", help="also score the held-out part")
    parser.add_argument("--show", action="store_true", help="list the statements the check gets wrong")
    args = parser.parse_args()
    plain = json.loads((DATA / "plain_statements.json").read_text(encoding="utf-8"))
    older = json.loads((DATA / "wording_cases.json").read_text(encoding="utf-8"))
    sets = {"plain, tuning part": plain["tuning"],
            "older set (wording_cases.json)": older,
            "older set, the later batch of 40": {kind: older[kind][-20:] for kind in ("generic", "specific")}}
    if args.held_out:
        sets["plain, held-out part"] = plain["held_out"]
    for name, labelled in sets.items():
        result = score(labelled["generic"], labelled["specific"])
        print(f"{name}: {result['right']} of {result['statements']} right; recall of generic "
              f"{result['recall']:.2f}, precision {result['precision']:.2f}, specific wrongly flagged "
              f"{result['specific_flagged']:.2f}")
        if args.show and not name.endswith("held-out part"):
            for text in result["missed"]:
                print("   missed:      ", text, check_statement(text).gives)
            for text in result["false_alarms"]:
                print("   false alarm: ", text, check_statement(text).reasons)


if __name__ == "__main__":
    main()
