"""Peak memory of the import page's handling of one large upload (issue 16 item 6).

    .venv/bin/python tests/benchmarks/bench_upload.py [--mb 30]

An upload reaches the kernel as one websocket message; the FileUpload widget's value holds its
bytes. This measures, with tracemalloc, the Python memory the page allocates from the moment the
widget is given the upload (as the browser's message gives it) until the import has finished,
above what was allocated before the upload arrived: the upload's own bytes, every copy the page
makes of them, and whatever stays alive while the import runs. The upload is random bytes under
an .xlsx name, so the reader refuses it at once and the figure is the page's handling of the
bytes, not the reading of a workbook (which is the importer's, measured by bench_import.py).
Not a test: the figure goes in the README with this command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import tempfile
import tracemalloc

MB = 1_000_000


def measure(size_mb: int) -> tuple[float, float]:
    from pcp_widgets.store import open_store
    from pcp_widgets.ui.import_page import ImportPage

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/bench.sqlite")
        page = ImportPage(store)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        content = os.urandom(size_mb * MB)
        page.upload.value = ({"name": "March.xlsx", "type": "", "size": len(content), "content": memoryview(content),
                              "last_modified": dt.datetime.now(dt.timezone.utc)},)
        del content  # from here the widget's value is the only holder, as in a kernel
        page._on_import()
        after, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert "could not be read" in page.results.value or "not imported" in page.results.value, page.results.value
        store.dispose()
    return (peak - before) / MB, (after - before) / MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=30, help="size of the upload in MB (default 30)")
    args = parser.parse_args()
    peak, left = measure(args.mb)
    print(f"{args.mb} MB upload: peak {peak:.1f} MB above the page's own memory; {left:.1f} MB still held after")


if __name__ == "__main__":
    main()
