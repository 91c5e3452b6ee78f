"""The pieces of a self-contained HTML page: figures that name their source, tables, inline
plots, and the page around them.

A report is read by people and checked by tests, so every number on it that comes from a
summary says where it comes from: ``figure("/metrics/fails", 52)`` renders

    <span class="fig" data-metric="/metrics/fails" data-value="52">52</span>

where ``data-metric`` is a JSON Pointer (RFC 6901) into summary.json and ``data-value`` the
value there, as JSON; the text is ``number(value)``. A test parses the page and checks every
such figure against the summary (tests/report/test_html.py).

Plots are matplotlib ``Figure`` objects drawn with the Agg renderer and inlined as base64
PNG without a "Software" entry, so the same figure gives the same bytes; the page loads
nothing from the network (no CDN, no fonts, no scripts from elsewhere).
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

DPI = 100


def esc(text: Any) -> str:
    """``text`` escaped for HTML (quotes too: safe in attributes)."""
    return html.escape(str(text), quote=True)


def number(value: Any) -> str:
    """How the page shows a summary's value: ``1,234``, ``1,234.50``, ``yes``/``no``, ``-`` for none."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def pointer(*keys: str | int) -> str:
    """The JSON Pointer of ``keys`` in summary.json: ``pointer("metrics", "a/b")`` is ``/metrics/a~1b``."""
    return "".join("/" + str(k).replace("~", "~0").replace("/", "~1") for k in keys)


def resolve(document: Any, path: str) -> Any:
    """The value at JSON Pointer ``path`` in ``document`` (KeyError or IndexError if none)."""
    value = document
    for raw in path.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def figure(path: str, value: Any, text: str | None = None) -> str:
    """A summary's value on the page, with its pointer and value as attributes."""
    shown = number(value) if text is None else text
    return (f'<span class="fig" data-metric="{esc(path)}" data-value="{esc(json.dumps(value))}">'
            f"{esc(shown)}</span>")


def part_figure(files: Any, part: str, *keys: str | int, text: str | None = None) -> str:
    """``figure`` of ``part``'s metric at ``keys`` in a run's files (``RunFiles``), with the
    pointer summary.json gives it (the first key qualified by the part if two parts use it)."""
    head, *rest = keys
    name = files.summary_key(part, str(head))
    value: Any = files.metrics[name]
    for key in rest:
        value = value[key]
    return figure(pointer("metrics", name, *rest), value, text)


@dataclass(frozen=True)
class PageFigure:
    """A figure read back from a page: its pointer, its value (decoded) and the text shown."""

    pointer: str
    value: Any
    text: str


