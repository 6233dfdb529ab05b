"""The frame every page shares: one stylesheet, the header, the status line and its guard."""

import ipywidgets as widgets

from pcp_widgets.errors import PcpError
from pcp_widgets.pages import START_PAGE, tool_page_path
from pcp_widgets.ui.frame import UNEXPECTED, PageFrame, StatusLine, header_html, stylesheet


def test_a_mistake_a_person_made_is_said_in_its_own_words(capsys):
    status = StatusLine("test page")
    with status.guarded():
        raise PcpError("There is no practice session with the code ZZZZZZ.")
    assert "There is no practice session with the code ZZZZZZ." in status.value
    assert 'role="status"' in status.value
    assert capsys.readouterr().err == ""


def test_an_unexpected_failure_is_one_plain_sentence_on_the_page_and_a_traceback_in_the_log(capfd):
    status = StatusLine("test page")
    result = status.run(lambda: 1 / 0)
    assert result is None
    assert UNEXPECTED.split(";")[0] in status.value
    assert "Traceback" not in status.value and "ZeroDivisionError" not in status.value
    logged = capfd.readouterr().err
    assert "the test page failed unexpectedly" in logged and "ZeroDivisionError" in logged and "Traceback" in logged


def test_what_went_well_is_returned_and_said_as_text():
    status = StatusLine()
    assert status.run(lambda: 42) == 42
    status.say("<b>Saved</b> at 10:32")
    assert "&lt;b&gt;Saved&lt;/b&gt;" in status.value
    status.say("")
    assert status.value == ""


def test_every_page_but_the_start_page_links_back_to_it():
    tool = header_html(tool_page_path("one_page_profile"))
    assert 'href="start_here.ipynb"' in tool and "<h1>One-page profile</h1>" in tool
    start = header_html(START_PAGE.path, title="Person-centred planning workbook")
    assert "Back to the start page" not in start and "<h1>Person-centred planning workbook</h1>" in start


def test_the_frame_puts_the_stylesheet_once_then_the_header_the_status_and_the_parts():
    class Page(PageFrame):
        what = "test page"

        def __init__(self):
            super().__init__()
            self.part = widgets.HTML("part")
            self.frame(tool_page_path("one_page_profile"), self.part, intro="First.\n\nSecond <b>.")

    page = Page()
    head, status, part = page.widget.children
    assert head.value.count("<style>") == 1 and stylesheet() in head.value
    assert "<p>First.</p><p>Second &lt;b&gt;.</p>" in head.value
    assert status is page.status and part is page.part
    assert "pcp-page" in page.widget._dom_classes
    assert "application/vnd.jupyter.widget-view+json" in page._repr_mimebundle_()
