"""A download made on request: the link appears after the button, and a failure is one sentence."""

from __future__ import annotations

from pcp_widgets.ui.prepared import Prepared, PreparedDownload, ReadyDownload


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


def test_a_ready_download_is_a_link_from_the_start_so_saving_it_is_one_click():
    download = ReadyDownload(lambda: Prepared(b"%PDF-1.7", "handout.pdf", "Download a handout (PDF)",
                                              "application/pdf"), "handout (PDF)")
    assert 'download="handout.pdf"' in download.link.value and "Preparing" not in download.link.value


def test_a_handout_is_made_once_and_read_back_from_the_cache(tmp_path, monkeypatch):
    from pcp_widgets.render import handout as handouts
    from pcp_widgets.render.cache import CACHE_DIR_VARIABLE

    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(tmp_path))
    first = handouts.handout("one_page_profile", "pdf")
    [kept] = tmp_path.glob("handout-*.pdf")
    assert kept.read_bytes() == first
    kept.write_bytes(b"what the cache holds")  # a second making would not give these bytes
    assert handouts.handout("one_page_profile", "pdf") == b"what the cache holds"
    assert handouts.handout("one_page_profile", "docx") != b"what the cache holds"
