"""Documents: put one in, show it (a page, then rows on demand), find in it, its raw bytes, delete."""
import time

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape

from ...core import paths, search
from ...core.landmarks import landmark_values
from ...core.lines import NO_LINE, OPEN_ARRAY
from ...core.only_matches import MatchOutline
from ...core.outline import MAX_OPEN_TO_DEPTH, Outline, openers_above
from ...core.render import RowRenderer
from ...core.values import value_span
from ...errors import ViewerError
from ...kustomer.annotations import Annotations
from ...kustomer.links import page_links
from ...masking.state import duration
from ...sizes import format_size
from ...store import expiry
from ...store.annotations import load_annotations
from ...store.documents import (
    delete_all,
    delete_document,
    keep_document,
    recent_documents,
)
from ...store.results import load_result
from ...store.versions import versions_of
from ..admission import big_intake_turn
from ..annotate import posted_by_the_viewer
from ..intake import take_in
from ..posted import read_posted_document
from ..response import response_of
from ..security import is_cross_site, require_same_origin
from ..served import get_document
from ..upstream_limits import limits
from ..windows import refusal, window_of

bp = Blueprint("documents", __name__)

FIRST_SCREEN = 120  # rows sent inside the page, so the document shows before any script runs
MAX_ROWS = 1000  # rows per request for more
RAW_VIEW_LIMIT = 4 * 1024 * 1024  # bytes shown on the raw page; /raw always has every byte


@bp.post("/docs")
def create():
    with big_intake_turn():
        raw, source_url = read_posted_document()
        # Masking reads the body still in hand; its rendition counts against the same turn.
        doc_id = take_in(raw, source_url=source_url, cross_site=is_cross_site(),
                         organisation=bool(source_url) and posted_by_the_viewer(), limits=limits())
        del raw  # the body is stored: free it before the next big intake starts
    other = request.args.get("compare_with")
    if other:  # "Compare with…" on a document's page: the pasted document is B, that page's is A
        return redirect(url_for("diff.show", a=other, b=doc_id), code=303)
    return redirect(url_for("documents.show", doc_id=doc_id), code=303)


def _renderer(doc, outline, annotations=None, needle=b"", at=None):
    return RowRenderer(doc, outline, source_url=doc.source_url,
                       allowed_hosts=current_app.config["ALLOWED_HOSTS"],
                       annotations=annotations if annotations is not None else _annotations(doc),
                       masking=doc.masking, needle=needle, at=at)


def _annotations(doc) -> Annotations:
    """Labels and references stored when the document arrived (see web.annotate); never an API call."""
    return Annotations(load_annotations(doc.id), doc.source_url, current_app.config["ALLOWED_HOSTS"])


@bp.get("/docs/<doc_id>")
def show(doc_id):
    doc = get_document(doc_id)
    outline = Outline(doc.index)
    lines = outline.lines(0, FIRST_SCREEN)
    annotations = _annotations(doc)
    annotations.note = _said_once(annotations.note, doc.masking and doc.masking.note)
    rows = _renderer(doc, outline, annotations).render(lines, 0)
    pages = page_links(landmark_values(doc), doc.source_url, current_app.config["ALLOWED_HOSTS"])
    expires = doc.created_at + current_app.config["EXPIRE_HOURS"] * 3600
    return render_template("document.html", doc=doc, rows=rows, total=outline.total, pages=pages,
                           size=format_size(doc.size), expires_in=_duration(expires - expiry.now()),
                           rate=_rate_limits(doc.fetch_info), annotations=annotations, masking=doc.masking,
                           masking_left=_masking_left(doc), response=response_of(doc), versions=_versions(doc),
                           others=[d for d in recent_documents(20) if d.id != doc.id], made=load_result(doc.id),
                           window_refused=refusal(window_of(doc.id)))


def _said_once(note, said_above):
    """The metadata note without the reason the masking note above it already gives (as with no API key)."""
    if not note or not said_above:
        return note
    head, _, reason = note.partition(". ")
    return f"{head}, for the reason above." if reason and reason in said_above else note


def _versions(doc) -> dict | None:
    """This document's place among the versions of its URL: which it is, the others, the one before."""
    found = versions_of(doc.id)
    if not found:
        return None
    for item in found:
        item["fetched"] = time.strftime("%H:%M", time.localtime(item["created_at"]))
    this = next(item for item in found if item["id"] == doc.id)
    earlier = [item for item in found if item["version"] < this["version"]]
    return {"this": this, "last": found[-1]["version"], "all": found, "previous": earlier[-1] if earlier else None}


def _masking_left(doc):
    """How long an unmasked document stays unmasked, in words."""
    return duration(doc.masking.seconds_left) if doc.masking else None


def _int_arg(name, default=None, low=0, high=None):
    value = request.args.get(name)
    if value in (None, ""):
        if default is None:
            raise ViewerError(f"The parameter {name} is required.")
        return default
    try:
        number = int(value)
    except ValueError:
        raise ViewerError(f"The parameter {name} must be a whole number, not {value!r}.") from None
    return max(low, number if high is None else min(number, high))


