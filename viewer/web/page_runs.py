"""Fetch all pages: a run follows a list's pages in a background thread of the app, paced by the rate limit,
and ends as one document (a partial one, saying why, when it is stopped, fails or reaches a limit).

The runs live on the app (`app.extensions["viewer.page_runs"]`), so two apps in one process share nothing.
"""
import secrets
import threading
import time
from dataclasses import dataclass, field

from flask import current_app

from ..errors import ViewerError
from ..kustomer import pages, upstream
from ..kustomer.errors import UpstreamError
from ..store.versions import record_version
from .intake import take_in
from .upstream_limits import limits

# A run that keeps answering 429 after this many waits in a row stops: something else is spending the limit.
MAX_RATE_LIMITED = 5
KEPT_RUNS = 50  # finished runs whose progress page still answers
STOP_WAIT = 20.0  # seconds the viewer's stop waits for runs to write what they have


@dataclass
class PageRun:
    id: str
    url: str
    key_name: str | None
    max_pages: int
    most_pages: int  # what &max-pages may ask for: ten times --max-pages
    share: float
    pages: int = 0
    items: int = 0
    state: str = "running"  # running, done, failed
    waiting: tuple | None = None  # (until, why)
    doc_id: str | None = None
    error: str | None = None
    partial: str | None = None  # why the document holds fewer pages than the list
    started: float = field(default_factory=time.time)
    ended: float | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    stop_reason: str | None = None
    thread: threading.Thread | None = None

    def ask_to_stop(self, reason: str):
        if self.stop_reason is None:
            self.stop_reason = reason
        self.stop.set()

    def progress(self) -> dict:
        wait = None
        if self.waiting:
            wait = {"seconds": round(max(0.0, self.waiting[0] - time.time()), 1), "why": self.waiting[1]}
        return {"id": self.id, "url": self.url, "state": self.state, "pages": self.pages, "items": self.items,
                "max_pages": self.max_pages, "waiting": wait, "doc": self.doc_id, "error": self.error,
                "partial": self.partial, "seconds": round((self.ended or time.time()) - self.started, 1)}


class PageRuns:
    """The app's runs by id."""

    def __init__(self):
        self._runs: dict = {}
        self._lock = threading.Lock()

    def start(self, app, url: str, key_name: str | None, max_pages: int) -> PageRun:
        run = PageRun(secrets.token_urlsafe(9), url, key_name, max_pages, 10 * int(app.config["MAX_PAGES"]),
                      float(app.config["PAGE_SHARE"]))
        run.thread = threading.Thread(target=_run, args=(app, run), name=f"page-run-{run.id}", daemon=True)
        with self._lock:
            finished = [r for r in self._runs.values() if r.state != "running"]
            for old in sorted(finished, key=lambda r: r.started)[:max(0, len(finished) - KEPT_RUNS)]:
                del self._runs[old.id]
            self._runs[run.id] = run
        run.thread.start()
        return run

    def get(self, run_id: str) -> PageRun | None:
        with self._lock:
            return self._runs.get(run_id)

    def stop_all(self, reason: str, timeout: float = STOP_WAIT):
        """Stop every run; each writes what it has as a partial document before this returns (or `timeout`)."""
        with self._lock:
            running = [run for run in self._runs.values() if run.state == "running"]
        for run in running:
            run.ask_to_stop(reason)
        deadline = time.monotonic() + timeout
        for run in running:
            run.thread.join(max(0.0, deadline - time.monotonic()))


def all_pages_version_key(url: str) -> str:
    """What the combined documents of one list are versions of: every page from `url`, not that page alone."""
    return f"{url}#every-page"


def runs_for(app) -> PageRuns:
    return app.extensions.setdefault("viewer.page_runs", PageRuns())


def stop_page_runs(app):
    """The viewer is stopping: runs end as partial documents that say so."""
    runs_for(app).stop_all("the viewer was stopped while the run was under way")


def _run(app, run: PageRun):
    with app.app_context():
        try:
            _fetch_pages(run)
        except Exception:  # a run must end in words, whatever happened
            current_app.logger.exception("Fetch all pages %s failed", run.id)
            run.error = ("The run hit an unexpected error, whose details are in the viewer's terminal output; "
                         "nothing was stored.")
            run.state = "failed"
        finally:
            run.waiting, run.ended = None, time.time()


def _fetch_pages(run: PageRun):
    config, fetch_limits = current_app.config, limits()
    pacer, combined = pages.Pacer(run.share), pages.Combined()
    url, seen, why, first, last, limited = run.url, set(), None, None, None, 0
    while url:
        if run.stop.is_set():
            why = run.stop_reason
            break
        if run.pages >= run.max_pages:
            why = (f"it reached the most pages a run may fetch ({run.max_pages}); fetch more on one run with "
                   f"&max-pages=N (up to {run.most_pages}), or start the viewer with a larger --max-pages")
            break
        wait = pacer.wait()
        if wait:
            run.waiting = (time.time() + wait[0], wait[1])
            run.stop.wait(wait[0])
            run.waiting = None
            continue
        try:
            got = upstream.fetch(url, allowed_hosts=config["ALLOWED_HOSTS"], limits=fetch_limits,
                                 key_name=run.key_name)
        except UpstreamError as exc:
            if exc.upstream_status == 429 and limited < MAX_RATE_LIMITED:
                limited += 1
                pacer.limited(exc.retry_after if exc.retry_after is not None else 1)
                continue
            why = f"page {run.pages + 1} failed: {exc.title}. {exc}"
            break
        except ViewerError as exc:
            why = f"page {run.pages + 1} failed: {exc}"
            break
        limited = 0
        pacer.saw(got.headers)
        try:
            page = pages.split(got.body)
        except pages.NotAList as exc:
            why = f"page {run.pages + 1} ({url}) is not a page of a list: {exc}"
            break
        if combined.size + page.size > config["MAX_BYTES"]:
            why = (f"the document would pass the viewer's size limit (--max-bytes {config['MAX_BYTES']}) with "
                   f"page {run.pages + 1}")
            break
        combined.add(page)
        first, last = first or got, got
        run.pages, run.items = run.pages + 1, len(combined.items)
        seen.add(url)
        url = page.next_url(url)
        if url in seen:
            why, url = f"the next page named by page {run.pages} ({url}) was fetched already", None
    _finish(run, combined, first, last, why, url)


def _finish(run: PageRun, combined, first, last, why, stopped_at):
    run.partial = why
    if first is None:
        run.error, run.state = f"Nothing was fetched: {why}.", "failed"
        return
    meta = {"pages": run.pages, "items": len(combined.items), "fetched": run.url}
    if why:
        meta["partial"] = True
        meta["stopped"] = {"page": run.pages + 1, "url": stopped_at, "why": why}
    info = {"url": run.url, "requested_url": run.url, "status": last.status, "fetched_at": first.fetched_at,
            "seconds": round(time.time() - run.started, 3), "headers": last.headers, "key_name": run.key_name,
            "run": {"pages": run.pages, "items": len(combined.items), "partial": bool(why), "why": why,
                    "stopped_at": stopped_at}}
    try:
        run.doc_id = take_in(combined.document(meta), source_url=run.url, fetch_info=info, organisation=True,
                             limits=limits())
    except ViewerError as exc:
        run.error, run.state = f"The {run.pages} pages fetched could not be stored: {exc}", "failed"
        return
    # Versions of the whole list, apart from the versions of its first page alone.
    record_version(run.doc_id, all_pages_version_key(run.url))
    run.state = "done"
