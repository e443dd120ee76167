"""Every option and default of the builder, in one place."""
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent

# The embedded default set: Kustomer's seven published bookmarklets, fixed.
DEFAULT_DEFINITIONS = PACKAGE / "defaults" / "kustomer.toml"

DEFAULT_OUT = "dist"

# Where the local JSON viewer listens unless told otherwise.
DEFAULT_VIEWER_PORT = 8737
DEFAULT_VIEWER = f"http://127.0.0.1:{DEFAULT_VIEWER_PORT}"

# Firefox keeps at most this many characters in a bookmark's URL.
MAX_HREF_LENGTH = 65_536

# Bookmark dates when SOURCE_DATE_EPOCH is not set, so that two builds are byte-identical.
FIXED_DATE = 1_735_689_600  # 2025-01-01T00:00:00Z

BOOKMARKS_HTML = "bookmarks.html"
INSTALL_PAGE = "index.html"
CATALOG_JSON = "bookmarklets.json"

# Chromium's exporter calls the bookmarks bar this; the folder marked as the toolbar holds the sets.
BOOKMARKS_BAR_TITLE = "Bookmarks bar"

VIEWER_FOLDER_SUFFIX = " via viewer"
SEND_TO_VIEWER_NAME = "Send to viewer"


def templates_dir() -> Path:
    """The Jinja2 templates: inside the package in a wheel, at the top of the repository otherwise."""
    shipped = PACKAGE / "templates"
    return shipped if shipped.is_dir() else PACKAGE.parent / "templates"
