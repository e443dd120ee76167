"""Find's hits as <mark> elements in one row's shown text, each naming the hits it belongs to.

A row is shown as `key: value,` rebuilt from its raw bytes, so a hit is given here as a range of that
shown text (see render.LineText.shown). Hits overlap, and the hits covering one place are always
consecutive ones (they all have the text's length), so a mark names them by the offsets of the first
and the last: the page marks the current hit apart by comparing offsets, without asking again.
"""
from bisect import bisect_left, bisect_right

from markupsafe import Markup, escape

MAX_PER_ROW = 2000  # hits marked in one row (and always the current one): a row of `aaaa…` stays a row


def pick(hit_offsets: list, current) -> list:
    """The hits of one row to mark: the first MAX_PER_ROW, and the current one."""
    chosen = hit_offsets[:MAX_PER_ROW]
    if current is not None and current in hit_offsets[MAX_PER_ROW:]:
        chosen.append(current)
    return chosen


class Marks:
    """Marks for one row, from (start, end, hit offset) ranges of its shown text, in the order of the hits."""

    def __init__(self, ranges=()):
        ranges = sorted(ranges, key=lambda r: r[2])
        shown = [r for r in ranges if r[1] > r[0]]
        # A hit with nothing shown (only the whitespace between lines) is a thin mark where it lies.
        self._gaps = sorted((start, hit) for start, end, hit in ranges if end <= start)
        starts, ends, offsets = [r[0] for r in shown], [r[1] for r in shown], [r[2] for r in shown]
        bounds = sorted({x for r in shown for x in r[:2]})
        self._segments = []  # (start, end, first hit, last hit), in order, not overlapping
        for x, y in zip(bounds, bounds[1:]):
            first, last = bisect_left(ends, y), bisect_right(starts, x) - 1
            if first <= last:
                self._segments.append((x, y, offsets[first], offsets[last]))
        self._segment_ends = [s[1] for s in self._segments]

    def __bool__(self):
        return bool(self._segments or self._gaps)

    def text(self, value: str, index: int) -> Markup:
        """`value`, found at `index` in the row's shown text, escaped, with its marks."""
        if not self:
            return escape(value)
        end, items = index + len(value), []
        i = bisect_right(self._segment_ends, index)
        while i < len(self._segments) and self._segments[i][0] < end:
            start, stop, first, last = self._segments[i]
            items.append((max(start, index), 1, min(stop, end), first, last))
            i += 1
        inside = [g for g in self._gaps if index <= g[0] < end]
        items += [(at, 0, at, hit, hit) for at, hit in inside]
        self._gaps = [g for g in self._gaps if not index <= g[0] < end]
        items.sort()
        out, pos = [], index
        for start, _, stop, first, last in items:
            if start > pos:
                out.append(escape(value[pos - index:start - index]))
                pos = start
            out.append(_mark(value[max(start, pos) - index:stop - index], first, last, gap=stop == start))
            pos = max(pos, stop)
        out.append(escape(value[pos - index:]))
        return Markup("").join(out)

    def rest(self) -> Markup:
        """The marks of hits with nothing shown that no text has placed yet: at the end of the row."""
        gaps, self._gaps = self._gaps, []
        return Markup("").join(_mark("", hit, hit, gap=True) for _, hit in gaps)


def _mark(text, first, last, gap=False) -> Markup:
    return Markup('<mark{} data-first="{}" data-last="{}">{}</mark>').format(
        Markup(' class="gap"') if gap else "", first, last, text)
