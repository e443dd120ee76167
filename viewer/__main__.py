"""`python -m viewer` serves the viewer; `python -m viewer open FILE|-` shows a document in it."""
import errno
import ipaddress
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import webbrowser
from pathlib import Path

from . import running, settings
from .kustomer.allowlist import DEFAULT_ALLOWED_HOSTS
from .options import IGNORED_INDEX, build_parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "index", None) is not None:
        print(IGNORED_INDEX, file=sys.stderr, flush=True)
    if args.command == "key":
        from .service.keys_command import run
        return run(args)
    if args.command == "check":
        from .store.check import run
        return run(args.db or settings.default_database())
    if args.max_bytes < 1 or args.max_bytes >= 1 << 32:
        print("error: --max-bytes must be between 1 and 4294967295.", file=sys.stderr)
        return 1
    if args.command == "open":
        return open_document(args)
    if args.command == "diff":
        return diff_documents(args)
    if args.command == "service":
        from .service.command import run
        return run(args)
    return serve(args)


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
    """Listen first, then take the database for this process alone, check it, and serve until stopped.

    Until the port is bound and the database locked nothing is created or changed, so a second viewer
    (same port, or same database) or an unusable database ends in one line and exit status 1.
    """
    import waitress

    from .errors import ViewerError
    from .masking import rules
    from .store import lock

    try:
        masking_rules = rules.load(args.masking) if args.masking else {}
    except rules.MaskingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _return_freed_memory_to_the_system()
    url = running.url_for(args.host, args.port)
    entrance = _Entrance()
    try:
        # Eight workers: big intakes hold at most four (viewer.web.admission), so four always answer the rest.
        server = waitress.create_server(entrance, host=args.host, port=args.port, threads=8, ident="viewer",
                                        recv_bytes=RECV_BYTES, max_request_body_size=settings.app_config(
                                            max_bytes=args.max_bytes)["MAX_CONTENT_LENGTH"],
                                        **_connection_limits())
    except OSError as exc:
        print(f"error: {_cannot_listen(args, url, exc)}", file=sys.stderr)
        return 1
    database = Path(args.db or settings.default_database()).absolute()
    try:
        store_lock = lock.claim(database, url)
    except ViewerError as exc:
        server.close()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        return _run(args, server, entrance, database, masking_rules)
    except ViewerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store_lock.release()


def _run(args, server, entrance, database, masking_rules) -> int:
    """Open the store, start the app on the bound port and serve until SIGINT or SIGTERM."""
    from .kustomer.keys import KEY_FILE_VARIABLE
    from .store import db, expiry
    from .web import windows
    from .web.app import create_app
    from .web.page_runs import stop_page_runs

    os.environ[KEY_FILE_VARIABLE] = os.path.abspath(args.key_file or settings.default_key_file())
    app = create_app(settings.app_config(
        database=database, host=args.host, port=args.port, max_bytes=args.max_bytes,
        expire_hours=args.expire_hours, allowed_hosts=args.allow_hosts or DEFAULT_ALLOWED_HOSTS,
        masking_rules=masking_rules, max_storage=args.max_storage, engine_idle=args.engine_idle,
        page_share=args.page_share, max_pages=args.max_pages,
        jq_timeout=args.jq_timeout, jq_memory=args.jq_memory))
    expiry.start_timer(app)
    app.extensions["viewer.engine"].start()  # built (or loaded from numba's cache) while the viewer starts
    if not _is_loopback(args.host):
        bar = "!" * 78
        print(f"{bar}\nWARNING: listening on {args.host}, not on loopback: other machines on the network can\n"
              f"reach this viewer, and the documents it holds contain customers' personal data.\n"
              f"Use --host 127.0.0.1 unless you mean it.\n{bar}", file=sys.stderr, flush=True)
    entrance.app = app
    print(f"JSON viewer: {running.url_for(args.host, args.port)}/  (documents in {app.config['DATABASE']}; "
          "Ctrl+C stops)", flush=True)
    # A service manager stops the viewer with SIGTERM: the same clean stop as Ctrl+C. Waitress then waits
    # (up to 5 s) for the requests in hand, and the log is checkpointed into the database file.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        server.run()  # returns on KeyboardInterrupt, once its workers are done (or after 5 s)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        stop_page_runs(app)  # each run writes what it has as a partial document, while the store is open
        app.extensions["viewer.engine"].stop()
        windows.closer(app).stop()  # a round under way finishes before the store closes
        db.close_app(app)
    return 0


