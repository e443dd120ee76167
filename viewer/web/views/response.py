"""`GET /docs/<id>/response`: how a fetched document came, as JSON (the document page shows it as a panel)."""
from flask import Blueprint, jsonify

from ...errors import ViewerError
from ..response import response_of
from ..served import get_document

bp = Blueprint("response", __name__)


@bp.get("/docs/<doc_id>/response")
def response(doc_id):
    doc = get_document(doc_id)
    answer = response_of(doc)
    if answer is None:
        raise ViewerError(f"Document {doc_id} was not fetched by the viewer (it was posted or opened from a file), "
                          "so there is no response to show.", 404)
    return jsonify(answer)
