"""`GET /docs/<id>/jq?q=PROGRAM`: run a jq program on a document; its outputs open as a new document."""
import threading

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from ...errors import ViewerError
from ...masking.remask import RERUN, WaitFor, inherit_rules, remasker
from ...masking.rendition import keep_given_rendition
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
    state.app.extensions[RERUN] = rerun


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
        inherit_rules(new_id, doc.id)  # stricter rules for its source later make it again (rerun)
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
    """The document as it is served while masked: its masked rendition (the document itself if it has none)."""
    masked, row = get_document(doc.id), load_masking(doc.id)
    if row is not None and row["size"] is not None:
        masked.use_rendition(row)
    return masked


def rerun(doc_id: str, made: Made, original, extra: dict):
    """Make a jq result's masked rendition again under stricter rules (viewer.masking.remask): its program on its
    source's masked text, once the source itself is masked under them. Its original stays as it was."""
    if remasker(current_app).holds(made.source_id):
        raise WaitFor(made.source_id)
    try:
        source = _masked(get_document(made.source_id))
    except ViewerError:
        raise ViewerError(f"its source {made.source_id} is gone, so its program cannot run on the source's masked "
                          "text again") from None
    config, runs = current_app.config, current_app.extensions["viewer.jq_runs"]
    with runs:
        result = run_program(made.program, served_text(source), timeout=config["JQ_TIMEOUT"],
                             memory=config["JQ_MEMORY"], max_bytes=config["MAX_BYTES"])
    keep_given_rendition(doc_id, original.read(0, original.size), original.index, result.text, again=True)
    inherit_rules(doc_id, made.source_id, extra)


def _error_page(exc: QueryError, doc, program: str):
    """jq's message as it wrote it (its caret under the error), with the program in the box to mend it."""
    if wants_json():
        return jsonify({"error": str(exc)}), exc.status
    return render_template("query_error.html", title=exc.title, status=exc.status, message=str(exc), doc=doc,
                           made=None, program=program), exc.status
