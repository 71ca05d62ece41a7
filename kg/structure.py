"""Reading an article as a whole: headline, dateline, byline, furniture, paragraphs.

The ``nkg_structure`` component runs before the parser. It makes every line break a sentence
boundary (a headline never runs into the body, no sentence crosses a paragraph), marks
furniture (credits, captions' credits, boilerplate, bylines, datelines, newsletter lines) so no
entity or relation comes from it, and records what the structure tells about the article in
``doc._.article``: {"headline", "dateline", "place", "date" (ISO), "author"}.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta

from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Token

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan\\.?|Feb\\.?|Mar\\.?|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sept?\\.?|Oct\\.?|Nov\\.?|Dec\\.?")
DATE = rf"(?:{_MONTHS}) \d{{1,2}},? \d{{4}}|\d{{1,2}} (?:{_MONTHS}) \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"

# "WASHINGTON, August 24, 2015 —", "KYIV —", "MOGADISHU, Somalia (Reuters) -"
DATELINE = re.compile(
    rf"^[ \t]*(?P<place>[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){{0,3}}(?:, [A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)?)?)"
    rf"(?:, (?P<date>{DATE}))?[ \t]*(?:\((?P<agency>[A-Za-z .]+)\)[ \t]*)?(?:\u2014|\u2013|--?)[ \t]+",
    re.MULTILINE)
BYLINE = re.compile(r"(?:^[ \t]*By (?P<name>(?:[A-Z][\w.'-]+ ?){1,4})[ \t]*$)|"
                    r"\b[Bb]y (?P<org>(?:[A-Z][\w.'-]+ ){0,3}(?:News|Staff|Reporters?|Correspondents?|Wire))\b",
                    re.MULTILINE)

# Text that is not the article's own statement: no entity or relation comes from these ranges.
FURNITURE = [re.compile(p, re.MULTILINE) for p in (
    r"(?i)^[ \t]*(?:sign up|subscribe|read more|advertisement|share this|follow us|click here|related:)\b[^\n]*$",
    r"^[^.\n]{0,80}\bnewsletter\b[^.\n]*$",
    r"(?:^|(?<=[.!?\u201d\"] ))[ \t]*(?:Picture|Photo|Image|Credit|Photograph)s?\s*:\s[^\n]*$",
    r"^[ \t]*FILE\s*[-\u2013\u2014]\s[^\n]*$",
    r"^[ \t]*\([A-Z][\w ]+/[A-Z][\w /]+\)[ \t]*$",
    r"\b[Oo]riginally (?:posted|published) (?:by|on|in|at)\b[^.\n]*\.",
    r"(?:(?<=[.\n] )|^)[^.\n]{0,300}?\bis in the public domain\.",
    r"^[ \t]*(?:Copyright|\u00a9)[^\n]*$",
)] + [BYLINE, DATELINE]

HEADLINE_MAX = 160
LINE_BREAK = re.compile("\n")

if not Doc.has_extension("furniture"):
    Doc.set_extension("furniture", default=None)
if not Doc.has_extension("article"):
    Doc.set_extension("article", default=None)


@Language.factory("nkg_structure")
def make_structure(nlp: Language, name: str):
    return StructureComponent()


class StructureComponent:
    """Line breaks end sentences; furniture is fenced off; headline, dateline and byline are recorded."""

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        starts = doc.to_array(IDX).tolist() if len(doc) else []
        # a token after a line break (in the previous token's text or the space after it) starts a sentence
        for i in sorted({bisect_right(starts, m.start()) for m in LINE_BREAK.finditer(text)}):
            if i < len(doc):
                doc[i].is_sent_start = True
        ranges = sorted({m.span() for pattern in FURNITURE for m in pattern.finditer(text) if m.end() > m.start()})
        doc._.furniture = ranges
        for start, end in ranges:
            for edge in (start, end):
                token = _token_at(doc, edge, starts)
                if token is not None and token.i > 0:
                    token.is_sent_start = True
        doc._.article = describe(text, ranges)
        return doc


def describe(text: str, furniture: list[tuple[int, int]]) -> dict:
    """Headline, dateline (place and date), byline of an article's text."""
    info = {"headline": headline(text, furniture), "dateline": None, "place": None, "date": None, "author": None}
    dateline = DATELINE.search(text[:2000])
    if dateline:
        info["dateline"] = dateline.group(0).strip(" \t\u2014\u2013-")
        info["place"] = dateline.group("place").title()
        info["date"] = parse_date(dateline.group("date"))
    if info["date"] is None:
        found = re.search(DATE, text[:400])
        info["date"] = parse_date(found.group(0)) if found else None
    byline = BYLINE.search(text[:3000])
    if byline:
        info["author"] = (byline.group("name") or byline.group("org")).strip()
    return info


def headline(text: str, furniture: list[tuple[int, int]]) -> str | None:
    """The first stretch of text that is not furniture, when it is short and has no final full stop."""
    position = 0
    for start, end in furniture:
        if start > position and text[position:start].strip():
            break
        position = max(position, end)
    rest = text[position:]
    line = rest.lstrip().split("\n", 1)[0]
    cut = next((s - position - (len(rest) - len(rest.lstrip())) for s, _ in furniture
                if s > position and s - position < len(rest)), None)
    if cut is not None and 0 < cut < len(line):
        line = line[:cut]
    line = line.strip()
    if line and len(line) <= HEADLINE_MAX and line[-1] not in ".!?:\u201d\"":
        return line
    return None


def parse_date(value: str | None) -> str | None:
    """'August 24, 2015' -> '2015-08-24'; None when it cannot be read."""
    if not value:
        return None
    value = re.sub(r"\s+", " ", value.replace(",", "").replace(".", "")).strip()
    value = value.replace("Sept ", "Sep ")
    for fmt in ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _token_at(doc: Doc, char: int, starts: list[int] | None = None) -> Token | None:
    """The first non-space token starting at or after the character offset."""
    starts = starts if starts is not None else [t.idx for t in doc]
    i = bisect_left(starts, char)
    while i < len(doc) and doc[i].is_space:
        i += 1
    return doc[i] if i < len(doc) else None


def in_furniture(doc: Doc, start_char: int) -> bool:
    """True when the character lies in a credit, byline, dateline, boilerplate or newsletter line."""
    ranges = doc._.furniture
    if not ranges:
        return False
    i = bisect_right(ranges, [start_char, float("inf")]) - 1 if isinstance(ranges[0], list) else \
        bisect_right(ranges, (start_char, float("inf"))) - 1
    return any(a <= start_char < b for a, b in ranges[max(0, i - 2):i + 1])


def valid_date(value: str) -> str:
    """An ISO date given by the user, checked."""
    return date.fromisoformat(value).isoformat()


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE = re.compile(r"\b(?:(?:late|early|on|last|this past)\s+)?(?P<word>yesterday|today|tonight|"
                       + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)


def event_date(sentence: str, published: str | None) -> str | None:
    """The day a sentence's 'Sunday', 'yesterday' or 'today' means, counted back from the article's date.

    News uses a bare weekday for the most recent such day on or before publication."""
    if not published:
        return None
    found = _RELATIVE.search(sentence)
    if not found:
        return None
    day = date.fromisoformat(published)
    word = found.group("word").lower()
    if word in ("today", "tonight"):
        return day.isoformat()
    if word == "yesterday":
        return (day - timedelta(days=1)).isoformat()
    back = (day.weekday() - WEEKDAYS.index(word)) % 7
    return (day - timedelta(days=back)).isoformat()