def _outline(doc):
    if request.args.get("only") == "1" and request.args.get("q"):
        outline = _only_matches(doc, request.args["q"])
        folds = _lines_arg("mf")  # the openers folded in this mode
        return outline.with_folds(folds) if folds else outline
    return Outline(doc.index, collapsed=request.args.get("mode") == "c", exceptions=_lines_arg("x"))


def _lines_arg(name) -> list:
    try:
        return [int(x) for x in request.args.get(name, "").split(",") if x][:100_000]
    except ValueError:
        raise ViewerError(f"The parameter {name} must list line numbers separated by commas.") from None


def _only_matches(doc, query):
    """The outline of "Show only matches": every hit must be known (counted, and at most search.MAX_KNOWN)."""
    def make(offsets):
        return MatchOutline(doc.index, offsets)
    outline = search.made_of_hits(doc, query, make)
    if outline is None:
        search.count(doc, query)
        outline = search.made_of_hits(doc, query, make)
    if outline is None:
        raise ViewerError(f"More than {search.MAX_KNOWN:,} matches: too many to show only them. "
                          "Find a longer text.", status=422)
    return outline


def _offset_arg(doc):
    """The parameter `at`: the byte offset of find's current hit (-1 or absent: none)."""
    value = request.args.get("at", "")
    if value in ("", "-1"):
        return None
    if not (value.isascii() and value.isdigit()) or not doc.body_start <= int(value) < doc.body_end:
        raise ViewerError(f"The parameter at must be the byte offset of a hit, from {doc.body_start} to "
                          f"{doc.body_end - 1} in this document (or -1 for none), not {value[:40]!r}.")
    return int(value)


@bp.get("/docs/<doc_id>/rows")
def rows(doc_id):
    """Rows `start`.. (or around line `line`, `before` rows above it) under the fold state `mode`/`x`.

    With `q`, the hits of that text are marked; `at`, the offset of the current hit, shows a line too
    long for its row as a window around it.
    """
    doc = get_document(doc_id)
    outline = _outline(doc)
    count = _int_arg("count", 200, 1, MAX_ROWS)
    line_row = None
    if request.args.get("line"):
        line_row = outline.row_of(_int_arg("line", high=doc.line_count - 1))
        start = max(0, line_row - _int_arg("before", 0))
    else:
        start = _int_arg("start", 0, 0, max(0, outline.total - 1))
    lines = outline.lines(start, count)
    needle = search.needle(request.args.get("q", ""))
    html = _renderer(doc, outline, needle=needle, at=_offset_arg(doc)).render(lines, start)
    return jsonify({"total": outline.total, "start": start, "row": line_row, "count": len(lines), "html": str(html)})


@bp.get("/docs/<doc_id>/path")
def path(doc_id):
    doc = get_document(doc_id)
    line = _int_arg("line", high=doc.line_count - 1)
    parts = paths.segments(doc, line)
    earlier = paths.overridden(doc, line)
    shadowed = earlier and {"javascript": paths.javascript_path(earlier[0]), "line": earlier[1]}
    return jsonify({"line": line, "javascript": paths.javascript_path(parts), "pointer": paths.json_pointer(parts),
                    "jq": paths.jq_path(parts), "array": doc.index.kind(doc.index.opener(line)) == OPEN_ARRAY,
                    "reveal": _reveal(doc.index, line), "overridden": shadowed})


def _reveal(index, line) -> list:
    """The openers to unfold so that `line` is on a row."""
    opener = index.opener(line)
    return [*index.ancestors(opener), *([opener] if opener != line else [])]


def _reveal_span(index, first, last) -> list:
    """The openers to unfold so that every line from `first` to `last` is on a row (a hit across lines).

    Each further line climbs only until an opener already listed: a hit of `[[[[…` across a thousand
    lines of a deep document costs its depth once, not once per line.
    """
    openers = set(_reveal(index, first))
    for line in range(first + 1, last + 1):
        node = index.opener(line)
        node = node if node != line else index.parents[line]
        while node != NO_LINE and node not in openers:
            openers.add(node)
            node = index.parents[node]
    return sorted(openers)


@bp.get("/docs/<doc_id>/depth")
def depth(doc_id):
    """The openers to keep open when collapsing everything deeper than `depth` levels."""
    doc = get_document(doc_id)
    levels = _int_arg("depth", 1, 0, 1000)
    openers = openers_above(doc.index, levels)
    if openers is None:
        raise ViewerError(f"More than {MAX_OPEN_TO_DEPTH:,} objects and arrays are shallower than depth {levels}: "
                          "choose a smaller depth.")
    return jsonify({"depth": levels, "open": openers})


@bp.get("/docs/<doc_id>/value")
def value(doc_id):
    """The exact bytes of the value on `line` (a container's from its opener to its closer)."""
    doc = get_document(doc_id)
    start, end = value_span(doc, _int_arg("line", high=doc.line_count - 1))
    return Response(doc.read(start, end), mimetype="text/plain", headers={"X-Content-Type-Options": "nosniff"})


