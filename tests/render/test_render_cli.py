"""`pcp render FILE.json --out OUT.ext`, run as a person would, through a real process."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from pcp_widgets.tools.examples import KEVIN_CIRCLE, PAT_PROFILE
from tests.support.render_documents import read_pdf


def pcp_render(*args):
    return subprocess.run([sys.executable, "-m", "pcp_widgets.cli", "render", *map(str, args)],
                          capture_output=True, text=True)


def write_json(path, data) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def assert_refused(result, code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pcp: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize("ext", ["pdf", "docx", "html"])
def test_renders_a_saved_profile_in_the_format_of_the_extension(tmp_path, ext):
    source = write_json(tmp_path / "pat.json", PAT_PROFILE.to_dict())
    out = tmp_path / f"pat.{ext}"
    result = pcp_render(source, "--out", out)
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    if ext == "pdf":
        assert read_pdf(out.read_bytes()).pages == 1


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_renders_the_circle_as_a_picture(tmp_path, ext):
    source = write_json(tmp_path / "kevin.json", KEVIN_CIRCLE.to_dict())
    out = tmp_path / f"kevin.{ext}"
    assert pcp_render(source, "--out", out).returncode == 0
    assert out.read_bytes()[:4] in (b"\x89PNG", b"<?xm", b"%PDF")


def test_bad_json_is_one_sentence_and_exit_2(tmp_path):
    source = tmp_path / "broken.json"
    source.write_text('{"tool": "one_page_profile", "person": "Pat",', encoding="utf-8")
    assert_refused(pcp_render(source, "--out", tmp_path / "x.pdf"), 2, "broken.json", "not valid JSON", "line 1")
    assert not (tmp_path / "x.pdf").exists()


def test_a_missing_file_and_a_file_that_is_not_text(tmp_path):
    assert_refused(pcp_render(tmp_path / "absent.json", "--out", tmp_path / "x.pdf"), 2, "no such file")
    binary = tmp_path / "photo.json"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    assert_refused(pcp_render(binary, "--out", tmp_path / "x.pdf"), 2, "not UTF-8")


def test_an_unknown_tool_is_one_sentence_and_exit_2(tmp_path):
    source = write_json(tmp_path / "x.json", {"tool": "life_map", "person": "Pat"})
    assert_refused(pcp_render(source, "--out", tmp_path / "x.pdf"), 2, "'life_map' is not a tool")


def test_a_missing_section_is_one_sentence_and_exit_2(tmp_path):
    data = PAT_PROFILE.to_dict()
    del data["best_support"]
    source = write_json(tmp_path / "x.json", data)
    assert_refused(pcp_render(source, "--out", tmp_path / "x.pdf"), 2, "How best to support me")


def test_a_section_of_the_wrong_shape_is_one_sentence_and_exit_2(tmp_path):
    data = copy.deepcopy(KEVIN_CIRCLE.to_dict())
    data["people"][0]["ring"] = 9
    source = write_json(tmp_path / "x.json", data)
    assert_refused(pcp_render(source, "--out", tmp_path / "x.svg"), 2, "people row 1", "9")


def test_an_unknown_extension_and_a_picture_of_a_profile_exit_2(tmp_path):
    source = write_json(tmp_path / "pat.json", PAT_PROFILE.to_dict())
    assert_refused(pcp_render(source, "--out", tmp_path / "pat.odt"), 2, ".odt", ".pdf, .docx, .html, .png, .svg")
    assert_refused(pcp_render(source, "--out", tmp_path / "pat.png"), 2, "Only the relationship circle")
    assert_refused(pcp_render(source, "--out", tmp_path / "no" / "pat.pdf"), 2, "does not exist")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pat.json"]


def test_a_profile_too_long_for_one_page_exits_1_and_writes_nothing(tmp_path):
    data = copy.deepcopy(PAT_PROFILE.to_dict())
    data["best_support"] += [f"Step {n}: always knock, wait for me to answer, and tell me who you are." * 2
                             for n in range(70)]
    source = write_json(tmp_path / "long.json", data)
    result = pcp_render(source, "--out", tmp_path / "long.pdf")
    assert_refused(result, 1, "How best to support me", "8 pt", "words")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.json"]
