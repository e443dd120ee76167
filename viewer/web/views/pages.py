"""Fetch all pages: `GET /fetch?url=…&all=1` starts a run, `GET /pages/<run-id>` follows it, a POST stops it."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from ...errors import ViewerError
from ...kustomer import keys
from ...kustomer.allowlist import NotAllowed, check_url
from ...kustomer.links import fetch_href
from ...kustomer.pages import with_page
from ..page_runs import runs_for
from ..security import require_same_origin
from .errors import wants_json

bp = Blueprint("pages", __name__)

REFRESH_SECONDS = 1


def start_run(url: str, key_name: str | None):
    """Check the URL, the key and &max-pages now, so that what is wrong is said at once; then start the run."""
    app = current_app._get_current_object()
    check_url(url, app.config["ALLOWED_HOSTS"])
    keys.key_for(url, key_name)  # a missing key answers its page now, not after the run starts
    run = runs_for(app).start(app, url, key_name, max_pages(int(app.config["MAX_PAGES"])))
    return redirect(url_for("pages.progress", run_id=run.id), 303)


@bp.app_template_global()
def all_pages_href(doc) -> str:
    """Fetch all pages of the list a document is a page of, from its first page, with the same key."""
    url = doc.source_url
    if "page=" in url.split("?", 1)[-1]:
        url = with_page(url, 1)
    name = (doc.fetch_info or {}).get("key_name")
    return fetch_href(url) + "&all=1" + (f"&org={name}" if name else "")


def max_pages(default: int) -> int:
    text = request.args.get("max-pages", "").strip()
    if not text:
        return default
    most = 10 * default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= most:
        raise NotAllowed(f"max-pages must be a whole number from 1 to {most} (ten times the viewer's --max-pages "
                         f"{default}), not {text!r}.")
    return int(text)


def _run_or_404(run_id):
    run = runs_for(current_app).get(run_id)
    if run is None:
        raise ViewerError(f"No run {run_id}: it ended long ago or the viewer was restarted since. Its document, "
                          "if it made one, is on the home page.", 404)
    return run


@bp.get("/pages/<run_id>")
def progress(run_id):
    run = _run_or_404(run_id)
    state = run.progress()
    if wants_json():
        return jsonify(state)
    if run.state == "done":
        return redirect(url_for("documents.show", doc_id=run.doc_id), 303)
    page = render_template("pages.html", run=state, refresh=REFRESH_SECONDS if run.state == "running" else None,
                           most_pages=run.most_pages, key_name=run.key_name, source=fetch_href(run.url))
    return page, 502 if run.state == "failed" else 200


@bp.post("/pages/<run_id>/stop")
def stop(run_id):
    require_same_origin()
    run = _run_or_404(run_id)
    run.ask_to_stop("it was stopped from its progress page")
    if wants_json():
        return jsonify(run.progress())
    return redirect(url_for("pages.progress", run_id=run.id), 303)
