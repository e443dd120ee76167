"""The command line of `python -m viewer`: its commands, options and defaults, for `__main__` and `service`."""
import argparse

from . import settings
from .kustomer.allowlist import DEFAULT_ALLOWED_HOSTS

DESCRIPTION = "A local web app that shows JSON documents pretty, highlighted, foldable and exactly as sent."
# Accepted so that login entries written by earlier versions still start; it no longer chooses anything.
IGNORED_INDEX = ("warning: --index is no longer used and is ignored (the viewer picks how it indexes); "
                 "remove it from the command line.")


def server_options(parser, suppress=False):
    """The options of a viewer; `suppress`: where they are given after a command, its default stands."""
    default = (lambda value: argparse.SUPPRESS) if suppress else (lambda value: value)
    parser.add_argument("--host", default=default(settings.HOST),
                        help=f"interface to listen on (default {settings.HOST}; anything but loopback is reachable "
                             "by other machines)")
    parser.add_argument("--port", type=int, default=default(settings.PORT),
                        help=f"port to listen on (default {settings.PORT})")
    database_option(parser, default(None))
    parser.add_argument("--allow-host", metavar="PATTERN", action="append", dest="allow_hosts",
                        default=default(None),
                        help="host name /fetch may fetch from, *.example.com for any name below it; repeatable "
                             f"(default {', '.join(DEFAULT_ALLOWED_HOSTS)})")
    parser.add_argument("--max-bytes", type=int, default=default(settings.MAX_BYTES),
                        help=f"largest document accepted, in bytes (default {settings.MAX_BYTES}, 256 MiB)")
    parser.add_argument("--expire-hours", type=float, default=default(settings.EXPIRE_HOURS),
                        help=f"hours a document is kept (default {settings.EXPIRE_HOURS:g})")
    parser.add_argument("--masking", metavar="FILE", default=default(None),
                        help="TOML file of local masking rules ([[mask]] resource, attribute, mode), added to "
                             "the organisation's sensitive attributes")
    parser.add_argument("--max-storage", metavar="SIZE", type=size, default=default(settings.MAX_STORAGE),
                        help="most the database may take on disk, e.g. 2G or 500M (default 2G; never more than "
                             "half the disk's free space)")
    parser.add_argument("--jq-timeout", metavar="SECONDS", type=float, default=default(settings.JQ_TIMEOUT),
                        help=f"seconds a jq program may run (default {settings.JQ_TIMEOUT:g})")
    parser.add_argument("--jq-memory", metavar="SIZE", type=size, default=default(settings.JQ_MEMORY),
                        help="address space a jq program's worker may take, e.g. 4G (default 2G)")
    parser.add_argument("--index", default=default(None), help=argparse.SUPPRESS)
    # Seconds the index engine's worker stays after the last big document (tests and benchmarks shorten it).
    parser.add_argument("--engine-idle", type=float, default=default(settings.ENGINE_IDLE_SECONDS),
                        help=argparse.SUPPRESS)
    key_file_option(parser, default(None))
    parser.add_argument("--page-share", type=share, default=default(settings.PAGE_SHARE),
                        help="share of the requests left in each rate-limit window that Fetch all pages may use, "
                             "leaving the rest to the organisation's other integrations "
                             f"(default {settings.PAGE_SHARE})")
    parser.add_argument("--max-pages", type=int, default=default(settings.MAX_PAGES),
                        help=f"most pages one Fetch all pages run fetches (default {settings.MAX_PAGES}; &max-pages=N "
                             "asks for up to ten times this on one run)")


def key_file_option(parser, default=None):
    parser.add_argument("--key-file", metavar="PATH", default=default,
                        help="the TOML file of API keys by organisation or host, read at each request (default "
                             f"{settings.default_key_file()}; python -m viewer key set NAME adds one, mode 0600)")


def share(text) -> float:
    """An argparse type: a fraction above 0, at most 1."""
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"a fraction above 0 and at most 1, not {text!r}")
    return value


def database_option(parser, default=None):
    parser.add_argument("--db", metavar="PATH", default=default,
                        help=f"SQLite file for documents (default {settings.default_database()})")


def size(text) -> int:
    """An argparse type: '2G', '500M' or a number of bytes."""
    from .sizes import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m viewer", description=DESCRIPTION)
    server_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="{open,diff,service,check,key}")
    opener = commands.add_parser("open", help="show a document in the running viewer (starting one if needed)",
                                 description="Put a JSON document into the running viewer, starting one in the "
                                             "background when none answers, and open it in the default browser.")
    opener.add_argument("file", metavar="FILE", help="the JSON file, or - for standard input")
    opener.add_argument("--source-url", help="where the document came from (its links resolve against it)")
    opener.add_argument("--no-browser", action="store_true", help="print the document's URL, do not open a browser")
    server_options(opener, suppress=True)
    differ = commands.add_parser("diff", help="compare two documents in the running viewer (starting one if needed)",
                                 description="Put two JSON documents into the running viewer, starting one in the "
                                             "background when none answers, and open the page of what changed "
                                             "from A to B (its JSON Patch and side-by-side text are linked there).")
    differ.add_argument("a", metavar="A", help="the first JSON file (before)")
    differ.add_argument("b", metavar="B", help="the second JSON file (after)")
    differ.add_argument("--no-browser", action="store_true", help="print the comparison's URL, do not open a browser")
    server_options(differ, suppress=True)
    service = commands.add_parser("service", help="start the viewer at login: install, uninstall or status",
                                  description="Have the viewer start at login for the current user, with the "
                                              "options given and the API key from KUSTOMER_API_KEY (stored in a "
                                              "file only you can read): a systemd user unit on Linux, a "
                                              "LaunchAgent on macOS, a Run entry (pythonw.exe) on Windows.")
    service.add_argument("action", choices=("install", "uninstall", "status"),
                         help="install (and start now), uninstall (and stop), or say whether it is installed "
                              "and answering")
    server_options(service, suppress=True)
    check = commands.add_parser("check", help="check the database: its integrity, and every document's bytes "
                                              "against its index",
                                description="Run SQLite's integrity check on the database and check that every "
                                            "document's stored bytes and line index agree. It only reads, so it "
                                            "runs whether or not a viewer uses the database. Exit status 0 when "
                                            "all is well, 1 otherwise.")
    database_option(check, argparse.SUPPRESS)
    key = commands.add_parser("key", help="the API key of each organisation: set NAME, list, remove NAME",
                              description="Manage the API keys the viewer uses, by organisation (acme, for "
                                          "acme.api.kustomerapp.com) or by API host (api.prod2.kustomerapp.com), "
                                          "and default for any other. set reads the key from standard input or "
                                          "asks for it, never from the command line; list shows each key's last "
                                          "four characters.")
    key.add_argument("action", choices=("set", "list", "remove"), help="set (add or replace), list or remove")
    key.add_argument("name", nargs="?", help="organisation, API host or default")
    key_file_option(key, argparse.SUPPRESS)
    return parser
