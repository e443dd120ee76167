"""A list as RFC 4180 CSV (UTF-8, a header row, CRLF), a batch of elements at a time.

Strings as text, numbers exactly as written, `true`/`false`, null and missing members as empty cells,
arrays and objects as their JSON text. Customers write their own names and messages, so by default a
text cell that a spreadsheet would take for a formula (it begins with =, +, -, @, a tab or a carriage
return) gets an apostrophe before it, as OWASP advises; numbers are never changed. `exact` turns that off.
"""
from .table import MISSING, VALUE, Number, exact_text

FORMULA_FIRST = frozenset("=+-@\t\r")


def csv_pieces(elements, columns: list, names: list, *, exact: bool = False, delimiter: str = ","):
    """UTF-8 bytes of the CSV: the header `names`, then a row per element with the `columns` (paths) given.

    Quoted as Python's csv module quotes (QUOTE_MINIMAL), written here a column at a time: its writer,
    called per cell, took longer than parsing the list.
    """
    yield _lines([[_quoted(name, delimiter) for name in names]], len(names), delimiter)
    text = _exact_cell if exact else _guarded_cell
    unsafe = frozenset() if exact else FORMULA_FIRST
    for _, values in elements.batches():
        # Column by column over the batch: a comprehension per column costs far less than a call per cell.
        members, cells = {}, []
        for path in columns:
            if path == VALUE:
                column = [MISSING if type(v) is dict else v for v in values]
            else:
                if path[0] not in members:
                    key = path[0]
                    members[key] = [v.get(key, MISSING) if type(v) is dict else MISSING for v in values]
                column = members[path[0]]
                for key in path[1:]:
                    column = [m.get(key, MISSING) if type(m) is dict else MISSING for m in column]
            column = [c if type(c) is Number or type(c) is str and c[:1] not in unsafe else
                      str(c) if type(c) is int else text(c) for c in column]
            cells.append([_quoted(c, delimiter) if '"' in c or delimiter in c or "\n" in c or "\r" in c else c
                          for c in column])
        yield _lines(zip(*cells), len(columns), delimiter)


def _quoted(cell: str, delimiter: str) -> str:
    if '"' in cell or delimiter in cell or "\n" in cell or "\r" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _lines(rows, width: int, delimiter: str) -> bytes:
    if width == 1:  # an empty cell alone would be an empty line, which CSV readers skip: it is written ""
        return "".join((row[0] or '""') + "\r\n" for row in rows).encode("utf-8")
    text = "\r\n".join(map(delimiter.join, rows))
    return (text + "\r\n").encode("utf-8") if text else b""


def _exact_cell(value) -> str:
    kind = type(value)
    if kind is str or kind is Number:
        return value
    if kind is int:
        return str(value)
    if value is None or value is MISSING:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return exact_text(value)


def _guarded_cell(value) -> str:
    if type(value) is str:
        return "'" + value if value[:1] in FORMULA_FIRST else value
    return _exact_cell(value)
