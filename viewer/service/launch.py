"""What a login entry runs: this interpreter, `-m viewer` and the options given, from the folder holding the code."""
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import running, settings
from ..options import build_parser

NAME = "api-bookmarklets-viewer"
DESCRIPTION = "api-bookmarklets JSON viewer"
# The folder that holds the `viewer` package: the unit runs this very code, installed or a checkout.
CODE_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Launch:
    """The command line of the viewer to start at login, and the folder to start it in."""

    argv: tuple
    working_directory: str
    url: str


def launch_for(args, key_file: Path | None, python: str = sys.executable) -> Launch:
    """The viewer's command line for the options in `args` that differ from the defaults."""
    options = []
    if args.host != settings.HOST:
        options += ["--host", args.host]
    if args.port != settings.PORT:
        options += ["--port", str(args.port)]
    if args.db:
        options += ["--db", os.path.abspath(args.db)]
    for pattern in args.allow_hosts or ():
        options += ["--allow-host", pattern]
    if args.max_bytes != settings.MAX_BYTES:
        options += ["--max-bytes", str(args.max_bytes)]
    if args.expire_hours != settings.EXPIRE_HOURS:
        options += ["--expire-hours", f"{args.expire_hours:g}"]
    if getattr(args, "masking", None):
        options += ["--masking", os.path.abspath(args.masking)]
    if getattr(args, "max_storage", settings.MAX_STORAGE) != settings.MAX_STORAGE:
        options += ["--max-storage", str(args.max_storage)]
    if getattr(args, "page_share", settings.PAGE_SHARE) != settings.PAGE_SHARE:
        options += ["--page-share", f"{args.page_share:g}"]
    if getattr(args, "max_pages", settings.MAX_PAGES) != settings.MAX_PAGES:
        options += ["--max-pages", str(args.max_pages)]
    if getattr(args, "jq_timeout", settings.JQ_TIMEOUT) != settings.JQ_TIMEOUT:
        options += ["--jq-timeout", f"{args.jq_timeout:g}"]
    if getattr(args, "jq_memory", settings.JQ_MEMORY) != settings.JQ_MEMORY:
        options += ["--jq-memory", str(args.jq_memory)]
    if key_file is not None:
        options += ["--key-file", str(key_file)]
    return Launch((python, "-m", "viewer", *options), str(CODE_ROOT), viewer_url(args.host, args.port))


def viewer_url(host: str, port: int) -> str:
    return running.url_for(host, port)


def url_of(argv) -> str:
    """The address of the viewer a stored command line starts."""
    options = list(argv)[list(argv).index("viewer") + 1:] if "viewer" in argv else []
    args, _ = build_parser().parse_known_args(options)
    return viewer_url(args.host, args.port)
