"""`python -m viewer` serves the viewer; `python -m viewer open FILE|-` shows a document in it."""
import argparse
import ipaddress
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import webbrowser
from pathlib import Path

from . import settings
from .kustomer.allowlist import DEFAULT_ALLOWED_HOSTS

DESCRIPTION = "A local web app that shows JSON documents pretty, highlighted, foldable and exactly as sent."


def _server_options(parser, suppress=False):
    default = (lambda value: argparse.SUPPRESS) if suppress else (lambda value: value)
    parser.add_argument("--host", default=default(settings.HOST),
                        help=f"interface to listen on (default {settings.HOST}; anything but loopback is reachable "
                             "by other machines)")
    parser.add_argument("--port", type=int, default=default(settings.PORT),
                        help=f"port to listen on (default {settings.PORT})")
    parser.add_argument("--db", metavar="PATH", default=default(None),
                        help=f"SQLite file for documents (default {settings.default_database()})")
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
    parser.add_argument("--max-storage", metavar="SIZE", type=_size, default=default(settings.MAX_STORAGE),
                        help="most the database may take on disk, e.g. 2G or 500M (default 2G; never more than "
                             "half the disk's free space)")
    parser.add_argument("--index", choices=("compiled", "arrays"), default=default("compiled"),
                        help="how documents are indexed: compiled (numba; fastest, about 125 MB once the first "
                             "document of 1 MiB arrives) or arrays (numpy only; about 3 to 5 times slower to take "
                             "a big document in, no fixed cost) (default compiled)")
    # Seconds the index engine's worker stays after the last big document (tests and benchmarks shorten it).
    parser.add_argument("--engine-idle", type=float, default=default(settings.ENGINE_IDLE_SECONDS),
                        help=argparse.SUPPRESS)
    parser.add_argument("--key-file", metavar="PATH", default=default(None),
                        help="read the API key from this file at each fetch instead of KUSTOMER_API_KEY "
                             "(service install stores it so, mode 0600)")


def _size(text) -> int:
    from .store.budget import parse_size
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m viewer", description=DESCRIPTION)
    _server_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="{open,service}")
    opener = commands.add_parser("open", help="show a document in the running viewer (starting one if needed)",
                                 description="Put a JSON document into the running viewer, starting one in the "
                                             "background when none answers, and open it in the default browser.")
    opener.add_argument("file", metavar="FILE", help="the JSON file, or - for standard input")
    opener.add_argument("--source-url", help="where the document came from (its links resolve against it)")
    opener.add_argument("--no-browser", action="store_true", help="print the document's URL, do not open a browser")
    _server_options(opener, suppress=True)
    service = commands.add_parser("service", help="start the viewer at login: install, uninstall or status",
                                  description="Have the viewer start at login for the current user, with the "
                                              "options given and the API key from KUSTOMER_API_KEY (stored in a "
                                              "file only you can read): a systemd user unit on Linux, a "
                                              "LaunchAgent on macOS, a Run entry (pythonw.exe) on Windows.")
    service.add_argument("action", choices=("install", "uninstall", "status"),
                         help="install (and start now), uninstall (and stop), or say whether it is installed "
                              "and answering")
    _server_options(service, suppress=True)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.max_bytes < 1 or args.max_bytes >= 1 << 32:
        print("error: --max-bytes must be between 1 and 4294967295.", file=sys.stderr)
        return 1
    if args.command == "open":
        return open_document(args)
    if args.command == "service":
        from .service.command import run
        return run(args)
    return serve(args)


def _url(host, port) -> str:
    name = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        name = "127.0.0.1"
    return f"http://{name}:{port}"


def _is_loopback(host) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _return_freed_memory_to_the_system():
    """Big documents' buffers go straight back to the OS when freed (glibc only).

    glibc otherwise raises its mmap threshold after the first big free, keeps later arrays of
    tens of megabytes on its heap, and the process stays as large as its biggest document. The
    threshold is fixed at 32 MiB: a big document's buffer is mapped and given back (what the heap
    keeps is bounded by it), while the intake's working arrays, a few MiB each, come from the heap:
    mapping each afresh (a 1 MiB threshold) cost 1 s per 100 MB in page faults.
    """
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks of 32 MiB or more are mapped, not heap
        # M_ARENA_MAX: one heap for all threads. Each server thread otherwise gets its own, which keeps
        # what the intake's many short-lived arrays freed: a 50 MB document took 2.6x its size, not 2.1x.
        libc.mallopt(-8, 1)
    except (OSError, AttributeError):
        pass


def _connection_limits() -> dict:
    """Slow or idle clients cannot lock the viewer out.

    Waitress hands a request to a worker thread only once its headers are in, so trickling clients
    hold a connection, not a thread: up to CONNECTIONS of them are held (the open-file limit is raised
    to fit), and one silent for CHANNEL_TIMEOUT seconds is closed.
    """
    connections = CONNECTIONS
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = connections + 64
        if soft != resource.RLIM_INFINITY and soft < wanted:
            soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        connections = min(connections, soft - 64)
    except (ImportError, ValueError, OSError):
        connections = min(connections, 400)  # Windows' select() and default limits
    return {"connection_limit": connections, "channel_timeout": CHANNEL_TIMEOUT, "cleanup_interval": 10,
            "backlog": 1024}


CONNECTIONS = 1000
CHANNEL_TIMEOUT = 30
# Bytes read from the socket at a time: waitress reads 8 KiB by default, a loop round per 8 KiB of a 100 MB post.
RECV_BYTES = 1 << 18


