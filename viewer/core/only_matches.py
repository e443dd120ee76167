"""Stage 3, for "Show only matches": rows are the lines with a hit of find and the lines that hold them.

Each hit's line comes with its ancestors' openers and closers, so a hit in `attributes.status` shows under
its resource. The rows are a sorted array of lines; every row shows unfolded.
"""
from bisect import bisect_right

import numpy as np

from .lines import NO_LINE


class MatchOutline:
    def __init__(self, index, offsets):
        self.index = index
        starts = np.asarray(index.starts)
        hit_lines = np.unique(np.clip(np.searchsorted(starts, np.asarray(offsets, dtype=np.int64), side="right") - 1,
                                      0, index.line_count - 1))
        shown, parents, matches = set(hit_lines.tolist()), index.parents, index.matches
        for line in hit_lines.tolist():
            node = parents[line]
            while node != NO_LINE and node not in shown:  # climb until a holder already listed
                shown.add(node)
                shown.add(matches[node])
                node = parents[node]
        self._lines = np.array(sorted(shown), dtype=np.int64)
        self.total = len(self._lines)

    def is_folded(self, line) -> bool:
        return False

    def hidden_by(self, line):
        return None

    def lines(self, start_row: int, count: int) -> list:
        return self._lines[max(0, start_row):max(0, start_row) + max(0, count)].tolist()

    def line_at(self, row: int) -> int:
        return int(self._lines[max(0, min(row, self.total - 1))]) if self.total else 0

    def hidden_before(self, line) -> int:
        """How many lines are left out between the shown line before `line` and `line`."""
        row = bisect_right(self._lines, line) - 1
        return int(line - self._lines[row - 1] - 1) if row > 0 else line

    def row_of(self, line: int) -> int:
        """The row of `line`, or of the last shown line before it."""
        return max(0, bisect_right(self._lines, line) - 1)
