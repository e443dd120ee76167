"""A list's pages made one document, and the pace that keeps a run of page requests within the rate limit.

Plain functions and one small class, no I/O: `split` reads a page's items as the exact bytes sent,
`next_url` says where the next page is, `combine` writes the whole list, and `Pacer` says how long
to wait before the next request. `viewer.web.page_runs` runs them against the API.
"""
import json
import math
import re
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from .ratelimit import remaining_requests, reset_seconds

WHITESPACE = re.compile(r"[ \t\n\r]*")
# Waited past the announced reset, for a clock that is a little behind Kustomer's.
RESET_MARGIN = 0.5


class NotAList(ValueError):
    """The answer is not a page of a list: an object whose `data` is an array."""


@dataclass
class Page:
    items: list  # each item's exact bytes as sent
    included: list  # ((type, id), exact bytes)
    links: dict
    meta: dict
    size: int = 0

    def next_url(self, url: str) -> str | None:
        """The next page: `links.next` (null on the last page), else `meta.page` + 1 while below `meta.totalPages`."""
        following = self.links.get("next") if isinstance(self.links, dict) else None
        if isinstance(following, str) and following:
            return urljoin(url, following)
        page, pages = self.meta.get("page"), self.meta.get("totalPages")
        if following is None and isinstance(self.links, dict) and "next" in self.links:
            return None
        if isinstance(page, int) and isinstance(pages, int) and page < pages:
            return with_page(url, page + 1)
        return None


def with_page(url: str, page: int) -> str:
    """`url` with its `page` query parameter set to `page`."""
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name != "page"]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode([("page", str(page)), *query]), ""))


def split(body: bytes) -> Page:
    """A page's items and included objects, each as the exact bytes sent, with its `links` and `meta`."""
    try:
        text = body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise NotAList("the answer is not UTF-8 text") from None
    decoder = json.JSONDecoder()
    members = {}
    try:
        for name, value, start, end in _members(text, decoder):
            members[name] = (value, start, end)  # a repeated member: the last counts, as in most parsers
    except (ValueError, IndexError) as exc:
        raise NotAList(f"the answer is not a JSON object ({exc})") from None
    data = members.get("data")
    if data is None or not isinstance(data[0], list):
        raise NotAList("its data is not an array: it is one object, not a page of a list")
    items = [text[start:end].encode() for start, end in _spans(text, data[1], decoder)]
    included = []
    if "included" in members and isinstance(members["included"][0], list):
        for value, (start, end) in zip(members["included"][0], _spans(text, members["included"][1], decoder)):
            ident = (value.get("type"), value.get("id")) if isinstance(value, dict) else (None, text[start:end])
            included.append((ident, text[start:end].encode()))
    links = members.get("links", ({},))[0]
    meta = members.get("meta", ({},))[0]
    size = sum(map(len, items)) + sum(len(raw) for _ident, raw in included)
    return Page(items, included, links if isinstance(links, dict) else {}, meta if isinstance(meta, dict) else {},
                size)


def _members(text: str, decoder):
    """(name, value, start, end) of each member of the top-level object."""
    pos = WHITESPACE.match(text, 0).end()
    if text[pos] != "{":
        raise ValueError("it does not start with {")
    pos = WHITESPACE.match(text, pos + 1).end()
    if text[pos] == "}":
        return
    while True:
        name, pos = decoder.raw_decode(text, pos)
        pos = WHITESPACE.match(text, pos).end()
        if text[pos] != ":":
            raise ValueError(f"no colon at character {pos}")
        start = WHITESPACE.match(text, pos + 1).end()
        value, end = decoder.raw_decode(text, start)
        yield name, value, start, end
        pos = WHITESPACE.match(text, end).end()
        if text[pos] == "}":
            return
        if text[pos] != ",":
            raise ValueError(f"no comma at character {pos}")
        pos = WHITESPACE.match(text, pos + 1).end()


def _spans(text: str, start: int, decoder) -> list:
    """(start, end) of each element of the array that starts at `start`."""
    spans = []
    pos = WHITESPACE.match(text, start + 1).end()
    if text[pos] == "]":
        return spans
    while True:
        _value, end = decoder.raw_decode(text, pos)
        spans.append((pos, end))
        pos = WHITESPACE.match(text, end).end()
        if text[pos] == "]":
            return spans
        pos = WHITESPACE.match(text, pos + 1).end()


@dataclass
class Combined:
    """The items and included objects of the pages so far, in order, included objects once by type and id."""

    items: list = field(default_factory=list)
    included: dict = field(default_factory=dict)
    size: int = 0

    def add(self, page: Page):
        self.items.extend(page.items)
        for ident, raw in page.included:
            if ident not in self.included:
                self.included[ident] = raw
                self.size += len(raw)
        self.size += sum(map(len, page.items))

    def document(self, meta: dict) -> bytes:
        """`{"data": [...], "included": [...], "meta": {...}}`: each item exactly as sent."""
        parts = [b'{"data": [\n', b",\n".join(self.items), b"\n]"]
        if self.included:
            parts += [b',\n"included": [\n', b",\n".join(self.included.values()), b"\n]"]
        parts += [b',\n"meta": ', json.dumps(meta, ensure_ascii=False, indent=1).encode(), b"}\n"]
        return b"".join(parts)


class Pacer:
    """How long to wait before the next request, from the rate-limit headers of the answers so far.

    In each window (until `x-ratelimit-reset`) a run takes at most `share` of the requests that were
    left when it first saw the window, and stops short of the rest even when other integrations spent
    them; past that, or when none remain, it waits for the reset. A 429 waits for its Retry-After.
    """

    def __init__(self, share: float, clock=time.time):
        self.share, self.clock = share, clock
        self.reset_at = self.allowance = self.reserve = self.remaining = None
        self.used = 0

    def saw(self, headers: dict):
        """An answer came with these headers."""
        remaining, reset = remaining_requests(headers), reset_seconds(headers, self.clock())
        if remaining is None or reset is None:
            self.reset_at = None
            return
        reset_at = self.clock() + reset
        same = (self.reset_at is not None and abs(reset_at - self.reset_at) < 1.5
                and remaining <= (self.remaining or 0))
        if same:
            self.used += 1
        else:  # a new window: the share is of what was left before this request
            before = remaining + 1
            self.allowance = max(1, math.floor(before * self.share))
            self.reserve = before - self.allowance
            self.used, self.reset_at = 1, reset_at
        self.remaining = remaining

    def limited(self, retry_after: float):
        """A 429: nothing is left until `retry_after` seconds from now."""
        self.reset_at, self.remaining, self.used, self.allowance, self.reserve = (
            self.clock() + retry_after, 0, 0, 0, 0)

    def wait(self) -> tuple[float, str] | None:
        """(seconds, why) to wait before the next request, or None to go on now."""
        if self.reset_at is None:
            return None
        seconds = self.reset_at - self.clock() + RESET_MARGIN
        if seconds <= 0:
            self.reset_at = None
            return None
        if self.remaining == 0 and self.used == 0:
            return seconds, "Kustomer answered 429 (rate limited): waiting for the time it gave (Retry-After)"
        if self.remaining == 0:
            return seconds, "no requests are left in this rate-limit window: waiting for it to reset"
        if self.used >= self.allowance or self.remaining <= self.reserve:
            return seconds, (f"this run has used its share of the rate limit ({self.used} of the {self.allowance} "
                             f"requests it may take this window; {self.remaining} left for the organisation's other "
                             "integrations): waiting for the window to reset")
        return None
