"""Any tool as HTML: a self-contained fragment for the pages' preview, or a whole file.

Every piece of typed text passes through :func:`html.escape`, so a name such as
``<img src=x onerror=alert(1)>`` shows as those characters and never becomes markup.
The fragment carries its own small stylesheet, scoped to ``.pcp-doc``, loads nothing
from anywhere, and uses real headings, lists and table headers for screen readers.
"""

from __future__ import annotations

import html

from pcp_widgets.render.blocks import Bullets, Layout, Picture, SideBySide, Table, Text

STYLE = """<style>
.pcp-doc{font-family:"DejaVu Sans",system-ui,sans-serif;color:#000;max-width:60rem;line-height:1.4}
.pcp-doc h2{margin:0 0 .2rem}.pcp-doc h3{margin:1rem 0 .3rem;font-size:1.1rem}
.pcp-doc .pcp-subtitle{color:#444;margin:0 0 .2rem}.pcp-doc .pcp-note{color:#444;font-style:italic}
.pcp-doc table{border-collapse:collapse;width:100%}
.pcp-doc th,.pcp-doc td{border:1px solid #000;padding:.25rem .4rem;vertical-align:top;text-align:left}
.pcp-doc th{background:#e0e0e0}.pcp-doc td ul{margin:0;padding-left:1.1rem}
.pcp-doc .pcp-columns{display:flex;flex-wrap:wrap;gap:1rem}.pcp-doc .pcp-columns>section{flex:1 1 16rem}
.pcp-doc.pcp-profile .pcp-block{border:1px solid #000;padding:0 .6rem .4rem;margin:.6rem 0}
.pcp-doc.pcp-profile .pcp-block h3{background:#e0e0e0;margin:0 -.6rem .3rem;padding:.3rem .6rem}
.pcp-doc figure{margin:.5rem 0}.pcp-doc figure svg{max-width:100%;height:auto}
</style>"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def layout_html(layout: Layout, tool_key: str, layout_kind: str) -> str:
    """The fragment: one ``<section class="pcp-doc">`` with its style, heading and blocks."""
    parts = [
        f'<section class="pcp-doc pcp-{_e(layout_kind)} pcp-tool-{_e(tool_key)}" aria-label="{_e(layout.heading)}">',
        STYLE,
        f"<h2>{_e(layout.heading)}</h2>",
        f'<p class="pcp-subtitle">{_e(layout.subtitle)}</p>',
    ]
    if layout.contributors:
        parts.append(f'<p class="pcp-subtitle">{_e(layout.contributors)}</p>')
    parts += [_BLOCKS[type(block)](block) for block in layout.blocks]
    parts.append("</section>")
    return "\n".join(parts)


def html_page(fragment: str, title: str) -> str:
    """A whole page around a fragment, for ``pcp render ... --out FILE.html``."""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{_e(title)}</title>\n'
            f"</head>\n<body>\n{fragment}\n</body>\n</html>\n")


def _note(text: str) -> str:
    return f'<p class="pcp-note">{_e(text)}</p>'


def _list(items) -> str:
    return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


def _bullets(block: Bullets) -> str:
    body = _list(block.items) if block.items else _note(block.empty_note)
    return f'<section class="pcp-block"><h3>{_e(block.label)}</h3>{body}</section>'


def _text(block: Text) -> str:
    body = "".join(f"<p>{_e(line)}</p>" for line in block.text.splitlines()) if block.text else _note(block.empty_note)
    return f'<section class="pcp-block"><h3>{_e(block.label)}</h3>{body}</section>'


def _cell(lines: tuple[str, ...], flagged: bool, bulleted: bool) -> str:
    inner = _list(lines) if bulleted and lines else "<br>".join(_e(line) for line in lines)
    if flagged and inner:
        return f'<td class="pcp-flag"><strong>{inner}</strong></td>'
    return f"<td>{inner}</td>"


def _table(block: Table) -> str:
    if not block.rows:
        return f'<section class="pcp-block"><h3>{_e(block.label)}</h3>{_note(block.empty_note)}</section>'
    head = "".join(f'<th scope="col">{_e(header)}</th>' for header in block.headers)
    body = "".join(
        "<tr>" + "".join(_cell(lines, n == block.flag_column, n in block.list_columns) for n, lines in enumerate(row)) + "</tr>"
        for row in block.rows
    )
    return (f'<section class="pcp-block"><h3>{_e(block.label)}</h3>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>")


def _side_by_side(block: SideBySide) -> str:
    return '<div class="pcp-columns">' + "".join(_bullets(part) for part in block.parts) + "</div>"


def _picture(block: Picture) -> str:
    """The circle as inline SVG: its names stay text (searchable, read aloud), escaped by matplotlib."""
    from pcp_widgets.render.pictures import circle_picture

    svg = circle_picture(block.person, block.people, "svg").decode("utf-8")
    svg = svg[svg.index("<svg"):]
    label = _e(f"{block.label} of {block.person}; the people are listed in the table below.")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return f'<figure class="pcp-figure">{svg}</figure>'


_BLOCKS = {Bullets: _bullets, Text: _text, Table: _table, SideBySide: _side_by_side, Picture: _picture}
