"""Stage 3: which lines show as rows under a fold state, and where a row or line sits.

A fold state is a mode and its exceptions, never one flag per line, so that "collapse all" and
"expand all" cost nothing on a document of millions of lines: expanded mode folds only the
openers listed; collapsed mode folds every opener except those listed.
"""
from bisect import bisect_left, bisect_right
from itertools import accumulate

from .index import Index


class Outline:
    def __init__(self, index: Index, collapsed: bool = False, exceptions=()):
        self.index, self.collapsed = index, collapsed
        self.exceptions = {x for x in exceptions if 0 <= x < index.line_count and index.is_open(x)}
        if collapsed:
            self._prepare_collapsed()
        else:
            self._prepare_expanded()

    def is_folded(self, line) -> bool:
        return self.index.is_open(line) and ((line not in self.exceptions) == self.collapsed)

    def next_row_line(self, line) -> int:
        return self.index.matches[line] + 1 if self.is_folded(line) else line + 1

    def lines(self, start_row: int, count: int) -> list:
        """The lines shown as rows start_row .. start_row+count-1."""
        if start_row >= self.total or count <= 0:
            return []
        result, line, end = [], self.line_at(max(0, start_row)), self.index.line_count
        while line < end and len(result) < count:
            result.append(line)
            line = self.next_row_line(line)
        return result

    def hidden_by(self, line):
        """The outermost folded opener hiding `line`, or None when `line` shows as a row."""
        for ancestor in self.index.ancestors(self.index.opener(line)):
            if self.is_folded(ancestor):
                return ancestor
        opener = self.index.opener(line)
        if opener != line and self.is_folded(opener):
            return opener
        return None

    # Expanded mode: rows are lines minus the insides of the outermost folded openers.
    def _prepare_expanded(self):
        matches, outer, last_close = self.index.matches, [], -1
        for line in sorted(self.exceptions):
            if line > last_close:
                outer.append(line)
                last_close = matches[line]
        self._folds = outer
        self._hidden = [0, *accumulate(matches[f] - f for f in outer)]  # hidden lines before fold i
        self._fold_rows = [f - self._hidden[i] for i, f in enumerate(outer)]
        self.total = self.index.line_count - self._hidden[-1]

    # Collapsed mode: rows are the members of expanded openers whose ancestors are all expanded.
    def _prepare_collapsed(self):
        index, kids, sizes = self.index, {}, {}
        for line in sorted(self.exceptions):
            kids.setdefault(index.parents[line], []).append(line)
        for line in sorted(self.exceptions, reverse=True):  # members before the openers holding them
            sizes[line] = index.member_count(line) + 1 + sum(sizes[k] for k in kids.get(line, ()))
        self._kids, self._sizes = kids, sizes
        self.total = 1 + sizes[0] if 0 in sizes else 1

    def line_at(self, row: int) -> int:
        row = max(0, min(row, self.total - 1))
        if not self.collapsed:
            i = bisect_right(self._fold_rows, row)
            if i and self._fold_rows[i - 1] == row:
                return row + self._hidden[i - 1]
            return row + self._hidden[i]
        if row == 0:
            return 0
        index, parent, offset = self.index, 0, row - 1
        while True:
            extra, inside = 0, None
            for kid in self._kids.get(parent, ()):
                kid_row = index.member_index(kid) + extra
                if offset < kid_row:
                    break
                if offset == kid_row:
                    return kid
                if offset <= kid_row + self._sizes[kid]:
                    inside = kid
                    break
                extra += self._sizes[kid]
            if inside is None:
                return self._member_or_close(parent, offset - extra)
            parent, offset = inside, offset - kid_row - 1

    def _member_or_close(self, parent, position):
        members = self.index.children(parent)
        return members[position] if position < len(members) else self.index.matches[parent]

    def row_of(self, line: int) -> int:
        """The row showing `line`, or the row of the folded opener that hides it."""
        hider = self.hidden_by(line)
        if hider is not None:
            line = hider
        if not self.collapsed:
            i = bisect_left(self._folds, line)
            return line - self._hidden[i]
        index = self.index
        opener = index.opener(line)
        row, chain = 0, [*index.ancestors(opener), opener] if opener != line else [*index.ancestors(line), line]
        for parent, child in zip(chain, chain[1:]):
            before = sum(self._sizes[k] for k in self._kids.get(parent, ()) if k < child)
            row += 1 + index.member_index(child) + before
        if opener != line:  # a closer: after all of its opener's members and their expansions
            row += 1 + index.member_count(opener) + sum(self._sizes[k] for k in self._kids.get(opener, ()))
        return row


MAX_OPEN_TO_DEPTH = 5000  # openers a "collapse to depth" keeps open; each travels with every rows request


def openers_above(index: Index, depth: int) -> list | None:
    """Openers shallower than `depth`, kept open when collapsing to that depth; None past the limit."""
    found, level = [], [0] if index.line_count and index.is_open(0) else []
    for _ in range(depth):
        found.extend(level)
        if len(found) > MAX_OPEN_TO_DEPTH:
            return None
        level = [child for line in level for child in index.children(line) if index.is_open(child)]
        if not level:
            break
    return found
