"""A list as RFC 4180 CSV (UTF-8, a header row, CRLF), a batch of elements at a time.

Strings as text, numbers exactly as written, `true`/`false`, null and missing members as empty cells,
arrays and objects as their JSON text. Customers write their own names and messages, so by default a
text cell that a spreadsheet would take for a formula (it begins with =, +, -, @, a tab or a carriage
return) gets an apostrophe before it, as OWASP advises; numbers are never changed. `exact` turns that off.
"""
import csv
import io

from .table import MISSING, VALUE, Number, exact_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_pieces(elements, columns: list, names: list, *, exact: bool = False, delimiter: str = ","):
    """UTF-8 bytes of the CSV: the header `names`, then a row per element with the `columns` (paths) given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(names)
    getters = [_getter(path) for path in columns]
    text = _exact_cell if exact else _guarded_cell
    for _, values in elements.batches():
        writer.writerows([text(get(value)) for get in getters] for value in values)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _getter(path: tuple):
    if path == VALUE:
        return lambda value: MISSING if type(value) is dict else value
    if len(path) == 1:
        key = path[0]
        return lambda value: value.get(key, MISSING) if type(value) is dict else MISSING
    if len(path) == 2:
        outer, inner = path

        def two(value):
            member = value.get(outer, MISSING) if type(value) is dict else MISSING
            return member.get(inner, MISSING) if type(member) is dict else MISSING
        return two

    def deep(value):
        for key in path:
            if type(value) is not dict or key not in value:
                return MISSING
            value = value[key]
        return value
    return deep


def _exact_cell(value) -> str:
    if type(value) is str or type(value) is Number:
        return value
    if value is None or value is MISSING:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return exact_text(value)


def _guarded_cell(value) -> str:
    if type(value) is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return _exact_cell(value)
