"""Pure functions over stored audit records: no files written, no widgets.

Entry points:

- :func:`.frames.prepare`, :class:`.frames.Filters`: stored records as typed DataFrames.
- :mod:`.metrics`: the dashboard and report figures (``file_score``, ``file_scores``,
  ``match_rates``, ``event_counts``...).
- :func:`.spc.xmr`, :func:`.spc.before_after`: run charts (Making Data Count) and plan changes.
- :func:`.wording.check_statement`: the plan-language check; :mod:`.words`, :mod:`.lemmas`:
  the word lists and lemmas it and the theming share.
- :mod:`.wtfc`: Working Together for Change themes (``ThemeSet``).
- :mod:`.disclosure`, :mod:`.suppression`, :func:`.disclosure_audit.secure`: small-number
  suppression and rounding, and the attacker audit run before figures leave.
"""
