"""What the audit sheets hold, declared once: the layer the store's tables are derived from.

Entry points:

- :mod:`.sheets`: the six sheets (``SHEETS``, ``sheet_for(kind)``, ``sheet_named(name)``,
  ``Sheet``, ``Field``, ``KINDS``).
- :mod:`.values`: value types of one cell (``Answer``, ``Date``, ``Time``, ``Text``, ``Ref``):
  how it is read, checked and described.
- :mod:`.months`: months as typed (``parse_month``, ``month_label``, ``first_day``, ``last_day``).
- :mod:`.settings`: the organisation's thresholds from the environment (``rag_bands()``,
  ``min_staff_observations()``, ``check_settings()``).

Imports nothing from pcp_widgets but the base modules (errors, environment): the store sits on it.
"""
