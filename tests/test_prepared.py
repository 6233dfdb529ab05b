"""A download made on request: the link appears after the button, and a failure is one sentence."""

from __future__ import annotations

from pcp_widgets.ui.prepared import Prepared, PreparedDownload


def test_the_link_appears_only_after_the_button_and_names_the_file_escaped():
    made = []

    def make():
        made.append(1)
        return Prepared(b"x" * 3000, "a<b>.pdf", "Save <it>", "application/pdf")

    download = PreparedDownload("Prepare it", make, "handout")
    assert made == [] and download.link.value == ""
    download.button.click()
    assert made == [1]
    assert 'download="a&lt;b&gt;.pdf"' in download.link.value
    assert "Save &lt;it&gt; (2 KB)" in download.link.value


def test_a_failure_is_one_sentence_on_the_page_and_the_trace_goes_to_the_log(capfd):
    def make():
        raise OSError("disk on fire")

    download = PreparedDownload("Prepare it", make, "handout")
    download.button.click()
    assert "The handout could not be made" in download.link.value
    assert "disk on fire" not in download.link.value
    assert "disk on fire" in capfd.readouterr().err
