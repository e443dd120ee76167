"""bookmarklets.json: the build as data, for scripts and for the viewer's tests."""
import json

from bookmarklets.javascript import Compiled


def render(compiled: list[Compiled]) -> str:
    entries = [{
        "name": item.name,
        "folder": item.folder,  # null: straight on the bookmarks bar
        "description": item.description,
        "page": item.page,
        "match": item.match,
        "open": item.open,
        "through": item.via,  # set when the API URL is opened through the viewer's /fetch?url=
        "new_tab": item.new_tab,
        "href": item.href,
    } for item in compiled]
    return json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