@bp.get("/docs/<doc_id>/search")
def find(doc_id):
    """The next (or previous) hit of the text `q` after the hit at `at`, the lines it covers, what to unfold.

    `line` instead of `at` looks after (or before) that whole line.
    """
    doc = get_document(doc_id)
    query = request.args.get("q", "")
    if not query:
        raise ViewerError("Type some text to find.")
    size = len(search.needle(query))
    backwards = request.args.get("dir") == "prev"
    at = _offset_arg(doc)
    if at is None and request.args.get("at", "") == "" and request.args.get("line", "") not in ("", "-1"):
        line, starts = _int_arg("line", high=doc.line_count - 1), doc.index.starts
        at = starts[line] if backwards else starts[line + 1] - size  # a hit ending where the next line starts
    offset, wrapped = search.find(doc, query, -1 if at is None else at, backwards)
    if offset is None:
        return jsonify({"line": None, "offset": None, "wrapped": False, "reveal": []})
    first, last = search.line_span(doc, offset, size)
    reveal = _reveal_span(doc.index, first, last)
    return jsonify({"line": first, "last_line": last, "offset": offset, "end": offset + size, "wrapped": wrapped,
                    "reveal": reveal, **search.ordinal(doc, query, offset)})


@bp.get("/docs/<doc_id>/count")
def count(doc_id):
    """How many hits `q` has (and which of them is the one at `at`); asked after the first hit is shown,
    since it reads the whole document.

    The count is null when a search for other text in the document began before it was done.
    """
    doc = get_document(doc_id)
    query = request.args.get("q", "")
    total = search.count(doc, query) if query else 0
    return jsonify({"q": query, "count": total, **search.ordinal(doc, query, _offset_arg(doc))})


@bp.get("/docs/<doc_id>/raw")
def raw(doc_id):
    doc = get_document(doc_id)
    response = Response(doc.raw_chunks(), mimetype="application/json")
    response.content_length = doc.size
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="document-{doc.id}.json"'
    return response


@bp.get("/docs/<doc_id>/line/<int:line>")
def whole_line(doc_id, line):
    """One line's bytes as sent (a line too long to show in a row)."""
    doc = get_document(doc_id)
    if not 0 <= line < doc.line_count:
        raise ViewerError(f"The document has no line {line + 1}.", status=404)
    starts = doc.index.starts
    return Response(doc.read(starts[line], starts[line + 1]).strip(), mimetype="text/plain")


@bp.get("/docs/<doc_id>/text")
def text(doc_id):
    """The raw view: the document's text exactly as received."""
    doc = get_document(doc_id)
    shown = doc.read(0, min(doc.size, RAW_VIEW_LIMIT)).decode("utf-8", "ignore")
    return render_template("raw.html", doc=doc, text=_breakable(shown), cut=doc.size > RAW_VIEW_LIMIT,
                           size=format_size(doc.size), limit=format_size(RAW_VIEW_LIMIT))


def _breakable(text: str) -> Markup:
    """Escaped text with a line-break opportunity after each comma, so wrapping falls between values."""
    return Markup(",<wbr>").join(escape(text).split(","))


@bp.post("/docs/<doc_id>/delete")
def delete(doc_id):
    require_same_origin()
    if not delete_document(doc_id):
        raise ViewerError(f"There is no document {doc_id!r}.", status=404)
    return redirect(url_for("home.index"), code=303)


@bp.delete("/docs/<doc_id>")
def delete_by_method(doc_id):
    require_same_origin()
    if not delete_document(doc_id):
        raise ViewerError(f"There is no document {doc_id!r}.", status=404)
    return "", 204


@bp.post("/docs/<doc_id>/keep")
def keep(doc_id):
    """Keep a document (form field keep=0 stops keeping it); back to the page the button was on."""
    require_same_origin()
    if not keep_document(doc_id, request.form.get("keep", "1") != "0"):
        raise ViewerError(f"There is no document {doc_id!r}: it was deleted or has expired.", status=404)
    back = url_for("home.index") if request.form.get("back") == "home" else url_for("documents.show", doc_id=doc_id)
    return redirect(back, code=303)


@bp.post("/docs/delete")
def delete_everything():
    """Delete every document; kept ones stay unless the form says kept=1."""
    require_same_origin()
    delete_all(kept=request.form.get("kept") == "1")
    return redirect(url_for("home.index"), code=303)


def _duration(seconds) -> str:
    seconds = max(0, int(seconds))
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _rate_limits(info):
    if not info:
        return None
    headers = info.get("headers") or {}
    figures = {name: headers.get(f"x-ratelimit-{name}") for name in ("limit", "remaining", "reset")}
    figures["retry_after"] = headers.get("retry-after")
    figures["status"], figures["fetched_at"] = info.get("status"), info.get("fetched_at")
    figures["content_type"] = headers.get("content-type")
    reset = figures["reset"]
    if reset and reset.isdigit():
        figures["reset_in"] = _duration(int(reset) - time.time()) if int(reset) > time.time() else "now"
    return figures

