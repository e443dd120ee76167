"""The Send to viewer bookmarklet: posts the JSON on screen to the local viewer, in a new tab."""
from bookmarklets import settings
from bookmarklets.javascript import Compiled, render, to_href
from bookmarklets.viewer_address import check_viewer_url, origin_of
from bookmarklets.viewer_messages import not_running, popup_blocked

DESCRIPTION = ("Send the JSON on screen (an API page in Chrome, Edge or Firefox) to the local JSON viewer, "
               "which opens it in a new tab.")
PAGE = "any page that shows JSON"
NOT_JSON = (f"{settings.SEND_TO_VIEWER_NAME} works on a page that shows JSON, such as an API page opened by "
            f"one of the Kustomer bookmarklets. This page is not JSON.")
BLOCKED = popup_blocked(settings.SEND_TO_VIEWER_NAME)


def compile_send_to_viewer(viewer: str) -> Compiled:
    viewer = check_viewer_url(viewer)
    docs_url = viewer + "/docs"
    code = render("send_to_viewer.js.j2", send_url=viewer + "/send",
                  viewer_origin=origin_of(viewer), not_json=NOT_JSON, blocked=BLOCKED,
                  not_running=not_running(viewer))
    href = to_href(code, settings.SEND_TO_VIEWER_NAME)
    return Compiled(settings.SEND_TO_VIEWER_NAME, None, DESCRIPTION, PAGE, href, open=docs_url)
