"""The page registry matches the notebooks on disk, and the notebooks are stored as the design asks."""

import json
import subprocess
import sys

import pytest

from pcp_widgets.pages import AUDIENCES, DASHBOARD_PAGES, PAGES, START_PAGE, Page, link, notebooks_on_disk, page_for, repo_root


def test_every_notebook_under_workbooks_and_audits_is_a_registered_page():
    registered = {page.path for page in PAGES}
    assert notebooks_on_disk() <= registered, "add the new notebook to pcp_widgets/pages.py"


def test_every_registered_page_exists():
    for page in PAGES:
        assert (repo_root() / page.path).is_file(), page.path


def test_notebooks_found_on_disk_include_new_ones_and_skip_checkpoints(tmp_path):
    (tmp_path / "audits" / ".ipynb_checkpoints").mkdir(parents=True)
    (tmp_path / "audits" / "extra.ipynb").write_text("{}")
    (tmp_path / "audits" / ".ipynb_checkpoints" / "extra-checkpoint.ipynb").write_text("{}")
    (tmp_path / "elsewhere.ipynb").write_text("{}")
    assert notebooks_on_disk(tmp_path) == {"audits/extra.ipynb"}


def test_paths_are_unique_and_the_start_page_is_registered():
    paths = [page.path for page in PAGES]
    assert len(paths) == len(set(paths))
    assert page_for(START_PAGE.path) is START_PAGE
    assert page_for("audits/no_such_page.ipynb") is None


def test_every_dashboard_has_its_page_and_every_dashboard_page_its_panels():
    from pcp_widgets.ui.dashboards import DASHBOARDS

    assert set(DASHBOARDS) == {page.path for page in DASHBOARD_PAGES}
    assert all(DASHBOARDS[page.path].title == page.title for page in DASHBOARD_PAGES)


def test_the_registry_imports_no_charting_or_schema_library():
    """Every page reads the registry (for its links), so what it imports every page pays for."""
    code = ("import sys, pcp_widgets.pages; "
            "print(sorted(m for m in ('matplotlib', 'pandas', 'jsonschema', 'sqlalchemy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_page_but_the_start_page_is_for_someone():
    for page in PAGES:
        if page is not START_PAGE:
            assert page.audiences and set(page.audiences) <= set(AUDIENCES)
            assert page.title and page.purpose and "\n" not in page.purpose


def test_an_unknown_audience_is_refused():
    with pytest.raises(ValueError, match="unknown audience"):
        Page(path="audits/x.ipynb", title="X", audiences=("everyone",), purpose="x")


def test_links_between_pages_are_relative():
    import_page = page_for("audits/import_audit_data.ipynb")
    assert link(START_PAGE, import_page) == "../audits/import_audit_data.ipynb"
    assert link(import_page, START_PAGE) == "../workbooks/start_here.ipynb"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.path)
def test_notebooks_are_stored_without_outputs_and_run_python(page):
    notebook = json.loads((repo_root() / page.path).read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert notebook["metadata"].get("title"), "the title Voila gives the browser tab"
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
