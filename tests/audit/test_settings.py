"""The organisation's thresholds from the environment: RAG bands and the staff observation minimum."""

from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pytest

from pcp_widgets.audit.analysis import metrics
from pcp_widgets.audit.outputs.export_as import export_commissioners
from pcp_widgets.audit.schema.settings import RagBands, check_settings, min_staff_observations, rag_bands
from pcp_widgets.errors import UsageError
from tests.support.serving import free_port, pcp_command
from tests.audit.test_commissioners import every_kind, import_rows
from tests.audit.test_metrics import O, answers, audits, observations


@pytest.fixture(autouse=True)
def unset(monkeypatch):
    for name in ("PCP_RAG_GREEN", "PCP_RAG_AMBER", "PCP_MIN_STAFF_OBSERVATIONS"):
        monkeypatch.delenv(name, raising=False)


def test_unset_they_are_domain_mds_defaults():
    assert rag_bands() == RagBands(80, 60) and min_staff_observations() == 5


def test_the_bands_set_in_the_environment_band_every_file_score(monkeypatch):
    seventy = audits(answers(yes=10, partly=0, no=4, na=0))  # 71.4
    assert metrics.file_scores(seventy)["rag"].iloc[0] == "amber"
    monkeypatch.setenv("PCP_RAG_GREEN", "70")
    monkeypatch.setenv("PCP_RAG_AMBER", "50")
    assert metrics.file_scores(seventy)["rag"].iloc[0] == "green"
    assert metrics.score_by_service_month(seventy)["rag"].iloc[0] == "green"


def test_the_staff_minimum_set_in_the_environment_decides_who_is_shown(monkeypatch):
    twice = observations(*[{"staff_ref": "S-0001", "matches_plan": "Yes", O[1]: "Yes"}] * 2)
    assert metrics.practice_by_staff(twice).empty
    monkeypatch.setenv("PCP_MIN_STAFF_OBSERVATIONS", "2")
    shown = metrics.practice_by_staff(twice)
    assert list(shown["staff_ref"]) == ["S-0001"] and shown.attrs["min_observations"] == 2


@pytest.mark.parametrize("name, value, words", [
    ("PCP_RAG_GREEN", "lots", "PCP_RAG_GREEN must be a number, not 'lots'"),
    ("PCP_RAG_AMBER", "85", "0 < amber < green <= 100"),
    ("PCP_RAG_GREEN", "120", "0 < amber < green <= 100"),
    ("PCP_MIN_STAFF_OBSERVATIONS", "0", "PCP_MIN_STAFF_OBSERVATIONS must be 1 or more"),
    ("PCP_MIN_STAFF_OBSERVATIONS", "2.5", "must be a number"),
])
def test_a_value_that_cannot_be_used_is_one_sentence(monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    with pytest.raises(UsageError, match=words.replace("(", r"\(").replace(")", r"\)")):
        check_settings()


def test_the_commissioner_workbook_states_the_bands_it_used(store, tmp_path, monkeypatch):
    import_rows(store, tmp_path, every_kind(30, "Oak House"))
    monkeypatch.setenv("PCP_RAG_GREEN", "90")
    monkeypatch.setenv("PCP_RAG_AMBER", "75")
    out = export_commissioners(store, tmp_path / "c.xlsx")
    contents = [c.value for r in openpyxl.load_workbook(out)["Contents"].iter_rows() for c in r
                if isinstance(c.value, str)]
    assert any("green at 90 and above, amber from 75" in line for line in contents)


def test_pcp_serve_refuses_a_bad_setting_in_one_sentence_before_starting(tmp_path):
    env = {**os.environ, "PCP_RAG_AMBER": "95"}
    result = subprocess.run(pcp_command("serve", "--port", str(free_port()), "--db", f"sqlite:///{tmp_path}/x.sqlite"),
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "0 < amber < green <= 100" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "x.sqlite").exists()


def test_reading_the_environment_keeps_the_importers_reader_free_of_pandas():
    """The import's helper processes start with the reader; pandas would cost each of them half a second."""
    code = "import sys, pcp_widgets.audit.ingest.reader; print('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
