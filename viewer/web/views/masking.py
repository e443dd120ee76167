"""Unmasking a masked document for a while (after a confirmation), and the audit log of every unmask."""
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from ...kustomer import upstream
from ...kustomer.errors import UpstreamError
from ...masking.errors import MaskingError
from ...masking.state import now
from ...store.documents import get_document
from ...store.masking import audit_entries, log_unmask, set_unmasked_until
from ...store.results import load_result
from ..security import require_same_origin
from ..upstream_limits import limits
from .errors import wants_json
from .fetch import take_in_fetched

bp = Blueprint("masking", __name__)

# Kustomer's range for temporary unmasking.
MIN_HOURS, MAX_HOURS, DEFAULT_HOURS = 1, 72, 24
UNMASK_ROLE = "org.permission.unmasking_window.create"


def _masked_document(doc_id):
    doc = get_document(doc_id)
    if not doc.masking or not doc.masking.has_rendition:
        raise MaskingError(f"Document {doc_id} has no masked values: there is nothing to unmask.")
    made = load_result(doc_id)
    if made and made.masked_source:
        raise MaskingError(f"Document {doc_id} was made by jq from the masked text of document {made.source_id}: "
                           "there is no original to show. Unmask that document and run the program again.")
    return doc


def _by_kustomer(doc) -> bool:
    """Kustomer masked values of this document itself: only its unmasking window shows them."""
    return doc.masking.kustomer and bool(doc.source_url) and bool(doc.masking.customer_id)


@bp.get("/docs/<doc_id>/unmask")
def confirm(doc_id):
    doc = _masked_document(doc_id)
    return render_template("unmask.html", doc=doc, masking=doc.masking, kustomer=_by_kustomer(doc),
                           hours=DEFAULT_HOURS, low=MIN_HOURS, high=MAX_HOURS)


@bp.post("/docs/<doc_id>/unmask")
def unmask(doc_id):
    require_same_origin()
    hours = _hours(request.form.get("hours"))
    doc = _masked_document(doc_id)
    if _by_kustomer(doc):
        return _unmask_in_kustomer(doc, hours)
    until = now() + hours * 3600
    set_unmasked_until(doc.id, until)
    log_unmask(at=now(), doc_id=doc.id, source_url=doc.source_url, customer_id=doc.masking.customer_id,
               hours=hours, kind="viewer")
    return redirect(url_for("documents.show", doc_id=doc.id), code=303)


def _hours(text) -> int:
    if text in (None, ""):
        return DEFAULT_HOURS
    try:
        hours = int(text)
    except ValueError:
        hours = None
    if hours is None or not MIN_HOURS <= hours <= MAX_HOURS:
        raise MaskingError(f"hours must be a whole number from {MIN_HOURS} to {MAX_HOURS}, not {text!r}.")
    return hours


def _unmask_in_kustomer(doc, hours):
    """Open Kustomer's unmasking window for the customer, fetch the document again and show it unmasked."""
    parts = urlsplit(doc.source_url)
    window = f"{parts.scheme}://{parts.netloc}/v1/customers/{doc.masking.customer_id}/unmasking-windows"
    allowed = current_app.config["ALLOWED_HOSTS"]
    try:
        upstream.post(window, allowed_hosts=allowed, limits=limits())
    except UpstreamError as exc:
        if exc.upstream_status == 403:
            raise MaskingError(f"Kustomer refused to open an unmasking window (403): the key needs the role "
                               f"{UNMASK_ROLE}.", 403) from None
        raise
    got = upstream.fetch(doc.source_url, allowed_hosts=allowed, limits=limits())
    new_id = take_in_fetched(got)
    fresh = get_document(new_id)
    if fresh.masking and fresh.masking.has_rendition:
        set_unmasked_until(new_id, now() + hours * 3600)  # the viewer's own masks, for the hours confirmed
    log_unmask(at=now(), doc_id=new_id, source_url=doc.source_url, customer_id=doc.masking.customer_id,
               hours=hours, kind="kustomer-window")
    return redirect(url_for("documents.show", doc_id=new_id), code=303)


@bp.get("/audit")
def audit():
    entries = [_entry(row) for row in audit_entries()]
    if wants_json():
        return jsonify(entries)
    return render_template("audit.html", entries=entries)


def _entry(row) -> dict:
    at = datetime.fromtimestamp(row["at"], UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {"at": at, "doc": row["doc_id"], "source_url": row["source_url"], "customer_id": row["customer_id"],
            "hours": row["hours"], "user": row["user"], "kind": row["kind"]}

