"""The progress helper: a bar on a terminal (or when asked), silence elsewhere, widgets on pages."""

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios

import ipywidgets as widgets

from pcp_widgets.progress import terminal_progress, widget_progress

SCRIPT = """
from pcp_widgets.progress import terminal_progress
with terminal_progress() as progress:
    progress(0, 10, "Checking march.xlsx")
    progress(10, 10, "Checking march.xlsx")
"""


def _run_with_stderr_on_a_terminal(env_extra: dict) -> str:
    """Run SCRIPT with stderr on a pseudo-terminal and return what it drew there."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a real terminal's size
    env = {k: v for k, v in os.environ.items() if k != "PCP_PROGRESS"}
    env.update(env_extra)
    process = subprocess.run([sys.executable, "-c", SCRIPT], stderr=slave, stdout=subprocess.PIPE, env=env,
                             timeout=120)
    # The terminal stays open on our side until everything drawn on it has been read.
    drawn = b""
    while select.select([master], [], [], 0)[0]:
        drawn += os.read(master, 65536)
    os.close(slave)
    os.close(master)
    assert process.returncode == 0
    assert process.stdout == b""
    return drawn.decode("utf-8", "replace")


def test_draws_a_bar_when_stderr_is_a_terminal():
    drawn = _run_with_stderr_on_a_terminal({})
    assert "Checking march.xlsx" in drawn
    assert "0/10" in drawn


def test_pcp_progress_0_silences_the_bar_even_on_a_terminal():
    assert _run_with_stderr_on_a_terminal({"PCP_PROGRESS": "0"}) == ""


def test_prints_nothing_when_stderr_is_not_a_terminal(capsys, monkeypatch):
    monkeypatch.delenv("PCP_PROGRESS", raising=False)
    with terminal_progress() as progress:
        progress(3, 10, "Checking march.xlsx")
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_pcp_progress_1_forces_the_bar_on_stderr(capsys, monkeypatch):
    monkeypatch.setenv("PCP_PROGRESS", "1")
    with terminal_progress() as progress:
        progress(3, 10, "Checking march.xlsx")
    captured = capsys.readouterr()
    assert "Checking march.xlsx" in captured.err and "3/10" in captured.err
    assert captured.out == ""


def test_disabled_prints_nothing_even_when_forced(capsys, monkeypatch):
    monkeypatch.setenv("PCP_PROGRESS", "1")
    with terminal_progress(enabled=False) as progress:
        progress(3, 10, "Checking march.xlsx")
    assert capsys.readouterr().err == ""


def test_a_new_file_starts_the_bar_again(capsys, monkeypatch):
    monkeypatch.setenv("PCP_PROGRESS", "1")
    with terminal_progress() as progress:
        progress(8, 10, "Checking march.xlsx")
        progress(1, 4, "Checking april.xlsx")
    err = capsys.readouterr().err
    assert "8/10" in err and "1/4" in err and "Checking april.xlsx" in err


def test_the_bar_is_closed_when_the_work_fails(capsys, monkeypatch):
    monkeypatch.setenv("PCP_PROGRESS", "1")
    try:
        with terminal_progress() as progress:
            progress(1, 2, "Checking march.xlsx")
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    with terminal_progress() as progress:
        progress(1, 3, "second bar")
    err = capsys.readouterr().err
    assert "second bar" in err


def test_widget_progress_moves_the_bar_and_label():
    bar, label = widgets.IntProgress(), widgets.Label()
    progress = widget_progress(bar, label)
    progress(0, 200, "Reading march.xlsx")
    assert (bar.value, bar.max, label.value) == (0, 200, "Reading march.xlsx")
    progress(150, 200, "Checking march.xlsx: File audit")
    assert (bar.value, bar.max, label.value) == (150, 200, "Checking march.xlsx: File audit")
    progress(5, 10, "Checking april.xlsx")
    assert (bar.value, bar.max) == (5, 10)
    progress(0, 0, "Reading empty.xlsx")
    assert (bar.value, bar.max) == (0, 1)
    progress.reset("Ready")
    assert (bar.value, label.value) == (0, "Ready")