def serve(args) -> int:
    import waitress

    _return_freed_memory_to_the_system()
    if args.key_file:
        from .kustomer.upstream import KEY_FILE_VARIABLE
        os.environ[KEY_FILE_VARIABLE] = os.path.abspath(args.key_file)

    from .masking import rules
    from .web.app import create_app

    try:
        masking_rules = rules.load(args.masking) if args.masking else {}
    except rules.MaskingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    app = create_app(settings.app_config(
        database=args.db, host=args.host, port=args.port, max_bytes=args.max_bytes,
        expire_hours=args.expire_hours, allowed_hosts=args.allow_hosts or DEFAULT_ALLOWED_HOSTS,
        masking_rules=masking_rules, max_storage=args.max_storage, engine_idle=args.engine_idle))
    from .store import expiry
    expiry.start_timer(app.config)
    app.extensions["viewer.engine"].start()  # built (or loaded from numba's cache) while the viewer starts
    if not _is_loopback(args.host):
        bar = "!" * 78
        print(f"{bar}\nWARNING: listening on {args.host}, not on loopback: other machines on the network can\n"
              f"reach this viewer, and the documents it holds contain customers' personal data.\n"
              f"Use --host 127.0.0.1 unless you mean it.\n{bar}", file=sys.stderr, flush=True)
    print(f"JSON viewer: {_url(args.host, args.port)}/  (documents in {app.config['DATABASE']}; Ctrl+C stops)",
          flush=True)
    # Eight workers: big intakes hold at most four (viewer.web.admission), so four always answer the rest.
    waitress.serve(app, host=args.host, port=args.port, threads=8, ident="viewer", recv_bytes=RECV_BYTES,
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"], _quiet=True, **_connection_limits())
    return 0


def _answers(base) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/ping", timeout=2) as response:
            return json.load(response).get("app") == "api-bookmarklets viewer"
    except (OSError, ValueError):
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _Progress:
    """After a second, a line on a terminal's standard error saying how far sending and taking in are."""

    def __init__(self, size: int):
        self.size, self.sent, self.started = size, 0, time.monotonic()
        self._done = threading.Event()
        self._shown = False

    def pieces(self, raw):
        view = memoryview(raw)
        for offset in range(0, len(raw), 1 << 20):
            yield view[offset:offset + (1 << 20)]
            self.sent = min(self.size, offset + (1 << 20))

    def __enter__(self):
        if sys.stderr.isatty():
            threading.Thread(target=self._show, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        if self._shown:
            print(file=sys.stderr, flush=True)

    def _show(self):
        megabytes = self.size / 1e6
        while not self._done.wait(0.25):
            seconds = time.monotonic() - self.started
            if seconds < 1:
                continue
            self._shown = True
            if self.sent < self.size:
                what = f"sending {self.sent / 1e6:.0f} of {megabytes:.0f} MB"
            else:
                what = f"the viewer is checking and indexing {megabytes:.0f} MB"
            print(f"\r{what}… {seconds:.0f} s ", end="", file=sys.stderr, flush=True)


def _stop_command(pid: int) -> str:
    return f"taskkill /PID {pid}" if os.name == "nt" else f"kill {pid}"


def open_document(args) -> int:
    base = _url(args.host, args.port)
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else open(args.file, "rb").read()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    if not _answers(base):
        command = [sys.executable, "-m", "viewer", "--host", args.host, "--port", str(args.port),
                   "--max-bytes", str(args.max_bytes), "--expire-hours", str(args.expire_hours),
                   "--max-storage", str(args.max_storage)]
        if args.db:
            command += ["--db", args.db]
        for pattern in args.allow_hosts or ():
            command += ["--allow-host", pattern]
        if args.key_file:
            command += ["--key-file", os.path.abspath(args.key_file)]
        if args.masking:
            command += ["--masking", os.path.abspath(args.masking)]
        if args.index != "compiled":
            command += ["--index", args.index]
        started = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True, cwd=os.getcwd())
        deadline = time.monotonic() + 20
        while not _answers(base):
            if time.monotonic() > deadline:
                print(f"error: started a viewer on {base}, but it does not answer; run `python -m viewer` "
                      "to see why.", file=sys.stderr)
                return 1
            time.sleep(0.1)
        print(f"Started a viewer in the background on {base}/ (process {started.pid}); it keeps running after this "
              f"command. Stop it with: {_stop_command(started.pid)}", file=sys.stderr)
    # A file keeps its name: its file: URL stands where a fetched document's address would.
    source_url = args.source_url or (Path(args.file).resolve().as_uri() if args.file != "-" else None)
    query = "?" + urllib.parse.urlencode({"source_url": source_url}) if source_url else ""
    progress = _Progress(len(raw))
    request = urllib.request.Request(f"{base}/docs{query}", data=progress.pieces(raw), method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json",
                                              "Content-Length": str(len(raw))})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with progress:
            response = opener.open(request, timeout=600)
        location = response.headers.get("Location")
    except urllib.error.HTTPError as exc:
        if exc.code != 303:
            try:
                problem = json.load(exc).get("error")
            except ValueError:
                problem = exc.reason
            print(f"error: the viewer refused {args.file}: {problem}", file=sys.stderr)
            return 1
        location = exc.headers.get("Location")
    url = urllib.parse.urljoin(base + "/", location)
    print(url)
    if not args.no_browser:
        webbrowser.open(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
