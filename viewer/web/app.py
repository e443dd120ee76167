"""The application factory: configuration, storage, security, error pages and the pages themselves."""
from pathlib import Path

from flask import Flask

from .. import settings
from ..core.engine import Engine
from ..masking import remask
from ..store import db, expiry
from ..store import documents as documents_store
from . import admission, security, windows
from .views import diff, documents, errors, fetch, home, masking, pages, query, response, send, table

# Pages and assets stay at the top of the package, where a reader of the file list looks for them.
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def create_app(config=None) -> Flask:
    """A viewer app; `config` overrides the defaults of viewer.settings (e.g. DATABASE for tests)."""
    app = Flask(__name__, root_path=str(PACKAGE_ROOT))
    app.config.from_mapping(settings.app_config())
    if config:
        app.config.update(config)
    app.config["TIMEKEEPER"] = expiry.Timekeeper()  # this app's own: two apps in one process keep their own time
    app.extensions["viewer.engine"] = Engine(app.config["ENGINE_IDLE_SECONDS"], on_idle=lambda: let_go(app))
    db.init_app(app)
    # A viewer on a full disk still starts: reads leave expired documents out, the timer retries.
    expiry.sweep(app.config)
    documents_store.remove_unfinished(app)
    security.init_app(app)
    admission.init_app(app)
    errors.init_app(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(fetch.bp)
    app.register_blueprint(send.bp)
    app.register_blueprint(masking.bp)
    app.register_blueprint(response.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(diff.bp)
    app.register_blueprint(query.bp)
    app.register_blueprint(table.bp)
    # Last: their threads use the whole app (a jq result is made again by the query blueprint's rerun).
    remask.remask_looser_at_start(app)
    windows.close_due_at_start(app)
    return app


def let_go(app):
    """The engine has stopped for want of big documents: give back what the viewer kept for them too.

    The cached indexes go, and the C heap's free memory is returned to the system (glibc keeps it
    otherwise), so that a viewer idle at login all day holds what it needs to answer, and no more.
    """
    cache = app.extensions.get("viewer.index_cache")
    if cache is not None:
        cache.drop()
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass

