"""`GET /fetch?url=…`: the viewer fetches an allow-listed API URL with the user's key and shows it."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request

from ...errors import ViewerError
from ...kustomer import errors as explain
from ...kustomer import upstream
from ...kustomer.allowlist import NotAllowed
from ...kustomer.errors import UpstreamError
from ...kustomer.links import fetch_href
from ..intake import take_in
from ..upstream_limits import limits
from .errors import wants_json

bp = Blueprint("fetch", __name__)


@bp.get("/fetch")
def fetch_document():
    url = request.args.get("url", "").strip()
    try:
        refuse_background_request()
        if not url:
            raise NotAllowed("Say which API URL to fetch: /fetch?url=https://{org}.api.kustomerapp.com/v1/…")
        got = upstream.fetch(url, allowed_hosts=current_app.config["ALLOWED_HOSTS"], limits=limits())
        doc_id = take_in_fetched(got)
    except ViewerError as exc:
        return error_response(exc, url)
    return redirect(f"/docs/{doc_id}", 303)


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
    """Take in the fetched body exactly; a body the viewer cannot read as JSON is the API's fault here."""
    try:
        return take_in(got.body, source_url=got.final_url, fetch_info=got.info(), organisation=True,
                       limits=limits(), remembered=remembered)
    except ViewerError as exc:
        if exc.status != 400:
            raise
        raise explain.not_json(got.final_url, got.status, got.headers, exc) from None


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
