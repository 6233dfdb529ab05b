"""``pcp import``: audit workbooks read safely, recognised, checked row by row and stored.

Entry points:

- :func:`.importer.import_files` (paths, store) -> :class:`.import_report.ImportReport`:
  every non-blank row stored or explained.
- :func:`.reader.read_workbook` / :func:`.reader.check_workbook`: the file-safety checks before
  calamine reads any cell, each format in a module of its own: :mod:`.file_checks` (what the
  file is, its size, the refusal sentences), :mod:`.zip_scan` (.xlsx/.ods archives, zip bombs,
  entities), :mod:`.xml_tokens` (the tag walk calamine does), :mod:`.ods_walk` (.ods table
  extents), :mod:`.biff` (.xls: the OLE container and BIFF8 records).
- :func:`.layout.find_layout`: which sheet a worksheet is and which column is which.
- :func:`.checking.check_sheet`: the rows of one worksheet against its declared sheet.
- :class:`.limits.Limits`: the caps on file size and rows; :class:`.batch.Batch`: what the
  store is handed for one file and kind.
"""
