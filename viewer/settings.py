"""The viewer's options and their defaults, in one place for the command line, the app and the docs."""
import time
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from .kustomer.allowlist import DEFAULT_ALLOWED_HOSTS

HOST = "127.0.0.1"
# Fixed so that bookmarklets and `python -m viewer open` find a running viewer; not 5000 (AirPlay on macOS).
PORT = 8737
MAX_BYTES = 256 * 1024 * 1024
# Documents hold customers' personal data, so they do not outlive the working day.
EXPIRE_HOURS = 24.0
# What the database may take on disk, its log included (never more than half the disk's free space).
MAX_STORAGE = 2 * 1024 ** 3
# Parts a posted form may have: the document (json or file) and source_url, with room for a browser's extras.
MAX_FORM_PARTS = 16
# Seconds after the last big document that the index engine's worker is stopped and caches given back.
ENGINE_IDLE_SECONDS = 90.0
# Fetch all pages: the share of each rate-limit window's remaining requests a run may use, and its most pages.
PAGE_SHARE = 0.5
MAX_PAGES = 200
# A jq program is stopped past this many seconds, or past this much address space (jq holds a 100 MB document
# in about 0.8 GB).
JQ_TIMEOUT = 20.0
JQ_MEMORY = 2 * 1024 ** 3
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def default_database() -> Path:
    return Path(user_data_dir("api-bookmarklets", appauthor=False)) / "viewer.sqlite3"


def default_key_file() -> Path:
    """The API keys by organisation (TOML, mode 0600): what `key set` and `service install` write, the viewer reads."""
    return Path(user_config_dir("api-bookmarklets", appauthor=False)) / "kustomer-api-key"


def app_config(*, database=None, host=HOST, port=PORT, max_bytes=MAX_BYTES, expire_hours=EXPIRE_HOURS,
               allowed_hosts=DEFAULT_ALLOWED_HOSTS, masking_rules=None,
               max_storage=MAX_STORAGE, engine_idle=ENGINE_IDLE_SECONDS, page_share=PAGE_SHARE,
               max_pages=MAX_PAGES, jq_timeout=JQ_TIMEOUT, jq_memory=JQ_MEMORY) -> dict:
    """The Flask config for these options."""
    return {
        "DATABASE": str(database or default_database()),
        "SERVER_HOST": host,
        "SERVER_PORT": port,
        "MAX_BYTES": max_bytes,
        "EXPIRE_HOURS": expire_hours,
        "MAX_STORAGE": max_storage,
        "MAX_FORM_PARTS": MAX_FORM_PARTS,
        "ALLOWED_HOSTS": tuple(allowed_hosts),
        # Form fields and uploads may carry a whole document; percent-encoding can triple its size.
        "MAX_FORM_MEMORY_SIZE": max_bytes * 3 + 65536,
        "MAX_CONTENT_LENGTH": max_bytes * 3 + 65536,
        # Kept in memory for the documents being read, so that scrolling does not reload them.
        "INDEX_CACHE_BYTES": 128 * 1024 * 1024,
        "ENGINE_IDLE_SECONDS": engine_idle,
        "PAGE_SHARE": page_share,
        "MAX_PAGES": max_pages,
        # Local masking rules ({resource: viewer.masking.rules.Rules}) from --masking FILE.
        "MASKING_RULES": masking_rules or {},
        "JQ_TIMEOUT": jq_timeout,
        "JQ_MEMORY": jq_memory,
        # The wall clock that decides when a document expires and an unmasked one masks again, and beside it
        # a clock counting suspend that no one sets (None: CLOCK_BOOTTIME, or time.monotonic where there is
        # none), so that setting the wall clock back lengthens neither (viewer.store.expiry). Tests set both.
        "CLOCK": time.time,
        "ELAPSED_CLOCK": None,
    }
