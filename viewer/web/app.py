"""The application factory: configuration, storage, security, error pages and the pages themselves."""
import time
from pathlib import Path

from flask import Flask, current_app

from .. import settings
from ..store import db
from . import security
from .views import documents, errors, fetch, home, masking, send

# Pages and assets stay at the top of the package, where a reader of the file list looks for them.
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def create_app(config=None) -> Flask:
    """A viewer app; `config` overrides the defaults of viewer.settings (e.g. DATABASE for tests)."""
    app = Flask(__name__, root_path=str(PACKAGE_ROOT))
    app.config.from_mapping(settings.app_config())
    if config:
        app.config.update(config)
    db.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(fetch.bp)
    app.register_blueprint(send.bp)
    app.register_blueprint(masking.bp)
    app.before_request(_expire_old_documents)
    return app


def _expire_old_documents():
    """Delete documents past their time, at most once a minute, so no timer thread is needed."""
    state = current_app.extensions.setdefault("viewer.expiry", {"last": time.time()})
    if time.time() - state["last"] > 60:
        state["last"] = time.time()
        db.delete_expired(db.get_db(), current_app.config["EXPIRE_HOURS"])
