"""Stage 3, for "Show only matches": rows are the lines with a hit of find and the lines that hold them.

Each hit's line comes with its ancestors' openers and closers, so a hit in `attributes.status` shows under
its resource. The rows are a sorted array of lines, unfolded unless folded in this mode (`with_folds`):
a folded opener shows as one row with its preview, and the hits inside it leave the rows until it opens.
"""
import copy
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
        self._show(np.array(sorted(shown), dtype=np.int64), frozenset())

    def _show(self, lines, folded):
        self._lines, self.total, self._folded = lines, len(lines), folded

    def with_folds(self, folds) -> "MatchOutline":
        """These rows with the openers `folds` folded (those not shown, or not openers, are left out)."""
        kept, last_close, lines = [], -1, self._lines
        asked = np.fromiter((line for line in folds if 0 <= line < self.index.line_count), np.int64)
        shown = set(self._lines[np.isin(self._lines, asked)].tolist())
        for line in sorted(shown):
            if self.index.is_open(line) and line > last_close:  # the outermost: one inside it is hidden anyway
                kept.append(line)
                last_close = self.index.matches[line]
        if kept:
            openers = np.array(kept, dtype=np.int64)
            closers = np.array([self.index.matches[line] for line in kept], dtype=np.int64)
            inside = np.searchsorted(openers, self._lines, side="left") - 1  # the last folded opener above each
            under = inside >= 0
            under[under] = self._lines[under] <= closers[inside[under]]
            lines = self._lines[~under]
        folded = copy.copy(self)  # the same index and hits
        folded._show(lines, frozenset(kept))
        return folded

    def is_folded(self, line) -> bool:
        return line in self._folded

    def hidden_by(self, line):
        return None

    def lines(self, start_row: int, count: int) -> list:
        return self._lines[max(0, start_row):max(0, start_row) + max(0, count)].tolist()

    def line_at(self, row: int) -> int:
        return int(self._lines[max(0, min(row, self.total - 1))]) if self.total else 0

    def hidden_before(self, line) -> int:
        """How many lines are left out between the shown line before `line` and `line`."""
        row = bisect_right(self._lines, line) - 1
        if row <= 0:
            return line
        before = int(self._lines[row - 1])
        if before in self._folded:  # its folded lines are counted in its own row, not again here
            before = self.index.matches[before]
        return int(line - before - 1)

    def row_of(self, line: int) -> int:
        """The row of `line`, or of the last shown line before it."""
        return max(0, bisect_right(self._lines, line) - 1)