class _FigureReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[PageFigure] = []
        self._open: list[tuple[str, Any, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "span" and "data-metric" in named:
            self._open.append((named["data-metric"] or "", json.loads(named.get("data-value") or "null"), []))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._open:
            path, value, text = self._open.pop()
            self.found.append(PageFigure(path, value, "".join(text)))


def read_figures(page: str) -> list[PageFigure]:
    """Every figure of ``page`` that names its place in summary.json, in page order."""
    reader = _FigureReader()
    reader.feed(page)
    reader.close()
    return reader.found


@dataclass
class Table:
    """A table of HTML cells (escape text with ``esc``; figures come escaped)."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    right: set[int] = field(default_factory=set)  # columns aligned right (numbers)
    caption: str = ""

    def html(self) -> str:
        head = "".join(f'<th{" class=num" if i in self.right else ""}>{esc(c)}</th>' for i, c in enumerate(self.columns))
        body = "".join(
            "<tr>" + "".join(f'<td{" class=num" if i in self.right else ""}>{cell}</td>' for i, cell in enumerate(row))
            + "</tr>"
            for row in self.rows
        )
        caption = f"<caption>{esc(self.caption)}</caption>" if self.caption else ""
        thead = f"<thead><tr>{head}</tr></thead>" if any(self.columns) else ""
        return f"<table>{caption}{thead}<tbody>{body}</tbody></table>"


def plot_figure(width: float, height: float, *, rows: int = 1, columns: int = 1, left: float = 0.8,
                right: float = 0.2, top: float = 0.4, bottom: float = 0.65, column_gap: float = 0.8,
                row_gap: float = 0.5) -> Any:
    """A matplotlib ``Figure`` of ``width`` x ``height`` inches whose subplots (a grid of
    ``rows`` x ``columns``, added later) sit within fixed margins and gaps, in inches.

    Fixed margins instead of matplotlib's constrained layout: that layout measures every
    tick label and title of a figure before drawing it, which was 40% of drawing a report's
    figures. The defaults leave room for a title, tick labels of up to seven digits and an
    axis label on each side.
    """
    from matplotlib.figure import Figure

    axes_width = (width - left - right - (columns - 1) * column_gap) / columns
    axes_height = (height - top - bottom - (rows - 1) * row_gap) / rows
    fig = Figure(figsize=(width, height), dpi=DPI)
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height,
                        wspace=column_gap / axes_width, hspace=row_gap / axes_height)
    return fig


def png(fig: Any) -> bytes:
    """A matplotlib ``Figure`` as PNG bytes, the same bytes for the same figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    # zlib level 1: a report's figures encode in a third of the time (about 0.1 s of
    # drawing the smallest scenario's report) for a page about 5% larger
    fig.savefig(buffer, dpi=DPI, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def image(fig: Any, alt: str) -> str:
    """A figure inlined as a base64 PNG ``<img>`` with its alternative text."""
    data = base64.b64encode(png(fig)).decode("ascii")
    return f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}"></figure>'


@dataclass
class Section:
    """One titled section of a page: ``blocks`` are HTML fragments, in order."""

    title: str
    id: str
    blocks: list[str] = field(default_factory=list)

    def add(self, *blocks: str | Table) -> Section:
        self.blocks.extend(b.html() if isinstance(b, Table) else b for b in blocks)
        return self

    def html(self) -> str:
        return f'<section id="{esc(self.id)}"><h2>{esc(self.title)}</h2>{"".join(self.blocks)}</section>'


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:1rem 2rem}header h1{margin:0 0 .3rem 0;font-size:1.5rem}
header p{margin:0;color:#cfd6e0}nav{padding:.5rem 2rem;background:#e8ebf0;font-size:.9rem}
nav a{margin-right:1rem;color:#1d4ed8;text-decoration:none}main{padding:0 2rem 2rem 2rem;max-width:1200px}
section{background:#fff;border:1px solid #dde2ea;border-radius:6px;padding:.5rem 1.2rem 1rem;margin:1rem 0}
h2{font-size:1.2rem;border-bottom:1px solid #e5e8ee;padding-bottom:.3rem}h3{font-size:1rem;margin:1rem 0 .4rem}
table{border-collapse:collapse;margin:.5rem 0 1rem 0;font-size:.88rem}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #e5e8ee;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f0f2f6}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:.5rem 0}figure img{max-width:100%;height:auto;border:1px solid #eef0f4}
.banner{padding:.7rem 1rem;border-radius:6px;margin:1rem 0;font-weight:600}
.done{background:#e6f4ea;color:#14532d}.failed{background:#fde8e8;color:#7f1d1d}.interrupted{background:#fff4e0;color:#7c4a03}
.cards{display:flex;flex-wrap:wrap;gap:.6rem}.card{border:1px solid #dde2ea;border-radius:6px;padding:.5rem .8rem;min-width:11rem}
.card .fig{display:block;font-size:1.35rem;font-weight:600}.card .label{font-size:.8rem;color:#4b5563}
.note{color:#4b5563;font-size:.88rem}code{background:#f0f2f6;padding:0 .2rem;border-radius:3px}
#events-filter label{margin-right:1rem;font-size:.9rem}#events-filter input,#events-filter select{font-size:.9rem}
#events-table td{font-size:.8rem}#events-table td.detail{font-family:ui-monospace,monospace;word-break:break-all}
"""

SCRIPT = """
(function(){
  var data=JSON.parse(document.getElementById('events-data').textContent);
  var rows=data.rows, limit=data.limit, body=document.querySelector('#events-table tbody');
  var actor=document.getElementById('f-actor'), act=document.getElementById('f-act'),
      outcome=document.getElementById('f-outcome'), count=document.getElementById('events-count');
  function fill(select, index){
    var seen={}; rows.forEach(function(r){seen[r[index]]=true;});
    Object.keys(seen).sort().forEach(function(v){var o=document.createElement('option');o.value=v;o.textContent=v;select.appendChild(o);});
  }
  fill(act,3); fill(outcome,4);
  var actors={}; rows.forEach(function(r){actors[r[2]]=true;});
  var list=document.getElementById('f-actors');
  Object.keys(actors).sort().forEach(function(v){var o=document.createElement('option');o.value=v;list.appendChild(o);});
  function cell(text){var td=document.createElement('td');td.textContent=text;return td;}
  function render(){
    var a=actor.value.trim().toLowerCase(), b=act.value, c=outcome.value, shown=0, matched=0;
    while(body.firstChild){body.removeChild(body.firstChild);}
    rows.forEach(function(r){
      if(a && r[2].toLowerCase().indexOf(a)<0){return;} if(b && r[3]!==b){return;} if(c && r[4]!==c){return;}
      matched++; if(shown>=limit){return;} shown++;
      var tr=document.createElement('tr');
      [r[0],r[1],r[2],r[3],r[4]].forEach(function(v){tr.appendChild(cell(v));});
      var d=cell(r[5]); d.className='detail'; tr.appendChild(d); tr.className='o-'+r[4];
      body.appendChild(tr);
    });
    count.textContent=matched+' of '+rows.length+' records match'+(matched>shown?'; the first '+shown+' shown (narrow the filter to see the rest)':'');
  }
  [actor,act,outcome].forEach(function(e){e.addEventListener('input',render);e.addEventListener('change',render);});
  render();
})();
"""


def events_block(rows: list[list[Any]], note: str, limit: int = 500) -> str:
    """The events table: its filter (actor, act, outcome), the rows as JSON in the page, and
    the script that shows the first ``limit`` rows that match."""
    payload = json.dumps({"rows": rows, "limit": limit}, separators=(",", ":"), ensure_ascii=True)
    payload = payload.replace("</", "<\\/")  # never ends the script element early
    return (
        f'<p class="note">{note}</p>'
        '<div id="events-filter">'
        '<label>actor <input id="f-actor" list="f-actors" placeholder="any (part of a name)"></label>'
        '<datalist id="f-actors"></datalist>'
        '<label>act <select id="f-act"><option value="">any</option></select></label>'
        '<label>outcome <select id="f-outcome"><option value="">any</option></select></label>'
        '<span id="events-count" class="note"></span></div>'
        '<table id="events-table"><thead><tr><th>seq</th><th>time (UTC)</th><th>actor</th><th>act</th>'
        '<th>outcome</th><th>details</th></tr></thead><tbody></tbody></table>'
        f'<script type="application/json" id="events-data">{payload}</script>'
    )


def document(title: str, subtitle: str, sections: Iterable[Section], *, script: bool = True) -> str:
    """The whole page: header, a link to each section, the sections, the events script."""
    sections = list(sections)
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    body = "".join(s.html() for s in sections)
    tail = f"<script>{SCRIPT}</script>" if script else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><p>{subtitle}</p></header><nav>{nav}</nav><main>{body}</main>"
        f"{tail}</body></html>\n"
    )


__all__ = ["PageFigure", "Section", "Table", "document", "esc", "events_block", "figure", "image", "number",
           "part_figure", "png", "pointer", "read_figures", "resolve"]
