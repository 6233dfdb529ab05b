"""``pcp import``: audit workbooks read safely, recognised, checked row by row and stored.

Entry points:

- :func:`.importer.import_files` (paths, store) -> :class:`.import_report.ImportReport`:
  every non-blank row stored or explained.
- :func:`.reader.read_workbook` / :func:`.reader.check_workbook`: the file-safety checks
  (size, zip bombs, XML entities, ODS and BIFF extents) before calamine reads any cell.
- :func:`.layout.find_layout`: which sheet a worksheet is and which column is which.
- :func:`.checking.check_sheet`: the rows of one worksheet against its declared sheet.
- :class:`.limits.Limits`: the caps on file size and rows; :class:`.batch.Batch`: what the
  store is handed for one file and kind.
"""
