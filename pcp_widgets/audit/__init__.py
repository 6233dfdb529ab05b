"""The audit: quality evidence from the providers' audit workbooks, by concern, lowest first.

- :mod:`~pcp_widgets.audit.schema`: what the six audit sheets hold (sheets, value types, months,
  the organisation's thresholds). Plain declarations; the store's tables are derived from them,
  so this subpackage sits below the store and imports nothing above the base modules.
- :mod:`~pcp_widgets.audit.ingest`: reading a workbook safely, recognising its sheets, checking
  its rows and storing them (``pcp import``).
- :mod:`~pcp_widgets.audit.analysis`: pure functions of stored records: frames, metrics, run
  charts, plan language, Working Together for Change themes, disclosure control.
- :mod:`~pcp_widgets.audit.outputs`: what leaves as files or pictures: charts, the monthly
  report, the commissioner export, the data export, blank templates.
- :mod:`~pcp_widgets.audit.demo`: invented demo workbooks and a demo database (``pcp demo``).

docs/architecture.md draws the layers; tests/test_architecture.py holds them.
"""
