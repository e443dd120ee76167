"""`GET /fetch?url=…`: the viewer fetches an allow-listed API URL with the user's key and shows it;
`POST /docs/<id>/refresh` fetches a fetched document's URL again, as its next version."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request

from ...errors import ViewerError
from ...kustomer import errors as explain
from ...kustomer import keys, upstream
from ...kustomer.allowlist import NotAllowed
from ...kustomer.errors import UpstreamError
from ...kustomer.links import fetch_href
from ...store.versions import record_version
from ..intake import take_in
from ..security import require_same_origin
from ..served import get_document
from ..upstream_limits import limits
from .errors import wants_json
from .pages import start_run

bp = Blueprint("fetch", __name__)


@bp.get("/fetch")
def fetch_document():
    url = request.args.get("url", "").strip()
    try:
        refuse_background_request()
        if not url:
            raise NotAllowed("Say which API URL to fetch: /fetch?url=https://{org}.api.kustomerapp.com/v1/…")
        if request.args.get("all") == "1":
            return start_run(url, key_name())
        got = upstream.fetch(url, allowed_hosts=current_app.config["ALLOWED_HOSTS"], limits=limits(),
                             key_name=key_name())
        doc_id = take_in_fetched(got)
    except ViewerError as exc:
        return error_response(exc, url)
    return redirect(f"/docs/{doc_id}", 303)


def key_name() -> str | None:
    """`&org=NAME`: a stored key chosen by name, for two organisations on one regional host."""
    name = request.args.get("org", "").strip()
    return keys.check_name(name) if name else None


@bp.post("/docs/<doc_id>/refresh")
def refresh(doc_id):
    """Fetch a fetched document's URL again, the way /fetch does, and open the result: its next version."""
    url = ""
    try:
        require_same_origin()  # a refresh spends the organisation's rate limit: the viewer's own pages only
        doc = get_document(doc_id)
        url = doc.source_url or ""
        if (doc.fetch_info or {}).get("run"):  # combined from every page of a list: every page again
            return start_run(doc.fetch_info.get("url") or url, doc.fetch_info.get("key_name"))
        new_id = refetch(doc)
    except ViewerError as exc:
        return error_response(exc, url)
    return redirect(f"/docs/{new_id}", 303)


def refetch(doc) -> str:
    """The next version of a document the viewer fetched: its URL fetched again and taken in.

    A document combined from every page of a list is refreshed by running its page fetch again, under
    the same limits (see `refresh`); its result is the next version of that list's combined documents.
    """
    if not doc.source_url or not doc.fetch_info:
        raise ViewerError("Only a document the viewer fetched from an API can be refreshed; this one was pasted "
                          "or sent to it. Fetch its URL with /fetch?url=… to start its versions.")
    got = upstream.fetch(doc.source_url, allowed_hosts=current_app.config["ALLOWED_HOSTS"], limits=limits(),
                         key_name=doc.fetch_info.get("key_name"))  # the key it was fetched with
    return take_in_fetched(got)


def refuse_background_request():
    """Another site may send the browser here (a bookmarklet does), but not make it fetch with the key unseen.

    Browsers say how a request was started; an image, script, frame or fetch() from another site's
    page would spend the organisation's rate limit and store its data without the user asking.
    """
    site = request.headers.get("Sec-Fetch-Site")
    mode, dest = request.headers.get("Sec-Fetch-Mode"), request.headers.get("Sec-Fetch-Dest")
    if site in ("cross-site", "same-site") and (mode not in (None, "navigate") or dest not in (None, "document")):
        raise NotAllowed("Refused: another site's page asked the viewer to fetch in the background. The viewer "
                         "fetches only for pages you open yourself (a bookmarklet, a link you click).", 403)


def take_in_fetched(got: upstream.Fetched, remembered=None) -> str:
    """Take in the fetched body exactly, as the next version of its URL; a body the viewer cannot read as
    JSON is the API's fault here."""
    try:
        doc_id = take_in(got.body, source_url=got.final_url, fetch_info=got.info(), organisation=True,
                         limits=limits(), remembered=remembered)
    except ViewerError as exc:
        if exc.status != 400:
            raise
        raise explain.not_json(got.final_url, got.status, got.headers, exc) from None
    record_version(doc_id, got.final_url)
    return doc_id


def error_response(exc: ViewerError, url: str):
    """The error as JSON when asked for, else as a page; with Retry-After when the API gave one."""
    data = exc.to_json() if isinstance(exc, UpstreamError) else {
        "error": str(exc), "kind": "refused" if isinstance(exc, NotAllowed) else "error", "url": url}
    headers = {}
    if getattr(exc, "retry_after", None) is not None:
        headers["Retry-After"] = str(exc.retry_after)
    if wants_json():
        return jsonify(data), exc.status, headers
    page = render_template("fetch_error.html", error=exc, data=data, url=url, via_fetch=fetch_href,
                           upstream_error=isinstance(exc, UpstreamError))
    return page, exc.status, headers
