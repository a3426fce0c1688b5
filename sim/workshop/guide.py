"""The facilitator guide (``docs/guide-animation.fr.md``, ``docs/facilitator-guide.en.md``): its
text, and a self-contained printable HTML page of it."""

from __future__ import annotations

from html import escape
from pathlib import Path

from markdown_it import MarkdownIt

DOCS = Path(__file__).resolve().parents[2] / "docs"
FILES = {"fr": "guide-animation.fr.md", "en": "facilitator-guide.en.md"}

_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#111}table{border-collapse:collapse;width:100%;margin:1rem 0}"
    "th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:1.6rem}"
    "@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}"
)


def text(lang: str) -> str:
    """The guide in Markdown, in ``lang`` (French unless ``"en"``)."""
    return (DOCS / FILES["en" if lang == "en" else "fr"]).read_text(encoding="utf-8")


def html(lang: str) -> str:
    """The guide as one printable HTML page (no external resource)."""
    md = text(lang)
    title = md.splitlines()[0].lstrip("# ").strip()
    body = MarkdownIt("commonmark").enable("table").render(md)
    code = "en" if lang == "en" else "fr"
    return (
        f'<!doctype html><html lang="{code}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>"
    )
