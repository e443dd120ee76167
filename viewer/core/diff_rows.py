"""The comparison page's rows: each change by path with its old and new values, unchanged runs as a count.

Only what the page shows is read: a value's first bytes, the changed characters of short strings.
"""
import difflib
import html

from .diff import SCALAR, Comparison, decode_string
from .patch import OPERATIONS
from .paths import javascript_path, json_pointer
from .render import read_lines

MAX_ROWS = 2000  # rows on one page; the JSON Patch has every change
SHOWN_BYTES = 4096  # of one value
CHARACTER_DIFF_LIMIT = 20_000  # characters of a string compared character by character
PREVIEW_BYTES = 160  # of an unchanged member, when its run is unfolded
SIDE_BY_SIDE_LINES = 20_000  # lines of each document in the text view


def change_count(entries) -> int:
    return sum(entry.kind in OPERATIONS for entry in entries)


def rows(comparison: Comparison) -> list:
    result = []
    for entry in comparison.entries:
        if len(result) >= MAX_ROWS:
            result.append({"kind": "more", "count": len(comparison.entries) - MAX_ROWS})
            break
        result.append(_row(comparison, entry))
    return result


def _row(comparison, entry) -> dict:
    a, b = comparison.a, comparison.b
    path = [*entry.path]
    row = {"kind": entry.kind, "depth": len(path), "path": javascript_path(path) or "(the document)",
           "pointer": json_pointer(path)}
    if entry.kind == "same":
        row["count"] = entry.count
        row["members"] = [_preview(b, line) for line in entry.lines]
        row["path"] = javascript_path(path) or "(the document)"
        return row
    if entry.kind == "move":
        row["source"] = json_pointer(entry.source)
    old = _shown(a, entry.a) if entry.a is not None else None
    new = _shown(b, entry.b) if entry.b is not None else None
    row["old"], row["new"] = old, new
    if entry.kind in ("replace", "written") and old and new and old["string"] is not None \
            and new["string"] is not None:
        row["old_html"], row["new_html"] = character_diff(old["string"], new["string"])
    return row


def _shown(side, line) -> dict:
    """The first bytes of a value as written, and its decoded text when it is a whole short string."""
    _, start, end = side.span(line)
    data = side.doc.read(start, min(end, start + SHOWN_BYTES))
    text = data.decode("utf-8", "replace")
    string = None
    if end - start <= SHOWN_BYTES and data[:1] == b'"' and side.shape(line) == SCALAR:
        string = decode_string(data)
    return {"text": text, "more": max(0, end - start - SHOWN_BYTES), "string": string}


def _preview(side, line) -> str:
    key, start, end = side.span(line)
    data = side.doc.read(start, min(end, start + PREVIEW_BYTES)).decode("utf-8", "replace")
    text = " ".join(data.split())
    if end - start > PREVIEW_BYTES:
        text += " …"
    return f"{key.decode('utf-8', 'replace')}: {text}" if key else text


def character_diff(old: str, new: str) -> tuple:
    """HTML of both strings with the characters removed from the old and added in the new marked."""
    if len(old) > CHARACTER_DIFF_LIMIT or len(new) > CHARACTER_DIFF_LIMIT:
        return None, None
    old_html, new_html = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            old_html.append(html.escape(old[i1:i2]))
            new_html.append(html.escape(new[j1:j2]))
            continue
        if i2 > i1:
            old_html.append(f"<del>{html.escape(old[i1:i2])}</del>")
        if j2 > j1:
            new_html.append(f"<ins>{html.escape(new[j1:j2])}</ins>")
    return '"' + "".join(old_html) + '"', '"' + "".join(new_html) + '"'  # decoded text, shown as a string


def pretty_lines(doc, limit=SIDE_BY_SIDE_LINES) -> list:
    """The document's first `limit` lines pretty-printed, each value exactly as written."""
    index, known, result = doc.index, {}, []
    count = min(doc.line_count, limit)
    for start in range(0, count, 1000):
        lines = range(start, min(count, start + 1000))
        texts = read_lines(doc, lines)
        for line in lines:
            text = texts[line]
            result.append("  " * index.depth(line, known) + text.source + ("," if text.comma else ""))
    return result


def side_by_side(a, b, context=3) -> dict:
    """Both documents pretty-printed in two columns, changed lines marked, `context` unchanged lines around them.

    Lines are matched by difflib over whole lines; a changed block is shown pairwise, without comparing
    every line with every other (which two very different documents would make take minutes).
    """
    left, right = pretty_lines(a), pretty_lines(b)
    rows, matcher = [], difflib.SequenceMatcher(None, left, right, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if rows:
            rows.append({"tag": "gap"})
        for tag, i1, i2, j1, j2 in group:
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + k, j1 + k
                rows.append({"tag": tag,
                             "a": (i + 1, left[i]) if i < i2 else None,
                             "b": (j + 1, right[j]) if j < j2 else None})
    return {"rows": rows, "cut": max(a.line_count, b.line_count) > SIDE_BY_SIDE_LINES,
            "limit": SIDE_BY_SIDE_LINES}
