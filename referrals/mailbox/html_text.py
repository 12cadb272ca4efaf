"""Readable plain text from an HTML email, with no markup left in it."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from .text import tidy

# Elements whose content is never text for a reader (and must never be kept).
_SKIPPED = {"script", "style", "title", "noscript", "template", "iframe", "object", "svg"}
# Elements that start a new paragraph; a few others get a line break or a space.
_BLOCKS = {
    "address", "article", "aside", "blockquote", "div", "dl", "dt", "dd", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
_OPENING = {"br": "\n", "li": "\n• ", "td": " ", "th": " "}
_CLOSING = {"li": ""}  # the next item, or the list's end, breaks the line


class _TextExtractor(HTMLParser):
    """Keeps the words and the paragraph breaks; drops every tag, attribute, script and style."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            # Whatever was left open before the body (an unclosed <title>), the body is text.
            self.skipping.clear()
        elif tag in _SKIPPED:
            self.skipping.append(tag)
        elif not self.skipping:
            self.parts.append(_OPENING.get(tag, "\n\n" if tag in _BLOCKS else ""))

    def handle_startendtag(self, tag, attrs):
        if tag not in _SKIPPED:  # <script/> opens nothing to skip
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.skipping:
            # Close up to the matching start tag: unbalanced HTML must not hide the rest.
            while self.skipping.pop() != tag:
                pass
        elif not self.skipping:
            self.parts.append(_CLOSING.get(tag, "\n\n" if tag in _BLOCKS else ""))

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))

    def text(self) -> str:
        joined = "".join(self.parts).replace("\xa0", " ")
        lines = [re.sub(r" {2,}", " ", line).strip() for line in joined.split("\n")]
        return tidy("\n".join(lines))


def html_to_text(markup: str) -> str:
    """Readable plain text from an HTML email. The result holds no markup at all: anything that
    looked like a tag in the text itself is kept as harmless characters and escaped on display."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except Exception:  # HTMLParser is lenient, but a reader gets words regardless
        markup = re.sub(r"(?is)<(script|style)\b.*?(</\1\s*>|$)", " ", markup)
        return tidy(html.unescape(re.sub(r"<[^>]*>", " ", markup)))
    return extractor.text()
