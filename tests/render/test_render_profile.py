"""The one-page profile: exactly one A4 portrait page, never below 8 pt, or refused with advice."""

from __future__ import annotations

import copy

import pytest

from pcp_widgets.render import DoesNotFit, render, render_bytes
from pcp_widgets.render.profile import fit_profile
from pcp_widgets.tools import document_from_dict
from pcp_widgets.tools.examples import PAT_PROFILE
from tests.support.render_documents import docx_text, document_texts, is_a4_portrait, read_pdf, squeeze

LABELS = ("What people like and admire about me", "What is important to me", "How best to support me")
STEP = ("When I ask for a cup of tea, make it with milk and one sugar, and bring it to my chair by the "
        "window so I can watch the birds.")


def with_items(section: str, count: int, base=PAT_PROFILE, text: str = STEP) -> dict:
    data = copy.deepcopy(base.to_dict())
    data[section] = data[section] + [f"{n + 1}. {text}" for n in range(count)]
    return data


def assert_one_legible_page(data: bytes, texts: list[str]) -> None:
    facts = read_pdf(data)
    assert facts.pages == 1
    assert is_a4_portrait(facts.sizes[0])
    assert round(facts.smallest_font, 3) >= 8
    for text in texts:
        assert squeeze(text) in facts.stream_text, text


def test_pats_profile_is_one_a4_page_with_every_item_and_her_name():
    data = render_bytes(PAT_PROFILE, "pdf")
    assert_one_legible_page(data, document_texts(PAT_PROFILE) + list(LABELS))
    facts = read_pdf(data)
    assert facts.text.splitlines()[0].strip() == "Pat"
    assert fit_profile(PAT_PROFILE).size == 12  # a real profile needs no shrinking


def test_a_long_profile_shrinks_but_stays_at_8_pt_or_more():
    document = document_from_dict(with_items("best_support", 14))
    fit = fit_profile(document)
    assert 8 <= fit.size < 12
    assert_one_legible_page(render_bytes(document, "pdf"), document_texts(document))


@pytest.mark.parametrize("section", ["appreciation", "important_to", "best_support"])
def test_an_overlong_profile_is_refused_naming_the_section(section, tmp_path):
    document = document_from_dict(with_items(section, 60))
    label = document.tool_spec.section(section).label
    out = tmp_path / "profile.pdf"
    with pytest.raises(DoesNotFit) as refused:
        render(document, out)
    message = str(refused.value)
    assert message.startswith(label) and "8 pt" in message and "words" in message
    assert message.count(".") == 1 and "\n" not in message  # one sentence
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind either


def test_a_refused_render_leaves_an_earlier_file_untouched(tmp_path):
    out = tmp_path / "profile.pdf"
    render(PAT_PROFILE, out)
    before = out.read_bytes()
    with pytest.raises(DoesNotFit):
        render(document_from_dict(with_items("best_support", 60)), out)
    assert out.read_bytes() == before


def cut_words(data: dict, cuts, share: float = 1.0) -> dict:
    """``data`` with about ``share`` of the advised words cut, whole items from the end."""
    data = copy.deepcopy(data)
    for label, words in cuts:
        key = next(s.key for s in PAT_PROFILE.tool_spec.sections if s.label == label)
        removed = 0
        while removed < words * share:
            removed += len(data[key].pop().split())
    return data


@pytest.mark.parametrize("section, extra", [("best_support", 35), ("important_to", 45), ("best_support", 80)])
def test_the_advice_is_about_right(section, extra):
    """Cut that many words from that section and it prints; cut half as many and it still does not."""
    data = with_items(section, extra)
    with pytest.raises(DoesNotFit) as refused:
        fit_profile(document_from_dict(data))
    assert fit_profile(document_from_dict(cut_words(data, refused.value.cuts))).size >= 8
    with pytest.raises(DoesNotFit):
        fit_profile(document_from_dict(cut_words(data, refused.value.cuts, share=0.5)))


def test_when_every_section_is_long_the_advice_names_each_of_them():
    data = with_items("appreciation", 40)
    data["important_to"] += [f"Important {n}: {STEP}" for n in range(40)]
    data["best_support"] += [f"Support {n}: {STEP}" for n in range(40)]
    with pytest.raises(DoesNotFit) as refused:
        fit_profile(document_from_dict(data))
    message = str(refused.value)
    assert all(label in message for label in LABELS)
    assert len(refused.value.cuts) == 3


def test_typed_markup_and_any_script_print_as_written():
    hostile = "<img src=x onerror=alert(1)> & <b>not bold</b>"
    data = copy.deepcopy(PAT_PROFILE.to_dict())
    data["person"] = "Zoë Łukasz Ольга"
    data["appreciation"] = [hostile, "Ελπίδα: always hopeful"]
    document = document_from_dict(data)
    facts = read_pdf(render_bytes(document, "pdf"))
    assert squeeze(hostile) in facts.stream_text
    assert "ZoëŁukaszОльга" in facts.stream_text
    assert "Ελπίδα" in facts.text


def test_a_blank_profile_prints_with_the_prompts_to_write_against():
    blank = document_from_dict({"tool": "one_page_profile", "person": "Sam", "appreciation": [],
                                "important_to": [], "best_support": []})
    prompts = [s.prompt for s in blank.tool_spec.sections]
    assert_one_legible_page(render_bytes(blank, "pdf"), prompts)


def test_word_and_html_forms_hold_every_item():
    texts = document_texts(PAT_PROFILE)
    word = docx_text(render_bytes(PAT_PROFILE, "docx"))
    page = render_bytes(PAT_PROFILE, "html").decode()
    for text in texts + list(LABELS):
        assert text in word
    for text in texts:
        assert text.replace("'", "&#x27;") in page


# -- columns: a short list stays in one, a long one is split evenly --------------------------------


def item_columns(data: bytes, items: list[str]) -> list[float]:
    """Where each item starts across the printed page (its first word's left edge, in points)."""
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        words = pdf.pages[0].extract_words()
    starts = []
    for item in items:
        first = item.split()[0]
        starts.append(round(next(w["x0"] for w in words if w["text"] == first)))
    return starts


def test_a_short_list_is_printed_in_one_column():
    data = copy.deepcopy(PAT_PROFILE.to_dict())
    data["appreciation"] = ["Bubbly", "Kindness", "Funny"]
    pdf = render_bytes(document_from_dict(data), "pdf")
    assert len(set(item_columns(pdf, data["appreciation"]))) == 1


def test_a_long_list_of_short_items_is_split_into_two_columns_with_no_stub():
    data = copy.deepcopy(PAT_PROFILE.to_dict())
    data["appreciation"] = [f"Quality{n:02d} noticed by everyone" for n in range(1, 9)]
    pdf = render_bytes(document_from_dict(data), "pdf")
    starts = item_columns(pdf, data["appreciation"])
    assert len(set(starts)) == 2
    assert min(starts.count(x) for x in set(starts)) >= 3
    assert starts == sorted(starts)  # read down the first column, then the second
