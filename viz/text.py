"""Text from files and links, rendered as text.

``solara.Markdown`` turns its text into a Vue template: ``{{ 7*7 }}`` in a scenario's
title is evaluated in the browser and raw HTML (``<img onerror=...>``) is kept. Nothing
here produces HTML: :func:`Prose` parses a small subset of Markdown (paragraphs,
``#`` headings, ``-`` and ``1.`` lists, ``>`` quotes, ``**bold**`` and ```code```) into
elements whose children are plain strings, which the browser shows as text nodes: no
template is compiled and no markup is parsed. (It also keeps Solara's Markdown component,
and its request for KaTeX from a public CDN, off the page.)
"""

from __future__ import annotations

import re

import reacton.ipyvuetify as rv
import solara

_INLINE = re.compile(r"(\*\*[^*\n]+?\*\*|`[^`\n]+`)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\d+[.)]\s+(.*)$")


def inline(text: str) -> list:
    """``text`` as strings and ``<b>``/``<code>`` elements holding strings."""
    out: list = []
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            out.append(rv.Html(tag="b", children=[part[2:-2]]))
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            out.append(rv.Html(tag="code", children=[part[1:-1]]))
        else:
            out.append(part)
    return out


def blocks(text: str) -> list:
    """The blocks of ``text`` as elements (see the module doc for the subset)."""
    lines = str(text).replace("\r\n", "\n").split("\n")
    out: list = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
            continue
        if line.lstrip().startswith(">"):
            quoted = []
            while i < len(lines) and lines[i].lstrip().startswith(">"):
                quoted.append(re.sub(r"^\s*>\s?", "", lines[i]))
                i += 1
            out.append(rv.Html(tag="blockquote", children=blocks("\n".join(quoted)),
                               style_="border-left:4px solid #ccc;padding-left:12px;color:#555;margin:8px 0"))
            continue
        heading = _HEADING.match(line.strip())
        if heading:
            level = min(6, len(heading.group(1)) + 1)
            out.append(rv.Html(tag=f"h{level}", children=inline(heading.group(2)), style_="margin:8px 0"))
            i += 1
            continue
        for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
            if pattern.match(line.strip()):
                items = []
                while i < len(lines) and pattern.match(lines[i].strip()):
                    items.append(rv.Html(tag="li", children=inline(pattern.match(lines[i].strip()).group(1))))
                    i += 1
                out.append(rv.Html(tag=tag, children=items, style_="margin:4px 0 8px 0"))
                break
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not (
                    lines[i].lstrip().startswith(">") or _HEADING.match(lines[i].strip())
                    or _BULLET.match(lines[i].strip()) or _NUMBERED.match(lines[i].strip())):
                para.append(lines[i].strip())
                i += 1
            out.append(rv.Html(tag="p", children=inline(" ".join(para)), style_="margin:4px 0 8px 0"))
    return out


@solara.component
def Prose(text: str, classes: list[str] | None = None, style: str = ""):
    """``text`` (the Markdown subset) as text elements: never a template, never raw HTML."""
    return rv.Html(tag="div", class_=" ".join(["cb-prose", *(classes or [])]), style_=style, children=blocks(text))


@solara.component
def Plain(text: str, tag: str = "div", classes: list[str] | None = None, style: str = ""):
    """``text`` exactly as written, as one text node."""
    return rv.Html(tag=tag, class_=" ".join(classes or []), style_=style, children=[str(text)])
