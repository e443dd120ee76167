"""A list as a table (a page, then rows on demand, sorted by any column) and as CSV or TSV."""
import re
import threading
from collections import OrderedDict

from flask import Blueprint, Response, current_app, jsonify, render_template, request, stream_with_context
from markupsafe import Markup

from ...core import table
from ...core.csv_out import csv_pieces
from ...core.table import MISSING, Elements, column_name, column_paths, parse_column
from ...errors import ViewerError
from ...kustomer.links import link_for
from ...store.results import load_result
from ..served import get_document

bp = Blueprint("table", __name__)

FIRST_SCREEN = 100  # rows sent inside the page, so the table shows before any script runs
MAX_ROWS = 500  # rows per request for more
CUT = 200  # characters of a cell shown; the document has the rest
ORDERS_KEPT = 8  # sort orders kept per viewer: sorting a million rows again on every scroll would not do


@bp.record_once
def _orders(state):
    state.app.extensions["viewer.table_orders"] = (OrderedDict(), threading.Lock())


class ListTable:
    """The list `path` of a document as this request asks for it: columns, and the order of its rows."""

    def __init__(self, doc_id):
        self.doc = get_document(doc_id)
        self.pointer = request.args.get("path", "")
        self.line = table.find_list(self.doc, self.pointer)
        self.elements = Elements(self.doc, self.line)
        self.asked = request.args.getlist("column")
        self.sort = request.args.get("sort") or None
        self.descending = request.args.get("dir") == "desc"

    def columns(self) -> list:
        return column_paths(self.elements.read(0, min(len(self.elements), table.SAMPLE)),
                            [name for name in self.asked if name])

    def positions(self, start: int, count: int) -> list:
        """The element positions shown on rows start..start+count-1."""
        end = min(len(self.elements), start + count)
        if self.sort is None:
            return list(range(start, end))
        return self._order()[start:end]

    def _order(self) -> list:
        path = parse_column(self.sort)
        orders, lock = current_app.extensions["viewer.table_orders"]
        key = (current_app.config["DATABASE"], self.doc.id, self.doc.variant, self.line, path, self.descending)
        with lock:
            order = orders.get(key)
            if order is not None:
                orders.move_to_end(key)
                return order
        order = table.sort_order(self.elements, path, self.descending)
        with lock:
            orders[key] = order
            while len(orders) > ORDERS_KEPT:
                orders.popitem(last=False)
        return order

    def rows(self, start: int, count: int, columns: list) -> Markup:
        positions = self.positions(start, count)
        values = _values_at(self.elements, positions)
        cells = _CellRenderer(self.doc)
        rows = []
        for row, (position, value) in enumerate(zip(positions, values), start):
            masked = table.masked_cells(self.doc, self.elements, position, self.doc.masking)
            rows.append(Markup('<tr data-row="{}" data-line="{}"><th class="n">{}</th>{}</tr>').format(
                row, self.elements.lines[position], position + 1,
                Markup("").join(cells.cell(table.cell(value, path), path, path in masked) for path in columns)))
        return Markup("\n").join(rows)


def _values_at(elements: Elements, positions: list) -> list:
    """The values of the elements at `positions`, reading runs of neighbours together."""
    if not positions:
        return []
    if positions == list(range(positions[0], positions[-1] + 1)):
        return elements.read(positions[0], positions[-1] + 1)
    return [elements.read(p, p + 1)[0] for p in positions]


class _CellRenderer:
    def __init__(self, doc):
        self.source_url, self.allowed = doc.source_url, current_app.config["ALLOWED_HOSTS"]
        self.badge = Markup('<span class="mask-badge masked" title="masked: this value is sensitive">Masked</span>') \
            if doc.masking and doc.masking.masked else Markup(
                '<span class="mask-badge unmasked" title="unmasked: masks again later">Unmasked</span>')

    def cell(self, value, path, masked: bool) -> Markup:
        badge = self.badge if masked else ""
        if value is MISSING:
            return Markup('<td class="blank"></td>')
        if value is None or value is True or value is False:
            return Markup('<td class="k">{}{}</td>').format(table.exact_text(value), badge)
        if table.is_number(value):
            return Markup('<td class="mi">{}{}</td>').format(value, badge)
        if isinstance(value, str):
            return Markup('<td class="s">{}{}</td>').format(self._string(value, path), badge)
        return Markup('<td class="json">{}{}</td>').format(table.exact_text(value, CUT), badge)

    def _string(self, value, path):
        shown = value if len(value) <= CUT else value[:CUT] + "…"
        link = link_for(value, key=path[-1] if path else None, parent_key=path[-2] if len(path) > 1 else None,
                        source_url=self.source_url, allowed_hosts=self.allowed)
        if not link:
            return shown
        href, kind = link
        target = Markup(' target="_blank" rel="noopener noreferrer"') if kind == "web" else ""
        return Markup('<a class="link-{}" href="{}"{}>{}</a>').format(kind, href, target, shown)


def _int_arg(name, default, low, high):
    value = request.args.get(name, "")
    if not value:
        return default
    if not value.isdigit():
        raise ViewerError(f"The parameter {name} must be a whole number, not {value[:40]!r}.")
    return max(low, min(int(value), high))


@bp.get("/docs/<doc_id>/table")
def show(doc_id):
    listed = ListTable(doc_id)
    columns = listed.columns()
    total = len(listed.elements)
    return render_template("table.html", doc=listed.doc, pointer=listed.pointer, total=total, line=listed.line,
                           columns=[column_name(path) for path in columns], sort=listed.sort,
                           descending=listed.descending, rows=listed.rows(0, FIRST_SCREEN, columns),
                           masking=listed.doc.masking, made=load_result(listed.doc.id), asked=listed.asked)


@bp.get("/docs/<doc_id>/table/rows")
def rows(doc_id):
    listed = ListTable(doc_id)
    columns = listed.columns()
    total = len(listed.elements)
    start = _int_arg("start", 0, 0, max(0, total - 1))
    html = listed.rows(start, _int_arg("count", 200, 1, MAX_ROWS), columns)
    return jsonify({"total": total, "start": start, "columns": [column_name(p) for p in columns], "html": str(html)})


@bp.get("/docs/<doc_id>/table.csv")
def csv(doc_id):
    """RFC 4180 CSV of the list (`tsv=1`: tab-separated, for pasting); guarded against formulas unless `exact=1`."""
    listed = ListTable(doc_id)
    asked = [parse_column(name) for name in listed.asked if name]
    columns = asked or listed.columns()
    tsv = request.args.get("tsv") == "1"
    exact = request.args.get("exact") == "1" and not tsv
    where = re.sub(r"[^A-Za-z0-9_.-]+", "-", listed.pointer)[:80]
    name = f"document-{listed.doc.id}{where}.{'tsv' if tsv else 'csv'}"
    pieces = csv_pieces(listed.elements, columns, [column_name(p) for p in columns], exact=exact,
                        delimiter="\t" if tsv else ",")
    mimetype = "text/tab-separated-values" if tsv else "text/csv"
    response = Response(stream_with_context(pieces), mimetype=mimetype)  # Flask adds charset=utf-8
    if not tsv:
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