class _Entrance:
    """The WSGI app the port is bound with before the real app exists (see serve)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def _cannot_listen(args, url, exc: OSError) -> str:
    """Why the viewer cannot listen on its port, in one line: a viewer answers there, or another program."""
    if exc.errno == errno.EADDRINUSE:
        said = running.ping(url)
        if said is not None:
            return (f"a viewer already answers at {url}/ (process {said.get('pid')}): use that one, or start "
                    "this one with --port for another port.")
        return (f"port {args.port} on {args.host} is taken by another program: stop it, or start the viewer "
                "with --port for another port.")
    return f"cannot listen on {args.host} port {args.port}: {exc.strerror or exc}."


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


def open_document(args) -> int:
    base = running.url_for(args.host, args.port)
    raw = _read(args.file)
    if raw is None or not _viewer_answers(args, base):
        return 1
    # A file keeps its name: its file: URL stands where a fetched document's address would.
    source_url = args.source_url or (Path(args.file).resolve().as_uri() if args.file != "-" else None)
    url = _post_document(base, args.file, raw, source_url)
    return _show(url, args.no_browser)


def diff_documents(args) -> int:
    """Put two files into the running viewer and open the page of what changed from the first to the second."""
    base = running.url_for(args.host, args.port)
    raws = [_read(name) for name in (args.a, args.b)]
    if None in raws or not _viewer_answers(args, base):
        return 1
    urls = [_post_document(base, name, raw, Path(name).resolve().as_uri() if name != "-" else None)
            for name, raw in zip((args.a, args.b), raws)]
    if None in urls:
        return 1
    ids = [url.rstrip("/").rsplit("/", 1)[1] for url in urls]
    return _show(f"{base}/diff?" + urllib.parse.urlencode({"a": ids[0], "b": ids[1]}), args.no_browser)


def _read(name):
    try:
        return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        print(f"error: cannot read {name}: {exc.strerror}", file=sys.stderr)
        return None


def _show(url, no_browser) -> int:
    if url is None:
        return 1
    print(url)
    if not no_browser:
        webbrowser.open(url)
    return 0


def _viewer_answers(args, base) -> bool:
    """Whether a viewer answers at `base`, starting one in the background when none does."""
    if running.answers(base):
        return True
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
    started = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True, cwd=os.getcwd())
    deadline = time.monotonic() + 20
    while not running.answers(base):
        if started.poll() is not None:
            print(f"error: the viewer started for {base} stopped at once; run `python -m viewer` with the same "
                  "options to see why.", file=sys.stderr)
            return False
        if time.monotonic() > deadline:
            print(f"error: started a viewer on {base}, but it does not answer; run `python -m viewer` "
                  "to see why.", file=sys.stderr)
            return False
        time.sleep(0.1)
    print(f"Started a viewer in the background on {base}/ (process {started.pid}); it keeps running after this "
          f"command. Stop it with: {running.stop_command(started.pid)}", file=sys.stderr)
    return True


def _post_document(base, name, raw, source_url):
    """The URL of the new document page, or None when the viewer refused it (said on standard error)."""
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
            print(f"error: the viewer refused {name}: {problem}", file=sys.stderr)
            return None
        location = exc.headers.get("Location")
    return urllib.parse.urljoin(base + "/", location)


if __name__ == "__main__":
    sys.exit(main())
