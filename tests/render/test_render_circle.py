"""The relationship circle: names in their quarter and ring, never overlapping, text kept as text."""

from __future__ import annotations

import dataclasses
import io
import itertools
import math
import xml.etree.ElementTree as ET

import matplotlib.image
import pytest

from pcp_widgets.render import UnsupportedFormat, render, render_bytes
from pcp_widgets.render.circle import PNG_DPI, QUARTER_SIGNS, RING_EDGES, circle_figure
from pcp_widgets.render.circle_counts import circle_counts
from pcp_widgets.tools.examples import KEVIN_CIRCLE
from tests.support.render_documents import circle_document, circle_people, docx_text, read_pdf, squeeze

GROUP_SIGNS = dict(zip(("family", "friends", "paid", "community"), QUARTER_SIGNS))


def drawn_texts(figure, prefix: str):
    """(text, window extent) of every text whose gid starts with ``prefix``, measured as drawn."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    return [(t, t.get_window_extent(renderer)) for t in figure.findobj(lambda a: hasattr(a, "get_gid")
                                                                        and (a.get_gid() or "").startswith(prefix))]


def assert_no_overlaps(figure) -> None:
    names = drawn_texts(figure, "name-")
    fixed = [(t, t.get_window_extent(figure.canvas.get_renderer())) for t in figure.axes[0].texts
             if not (t.get_gid() or "").startswith("name-")]
    for (a, box_a), (b, box_b) in itertools.combinations(names, 2):
        assert not box_a.overlaps(box_b), (a.get_text(), b.get_text())
    for (a, box_a), (b, box_b) in itertools.product(names, fixed):
        assert not box_a.overlaps(box_b), (a.get_text(), b.get_text())
    figure_box = figure.bbox
    for text, box in names:
        assert figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1, text.get_text()


def assert_in_quarter_and_ring(figure, people) -> None:
    where = {" ".join(p["name"].split()): (p["group"], p["ring"]) for p in people}
    axes = figure.axes[0]
    to_data = axes.transData.inverted()
    for text, box in drawn_texts(figure, "name-"):
        label = " ".join(text.get_text().split())
        if label.startswith("+"):
            continue
        group, ring = where.pop(label)
        corners = to_data.transform([(box.x0, box.y0), (box.x1, box.y0), (box.x0, box.y1), (box.x1, box.y1)])
        sx, sy = GROUP_SIGNS[group]
        for x, y in corners:
            assert x * sx > 0 and y * sy > 0, (label, group)
            assert RING_EDGES[ring - 1] <= math.hypot(x, y) <= RING_EDGES[ring], (label, ring)


@pytest.mark.parametrize("count", [12, 40, 60])
def test_every_name_is_drawn_in_its_place_without_overlapping(count):
    people = circle_people(count)
    figure = circle_figure("Kevin", people)
    assert_no_overlaps(figure)
    assert_in_quarter_and_ring(figure, people)
    drawn = {" ".join(t.get_text().split()) for t, _ in drawn_texts(figure, "name-")}
    assert drawn == {p["name"] for p in people}  # nobody left out, no "+N more"


def test_names_still_do_not_overlap_at_the_resolution_the_png_is_saved_at():
    figure = circle_figure("Kevin", circle_people(60))
    figure.set_dpi(PNG_DPI)
    assert_no_overlaps(figure)


@pytest.mark.parametrize("count", [25, 40])
def test_a_crowded_ring_shows_as_many_as_fit_plus_n_more_and_lists_the_rest(count):
    people = circle_people(count, crowd=("family", 1))
    figure = circle_figure("Kevin", people)
    assert_no_overlaps(figure)
    assert_in_quarter_and_ring(figure, people)
    drawn = [" ".join(t.get_text().split()) for t, _ in drawn_texts(figure, "name-")]
    more = [label for label in drawn if label.startswith("+")]
    shown = len(drawn) - 1
    assert more == [f"+{count - shown} more"] and shown >= 5
    assert drawn[:shown] == [p["name"] for p in people[:shown]]
    beside = squeeze(" ".join(t.get_text() for t in figure.texts))
    listed = [p for p in people[shown:] if squeeze(p["name"]) in beside]
    if len(listed) < count - shown:  # no room for all of them: the list says where they are
        assert "seethelistofpeople" in beside
        assert len(listed) >= 15
    else:
        assert "seethelistofpeople" not in beside


def test_svg_keeps_every_name_as_text_and_escapes_markup():
    people = circle_people(40) + [{"name": "<img src=x onerror=alert(1)>", "group": "friends", "ring": 4,
                                   "note": ""}]
    svg = render_bytes(circle_document(people), "svg")
    root = ET.fromstring(svg)  # well-formed XML: the markup in the name was escaped
    texts = squeeze("".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")))
    for person in people:
        assert squeeze(person["name"]) in texts
    assert b"<img" not in svg


def test_png_is_a_greyscale_picture_readable_in_black_and_white(tmp_path):
    out = render(KEVIN_CIRCLE, tmp_path / "kevin.png")
    pixels = matplotlib.image.imread(io.BytesIO(out.read_bytes()), format="png")[..., :3]
    assert pixels.shape[0] > 800 and pixels.shape[1] > 1200
    spread = (pixels.max(axis=2) - pixels.min(axis=2)).max()
    assert spread < 0.02  # every pixel a grey: no meaning carried by colour


def test_pdf_is_one_page_with_every_name_and_the_counts():
    facts = read_pdf(render_bytes(KEVIN_CIRCLE, "pdf"))
    assert facts.pages == 1
    for person in KEVIN_CIRCLE.sections["people"]:
        assert squeeze(person["name"]) in facts.stream_text
    for label in ("Family", "Friends", "Paidsupporters", "Community", "Paid", "Unpaid", "Everyone"):
        assert label in facts.stream_text


def test_counts_by_group_and_paid_versus_unpaid():
    counts = circle_counts(KEVIN_CIRCLE.sections["people"])
    assert counts.by_group == {"family": 3, "friends": 3, "paid": 3, "community": 3}
    assert (counts.paid, counts.unpaid, counts.total) == (3, 9, 12)
    assert counts.by_ring == {1: 2, 2: 4, 3: 4, 4: 2}


def test_word_and_html_forms_have_the_picture_the_counts_and_every_person():
    word = docx_text(render_bytes(KEVIN_CIRCLE, "docx"))
    page = render_bytes(KEVIN_CIRCLE, "html").decode()
    for person in KEVIN_CIRCLE.sections["people"]:
        assert person["name"] in word
        assert person["name"] in page
    assert "Unpaid" in word and "<svg" in page and 'role="img"' in page


def test_a_long_name_at_the_centre_falls_back_to_me():
    figure = circle_figure("Bartholomew Maximilian Fotheringay-Phipps the Third of Little Snoring", [])
    centre = drawn_texts(figure, "centre")[0][0]
    assert centre.get_text() == "Me"
    assert "Bartholomew" in figure.texts[0].get_text()  # the title keeps the whole name


def test_mathtext_is_not_interpreted_in_names():
    figure = circle_figure("Kevin", [{"name": "$x^2$ Dollar", "group": "family", "ring": 2, "note": ""}])
    assert [t.get_text() for t, _ in drawn_texts(figure, "name-")] == ["$x^2$ Dollar"]


def test_pictures_are_only_for_the_circle():
    from pcp_widgets.tools.examples import PAT_PROFILE

    for fmt in ("png", "svg"):
        with pytest.raises(UnsupportedFormat, match="Only the relationship circle is a picture"):
            render_bytes(PAT_PROFILE, fmt)


def test_a_name_in_a_script_the_font_lacks_still_renders_quietly(recwarn):
    people = [{"name": "李小龍 🙂", "group": "friends", "ring": 2, "note": ""}]
    svg = render_bytes(circle_document(people), "svg")
    assert "李小龍" in svg.decode()
    assert not [w for w in recwarn if "Glyph" in str(w.message)]


# -- the worked example's picture, kept between pages ------------------------------------------


OPEN_THE_PAGE = """
import sys
from pcp_widgets.ui.tool_page import tool_page
page = tool_page("relationship_circle")
print("matplotlib" in sys.modules)
"""


def open_circle_page(cache) -> bool:
    """Open the relationship circle page in a fresh process; whether it had to import matplotlib."""
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", OPEN_THE_PAGE], capture_output=True, text=True, check=True,
                            env={**os.environ, "PCP_CACHE_DIR": str(cache)})
    return result.stdout.strip().splitlines()[-1] == "True"


def test_the_worked_example_is_drawn_once_then_read_back_by_later_pages(tmp_path):
    """The page opens on Kevin's circle: the first page draws it (with matplotlib), later ones
    read the same picture back without importing matplotlib, which is most of a second."""
    cache = tmp_path / "cache"
    assert open_circle_page(cache)
    # the worked example as the page shows it (and as a PNG for the handout, which the page makes too)
    assert sorted(path.suffix for path in cache.glob("circle-*")) == [".png", ".svg"]
    assert not open_circle_page(cache)


def test_a_cached_picture_is_the_picture_drawn(tmp_path, monkeypatch):
    from pcp_widgets.render.circle import circle_bytes

    monkeypatch.setenv("PCP_CACHE_DIR", str(tmp_path))
    people = KEVIN_CIRCLE.sections["people"]
    drawn = circle_bytes(KEVIN_CIRCLE.person, people, "png", KEVIN_CIRCLE.heading)
    assert render_bytes(KEVIN_CIRCLE, "png") == drawn  # drawn, and kept
    [kept] = tmp_path.iterdir()
    assert kept.read_bytes() == drawn
    kept.write_bytes(b"read back")
    assert render_bytes(KEVIN_CIRCLE, "png") == b"read back"  # read, not drawn again


def test_a_persons_own_circle_is_never_written_to_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PCP_CACHE_DIR", str(tmp_path))
    document = circle_document(circle_people(3))
    assert render_bytes(document, "png").startswith(b"\x89PNG")
    assert render_bytes(document, "html")
    changed = KEVIN_CIRCLE.sections["people"][1:]  # the example with someone taken out is someone's own
    render_bytes(dataclasses.replace(KEVIN_CIRCLE, sections={**KEVIN_CIRCLE.sections, "people": changed}), "png")
    assert list(tmp_path.iterdir()) == []


def test_a_cache_folder_that_cannot_be_written_still_gives_the_picture(tmp_path, monkeypatch):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setenv("PCP_CACHE_DIR", str(blocked / "cache"))
    assert render_bytes(KEVIN_CIRCLE, "png").startswith(b"\x89PNG")
