"""What the viewer's bookmarklets tell the agent when nothing answers at the viewer's address, or its tab is blocked."""
from bookmarklets import settings
from bookmarklets.viewer_address import port_option

SEND_AGAIN = (f"This page keeps its JSON: once the viewer runs, click {settings.SEND_TO_VIEWER_NAME} again "
              f"and nothing is lost.")


def fetch_again(name: str) -> str:
    """The last words of `not_running` for a through-the-viewer bookmarklet: the viewer fetches with the key."""
    return (f"The viewer fetches the API JSON with your key: set KUSTOMER_API_KEY before you start it. "
            f"Then click {name} again on this page.")


def not_running(viewer: str, then: str = SEND_AGAIN) -> str:
    """What the agent reads when nothing answers at the viewer's address: the command that starts it."""
    option = port_option(viewer)
    return (f"The JSON viewer is not running: nothing answers at {viewer}.\n\n"
            f"Start it in a terminal with:\n    python -m viewer{option}\n"
            f"(or api-bookmarklets-viewer{option}; \"python -m viewer service install{option}\" starts it at "
            f"every login).\n\n"
            f"{then}")


def popup_blocked(name: str) -> str:
    return f"The browser blocked the viewer's tab. Allow pop-ups for this site, then click {name} again."
