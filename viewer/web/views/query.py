"""`GET /docs/<id>/jq?q=PROGRAM`: run a jq program on a document; its outputs open as a new document."""
import threading

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from ...errors import ViewerError
from ...query.errors import QueryError
from ...query.run import run_program, served_text
from ...store.documents import delete_document
from ...store.masking import load_masking
from ...store.results import Made, record_result
from ..admission import big_intake_turn
from ..intake import take_in
from ..security import require_same_origin
from ..served import get_document
from ..upstream_limits import limits
from .errors import wants_json

bp = Blueprint("query", __name__)

RUNS = 2  # programs at once: each worker may take --jq-memory, and the server's threads must stay free for the rest


@bp.record_once
def _runs(state):
    state.app.extensions["viewer.jq_runs"] = threading.BoundedSemaphore(RUNS)


@bp.get("/docs/<doc_id>/jq")
def run(doc_id):
    # A result is a new document that spends storage and shows data: only the viewer's own page asks for one.
    require_same_origin()
    program = request.args.get("q", "")
    doc = get_document(doc_id)
    unmasked = bool(doc.masking and doc.masking.has_rendition and not doc.masking.masked)
    try:
        result, rendition = _outputs(doc, program, unmasked)
    except QueryError as exc:
        return _error_page(exc, doc, program)
    with big_intake_turn():
        # The source's URL: links resolve as in the source, and the organisation's rules mask the result again.
        new_id = take_in(result.text, source_url=doc.source_url, organisation=bool(doc.source_url),
                         limits=limits(), rendition=rendition.text if rendition else None,
                         unmasked_until=doc.masking.unmasked_until if unmasked else None)
    try:
        record_result(new_id, Made(doc.id, program, result.outputs, bool(doc.masking and doc.masking.masked)))
    except BaseException:
        delete_document(new_id)
        raise
    return redirect(url_for("documents.show", doc_id=new_id), code=303)


def _outputs(doc, program: str, unmasked: bool) -> tuple:
    """(the program's outputs on the served text, and on the masked rendition when the document is unmasked now)."""
    config, runs = current_app.config, current_app.extensions["viewer.jq_runs"]
    if not runs.acquire(blocking=False):
        raise ViewerError(f"{RUNS} jq programs are running already; run this one when one of them has finished.",
                          status=503)
    limited = {"timeout": config["JQ_TIMEOUT"], "memory": config["JQ_MEMORY"], "max_bytes": config["MAX_BYTES"]}
    try:
        # The served text only: a masked document's masked rendition, so no program can bring back an original.
        result = run_program(program, served_text(doc), **limited)
        # An unmasked document's result masks itself again when its source does: its masked rendition is the
        # program's outputs on the source's masked text.
        return result, run_program(program, served_text(_masked(doc)), **limited) if unmasked else None
    finally:
        runs.release()


def _masked(doc):
    """The document as it is served while masked: its masked rendition."""
    masked = get_document(doc.id)
    masked.use_rendition(load_masking(doc.id))
    return masked


def _error_page(exc: QueryError, doc, program: str):
    """jq's message as it wrote it (its caret under the error), with the program in the box to mend it."""
    if wants_json():
        return jsonify({"error": str(exc)}), exc.status
    return render_template("query_error.html", title=exc.title, status=exc.status, message=str(exc), doc=doc,
                           made=None, program=program), exc.status
