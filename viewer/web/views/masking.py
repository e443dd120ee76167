"""Unmasking a masked document for a while (after a confirmation), and the audit log of every unmask."""
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from ...kustomer import upstream
from ...kustomer.errors import UpstreamError
from ...masking.errors import MaskingError
from ...masking.remask import shown_source
from ...masking.remembered import kustomer_masked
from ...masking.state import now
from ...store.documents import gone_while_read, original_document
from ...store.masking import audit_page, mask_again
from ...store.masking import unmask as record_unmask
from ...store.results import load_result
from .. import windows
from ..security import require_same_origin
from ..served import get_document
from ..upstream_limits import limits
from .errors import wants_json
from .fetch import take_in_fetched

bp = Blueprint("masking", __name__)

# Kustomer's range for temporary unmasking.
MIN_HOURS, MAX_HOURS, DEFAULT_HOURS = 1, 72, 24
HOURS = re.compile(r"[0-9]{1,4}")  # ASCII digits only: int() would also take "2_4", "+24", " 24" and "٢٤"
AUDIT_PAGE = 100  # entries on a page of /audit
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
    at = now()  # the audit row's moment: the unmask ends exactly `hours` after it
    if not record_unmask(doc.id, at + hours * 3600, at=at, source_url=doc.source_url,
                         customer_id=doc.masking.customer_id, hours=hours, kind="viewer"):
        raise gone_while_read(doc.id)
    return redirect(url_for("documents.show", doc_id=doc.id), code=303)


@bp.post("/docs/<doc_id>/mask")
def mask_now(doc_id):
    """Mask again now: end an unmask before its hours run out."""
    require_same_origin()
    doc = _masked_document(doc_id)
    if not doc.masking.masked:
        mask_again(doc.id, at=now(), source_url=doc.source_url, customer_id=doc.masking.customer_id)
    windows.end_now(doc.id)  # Kustomer's window ends with the viewer's unmask: it unmasks for everyone
    return redirect(url_for("documents.show", doc_id=doc.id), code=303)


def _hours(text) -> int:
    if text in (None, ""):
        return DEFAULT_HOURS
    hours = int(text) if HOURS.fullmatch(text) else None
    if hours is None or not MIN_HOURS <= hours <= MAX_HOURS:
        raise MaskingError(f"hours must be a whole number from {MIN_HOURS} to {MAX_HOURS}, written in digits 0-9, "
                           f"not {text!r}.")
    return hours


def _unmask_in_kustomer(doc, hours):
    """Open Kustomer's unmasking window for the customer, fetch the document again and show it unmasked."""
    parts = urlsplit(doc.source_url)
    window = f"{parts.scheme}://{parts.netloc}/v1/customers/{doc.masking.customer_id}/unmasking-windows"
    allowed = current_app.config["ALLOWED_HOSTS"]
    key_name = (doc.fetch_info or {}).get("key_name")  # the stored key the document was fetched with
    # What Kustomer masked, remembered first: the window's answer shows it, and it is masked again after.
    original = original_document(doc.id)
    remembered = kustomer_masked(original.read(0, original.size), original.index)
    try:
        _, answer = upstream.post(window, allowed_hosts=allowed, limits=limits(), key_name=key_name)
    except UpstreamError as exc:
        if exc.upstream_status == 403:
            raise MaskingError(f"Kustomer refused to open an unmasking window (403): the key needs the role "
                               f"{UNMASK_ROLE}.", 403) from None
        raise
    at = now()
    try:
        got = upstream.fetch(doc.source_url, allowed_hosts=allowed, limits=limits(), key_name=key_name)
        new_id = take_in_fetched(got, remembered=remembered)
    except BaseException:
        windows.opened(doc.id, window, at=at, until=at, answer=answer)  # nothing shows it: end the window now
        raise
    fresh = get_document(new_id)
    # The viewer's own masks of the new document (Kustomer's among them), for the hours confirmed.
    until = at + hours * 3600
    record_unmask(new_id, until if fresh.masking and fresh.masking.has_rendition else None, at=at,
                  source_url=doc.source_url, customer_id=doc.masking.customer_id, hours=hours, kind="kustomer-window")
    windows.opened(new_id, window, at=at, until=until, answer=answer)
    return redirect(url_for("documents.show", doc_id=new_id), code=303)


@bp.get("/audit")
def audit():
    """Every entry of the audit log, newest first, a page at a time (`before`: where the last page ended)."""
    before = _cursor(request.args.get("before"))
    rows, last = audit_page(before, AUDIT_PAGE)
    entries = [_entry(row) for row in rows]
    following = url_for("masking.audit", before=f"{last[0]!r}_{last[1]}", _external=True) if last else None
    if wants_json():
        return jsonify({"entries": entries, "next": following})
    return render_template("audit.html", entries=entries, next=following, first=before is None)


def _cursor(text):
    if text is None:
        return None
    at, _, rowid = text.rpartition("_")
    try:
        return float(at), int(rowid)
    except ValueError:
        raise MaskingError(f"before must be a position this log gave as a link to its next page, not {text!r}.") \
            from None


def _entry(row) -> dict:
    at = datetime.fromtimestamp(row["at"], UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {"at": at, "doc": row["doc_id"], "source_url": shown_source(row["source_url"], row["doc_id"]), "customer_id": row["customer_id"],
            "hours": row["hours"], "user": row["user"], "kind": row["kind"]}

