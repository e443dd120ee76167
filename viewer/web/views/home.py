"""The home page (paste, pick or drop a document; recent documents), and the viewer's own assets."""
import os
import time

from flask import Blueprint, Response, current_app, jsonify, render_template

from ...core.render import stylesheet
from ...store.documents import format_size, recent_documents

bp = Blueprint("home", __name__)

APP_NAME = "api-bookmarklets viewer"


@bp.get("/")
def index():
    docs = recent_documents()
    now, hours = time.time(), current_app.config["EXPIRE_HOURS"]
    listing = [{"doc": d, "size": format_size(d.size), "age": _age(now - d.created_at)} for d in docs]
    return render_template("home.html", listing=listing, expire_hours=hours,
                           max_size=format_size(current_app.config["MAX_BYTES"]))


@bp.get("/ping")
def ping():
    """Lets `python -m viewer open` tell this viewer from anything else on the port."""
    return jsonify({"app": APP_NAME, "pid": os.getpid()})


@bp.get("/highlight.css")
def highlight_css():
    response = Response(stylesheet(), mimetype="text/css")
    response.headers["Cache-Control"] = "max-age=3600"
    return response


def _age(seconds) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    return f"{minutes // 60} h {minutes % 60} min ago"
