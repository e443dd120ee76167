"""The build, stage by stage: definitions → JavaScript → examples checked → the three files."""
import os
from dataclasses import dataclass

from bookmarklets import bookmarks_html, catalog, definitions, install_page, settings
from bookmarklets.errors import BookmarkletError
from bookmarklets.examples import check
from bookmarklets.javascript import Compiled, compile_bookmarklet
from bookmarklets.jsengine import JsEngine
from bookmarklets.send_to_viewer import compile_send_to_viewer
from bookmarklets.through_viewer import through_viewer
from bookmarklets.viewer_address import check_viewer_url


@dataclass(frozen=True)
class Build:
    compiled: list[Compiled]
    examples: int  # how many examples were run and held
    viewer: str = settings.DEFAULT_VIEWER  # the address Send to viewer and the "via viewer" folder open


def build(definition_files=None, viewer: str | None = None) -> Build:
    """Read, check, compile and run the examples of every bookmarklet; raise BookmarkletError on the first fault."""
    paths = list(definition_files or [settings.DEFAULT_DEFINITIONS])
    if viewer is not None:
        viewer = check_viewer_url(viewer)
    with JsEngine() as engine:
        folders = definitions.read_all(paths, engine)
        if viewer is not None:
            folders += [through_viewer(folder, viewer) for folder in folders]
        compiled = [compile_bookmarklet(b, folder.name) for folder in folders for b in folder.bookmarklets]
        compiled.append(compile_send_to_viewer(viewer or settings.DEFAULT_VIEWER))
        examples = sum(check(item, engine) for item in compiled)
    return Build(compiled, examples, viewer or settings.DEFAULT_VIEWER)


def render_files(result: Build, date: int) -> dict[str, str]:
    return {
        settings.BOOKMARKS_HTML: bookmarks_html.render(result.compiled, date),
        settings.INSTALL_PAGE: install_page.render_page(result.compiled, result.viewer),
        settings.CATALOG_JSON: catalog.render(result.compiled),
    }


def build_date(environ=os.environ) -> int:
    """SOURCE_DATE_EPOCH when set, so that builds are reproducible; a fixed date otherwise."""
    value = environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return settings.FIXED_DATE
    if not value.isdigit():
        raise BookmarkletError(f"SOURCE_DATE_EPOCH={value!r}: give whole seconds since 1970, or unset it")
    return int(value)
