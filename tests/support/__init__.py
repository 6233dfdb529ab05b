"""Helpers shared by the tests: a served app (:mod:`.serving`), audit workbooks written on
the fly (:mod:`.workbook_files`), reading rendered documents (:mod:`.render_documents`),
widget messages as the browser sends them (:mod:`.widget_messages`) and PostgreSQL
databases for the store tests (:mod:`.postgres_support`)."""
