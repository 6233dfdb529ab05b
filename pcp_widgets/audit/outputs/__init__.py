"""What leaves the audit as files or pictures.

Entry points:

- :mod:`.charts`: the plain black-and-white charts of the dashboards and the report;
  :func:`.run_chart.draw_xmr`, the XmR run chart (worked out in :mod:`..analysis.spc`).
- :func:`.monthly_report.write_monthly_report`: ``pcp report monthly``, one PDF.
- :func:`.commissioners.export_commissioners` (figures in :mod:`.commissioners`, files written
  by :mod:`.commissioner_files`), :func:`.export_as.export_commissioners_as` (role checked,
  logged in :mod:`.export_log`), :mod:`.free_text` (theme text signed off before it leaves).
- :func:`.export.export_data`: ``pcp export data``, the stored records.
- :func:`.templates.write_templates`: ``pcp templates``, the blank workbook.
- :func:`.rejected_rows.write_rejected_rows`: the rows an import refused, to fix and import again.
- :mod:`.sheets_out`: the one place that decides how a cell is written (formula-safe).
"""
