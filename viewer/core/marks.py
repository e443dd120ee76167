"""Find's hits as <mark> elements in one row's shown text, each naming the hits it belongs to.

A row is shown as `key: value,` rebuilt from its raw bytes, so a hit is given here as a range of that
shown text (see render.LineText.shown). Hits overlap, and the hits covering one place are always
consecutive ones (they all have the text's length), so a mark names them by the offsets of the first
and the last: the page marks the current hit apart by comparing offsets, without asking again.
"""
from bisect import bisect_left, bisect_right

from markupsafe import Markup, escape

# Hits marked in one row and in one answer of rows (and always the current one): a screen of long rows
# full of `e` stays quick to send and to show. The others are marked when next or previous reaches them.
MAX_PER_ROW = 500
MAX_PER_ANSWER = 10_000


_CONTINUATION = bytes(range(0x80, 0xC0))
_STEP = 256


class Characters:
    """Where byte offsets of UTF-8 text fall in its characters, for many offsets without decoding it again.

    A character starts at every byte that is not a continuation byte (10xxxxxx); a table of those per
    256 bytes, made once, leaves at most 256 bytes to look at per offset.
    """

    def __init__(self, data: bytes):
        self._data = data
        self._table = None if data.isascii() else self._continuations()

    def _continuations(self) -> list:
        table, total, data = [0], 0, self._data
        for at in range(0, len(data), _STEP):
            piece = data[at:at + _STEP]
            total += len(piece) - len(piece.translate(None, _CONTINUATION))
            table.append(total)
        return table

    def at(self, offset: int) -> int:
        """How many characters start before byte `offset`."""
        offset = max(0, min(offset, len(self._data)))
        if self._table is None:
            return offset
        block = offset // _STEP
        piece = self._data[block * _STEP:offset]
        return offset - self._table[block] - (len(piece) - len(piece.translate(None, _CONTINUATION)))


def pick(hit_offsets: list, current, room: int = MAX_PER_ROW) -> list:
    """The hits of one row to mark: the first `room` (at most MAX_PER_ROW), and the current one."""
    room = max(0, min(room, MAX_PER_ROW))
    chosen = hit_offsets[:room]
    if current is not None and current in hit_offsets[room:]:
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
        return Markup("".join(out))

    def rest(self) -> Markup:
        """The marks of hits with nothing shown that no text has placed yet: at the end of the row."""
        gaps, self._gaps = self._gaps, []
        return Markup("".join(_mark("", hit, hit, gap=True) for _, hit in gaps))


def _mark(text, first: int, last: int, gap=False) -> str:
    # A plain string (the offsets are ints, the text escaped): Markup.format took most of a row's time.
    return f'<mark{_GAP if gap else ""} data-first="{first:d}" data-last="{last:d}">{escape(text)}</mark>'


_GAP = ' class="gap"'
