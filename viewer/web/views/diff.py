"""`GET /diff?a=&b=`: what changed from document A to B, as a page, a JSON Patch or two texts side by side.

Computed when asked from what the viewer serves of both (a masked document's rendition) and never stored.
"""
from flask import Blueprint, Response, render_template, request

from ...core import diff_rows as diff_page
from ...core.diff import compare
from ...core.patch import MEDIA_TYPE, json_patch
from ...errors import ViewerError
from ..served import get_document

bp = Blueprint("diff", __name__)


def _documents():
    ids = [request.args.get(name, "").strip() for name in ("a", "b")]
    if not all(ids):
        raise ViewerError("Say which two documents to compare: /diff?a=<id>&b=<id>.")
    return [get_document(doc_id) for doc_id in ids]


@bp.get("/diff")
def show():
    a, b = _documents()
    comparison = compare(a, b)
    if request.args.get("format") == "json-patch":
        return Response(json_patch(comparison), mimetype=MEDIA_TYPE)
    if request.args.get("format") not in (None, "", "html"):
        raise ViewerError("The parameter format may be json-patch, or left out for the page.")
    return render_template("diff.html", a=a, b=b, rows=diff_page.rows(comparison),
                           changes=diff_page.change_count(comparison.entries),
                           patch_refused=bool(a.duplicates or b.duplicates))


@bp.get("/diff/text")
def side_by_side():
    a, b = _documents()
    return render_template("diff_text.html", a=a, b=b, table=diff_page.side_by_side(a, b))
