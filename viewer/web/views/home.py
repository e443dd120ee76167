"""The home page (paste, pick or drop a document; recent documents), and the viewer's own assets."""
import os
import re

from flask import Blueprint, Response, current_app, jsonify, render_template

from ...core.render import stylesheet
from ...masking.remask import shown_source
from ...sizes import format_size
from ...store import budget, expiry
from ...store.documents import kept_count, recent_documents, unfinished_documents
from ...store.versions import version_numbers

bp = Blueprint("home", __name__)

APP_NAME = "api-bookmarklets viewer"


@bp.get("/")
def index():
    docs = recent_documents()
    now, hours = expiry.now(), current_app.config["EXPIRE_HOURS"]
    waiting = current_app.extensions.get("viewer.remask")
    listing = [_listed(d, now, waiting is not None and waiting.holds(d.id)) for d in docs]
    listing = _versions_together(listing)
    return render_template("home.html", listing=listing, expire_hours=hours,
                           max_size=format_size(current_app.config["MAX_BYTES"]), removed=_removed(now),
                           unfinished=[dict(item, source=shown_source(item["source"])) for item in unfinished_documents()],
                           budget=format_size(current_app.config["MAX_STORAGE"]), kept=kept_count())


def _versions_together(listing) -> list:
    """The versions of one URL listed together, newest first, where the newest of them is in the list."""
    numbers = version_numbers(item["doc"].id for item in listing)
    groups = {}
    for item in listing:
        found = numbers.get(item["doc"].id)
        if found:
            item["url"], item["version"] = found
            groups.setdefault(found[0], []).append(item)
    result, shown = [], set()
    for item in listing:
        url = item.get("url")
        if url is None:
            result.append(item)
        elif url not in shown:
            shown.add(url)
            group = sorted(groups[url], key=lambda x: -x["version"])
            for later in group[1:]:
                later["older"] = True
            result.extend(group)
    return result


def _listed(doc, now, held) -> dict:
    """A row of the list; a document waiting to be masked again under stricter rules is named by its id only."""
    if held:
        return {"doc": doc, "size": "…", "age": _age(now - doc.created_at), "held": True,
                **_split(f"{doc.id} (being masked again under the new rules)", None)}
    return {"doc": doc, "size": format_size(doc.size), "age": _age(now - doc.created_at), **_name_parts(doc)}


def _removed(now) -> list:
    return [dict(item, ago=_age(now - item["at"])) for item in budget.removed_documents()]


@bp.get("/ping")
def ping():
    """Lets `python -m viewer open` tell this viewer from anything else on the port; says which index pass it runs
    and what its files take on disk (`storage.used`, every file beside the database) of its budget."""
    engine = current_app.extensions["viewer.engine"]
    storage = {"used": budget.on_disk(current_app.config["DATABASE"]), "budget": current_app.config["MAX_STORAGE"]}
    return jsonify({"app": APP_NAME, "pid": os.getpid(), **engine.describe(), "storage": storage})


@bp.get("/highlight.css")
def highlight_css():
    response = Response(stylesheet(), mimetype="text/css")
    response.headers["Cache-Control"] = "max-age=3600"
    return response


NAME_TAIL = 28  # characters always shown at the end of a name: where a URL keeps its IDs


_ID = re.compile(r"/(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{8,}(?=[/?#]|$)")


def _name_parts(doc) -> dict:
    """The name split so that a narrow page elides its middle: the tail keeps a URL's last ID and what follows."""
    source = shown_source(doc.source_url, doc.id)
    return _split(source or doc.preview or doc.id, source)


def _split(name, source) -> dict:
    ids = list(_ID.finditer(name)) if source else []
    cut = ids[-1].start() if ids else max(0, len(name) - NAME_TAIL)
    return {"name": name, "head": name[:cut], "tail": name[cut:]}


def _age(seconds) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    return f"{minutes // 60} h {minutes % 60} min ago"
