"""The Send to viewer bookmarklet: posts the JSON on screen to the local viewer, in a new tab."""
from urllib.parse import urlsplit

from bookmarklets import settings
from bookmarklets.errors import BookmarkletError
from bookmarklets.javascript import Compiled, render, to_href

DESCRIPTION = ("Send the JSON on screen (an API page in Chrome, Edge or Firefox) to the local JSON viewer, "
               "which opens it in a new tab.")
PAGE = "any page that shows JSON"
NOT_JSON = (f"{settings.SEND_TO_VIEWER_NAME} works on a page that shows JSON, such as an API page opened by "
            f"one of the Kustomer bookmarklets. This page is not JSON.")
BLOCKED = (f"The browser blocked the viewer's tab. Allow pop-ups for this site, then click "
           f"{settings.SEND_TO_VIEWER_NAME} again.")


def port_option(viewer: str) -> str:
    """` --port N` when the viewer is not on its default port, for the commands that start it."""
    parts = urlsplit(viewer)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return "" if port == settings.DEFAULT_VIEWER_PORT else f" --port {port}"


def not_running(viewer: str) -> str:
    """What the agent reads when nothing answers at the viewer's address: the command that starts it."""
    option = port_option(viewer)
    return (f"The JSON viewer is not running: nothing answers at {viewer}.\n\n"
            f"Start it in a terminal with:\n    python -m viewer{option}\n"
            f"(or api-bookmarklets-viewer{option}; \"python -m viewer service install{option}\" starts it at "
            f"every login).\n\n"
            f"This page keeps its JSON: once the viewer runs, click {settings.SEND_TO_VIEWER_NAME} again "
            f"and nothing is lost.")


def check_viewer_url(viewer: str) -> str:
    """The viewer's address, without a trailing slash; http(s), host, no query or fragment."""
    parts = urlsplit(viewer)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise BookmarkletError(f"--viewer {viewer!r}: give the viewer's address, "
                               f"such as {settings.DEFAULT_VIEWER}")
    return viewer.rstrip("/")


def compile_send_to_viewer(viewer: str) -> Compiled:
    viewer = check_viewer_url(viewer)
    parts = urlsplit(viewer)
    docs_url = viewer + "/docs"
    code = render("send_to_viewer.js.j2", send_url=viewer + "/send",
                  viewer_origin=f"{parts.scheme}://{parts.netloc}", not_json=NOT_JSON, blocked=BLOCKED,
                  not_running=not_running(viewer))
    href = to_href(code, settings.SEND_TO_VIEWER_NAME)
    return Compiled(settings.SEND_TO_VIEWER_NAME, None, DESCRIPTION, PAGE, href, open=docs_url)
