"""The fast engine: the compiled pass (compiled.py) in a worker process, spawned on demand and stopped when idle.

Why a process: numba and the compiled pass cost a process about 125 MB that it never gives back,
and the viewer runs at login all day. The worker holds them only while big documents come in;
IDLE_SECONDS after the last one it is stopped, and the viewer stays light. It is spawned, not
forked: it holds no copy of the viewer's memory, its database connections or its store's lock.

The document goes to the worker as a file in memory (a memfd) whose descriptor is passed over the
pipe: writing it there and mapping it takes a third of the time its bytes took through the pipe,
and the viewer never maps it, so it adds nothing to the viewer's own memory. Where there is no
memfd the bytes go through the pipe. The four index arrays come back the same way, read straight
into the arrays the viewer keeps (13 bytes a line: 130 MB for 20 MB of `[0,0,…]`, which took 0.4 s
through the pipe and takes 0.2 s so). The worker only vouches: a document it cannot accept,
a worker that is not ready yet, or one that died, leaves the document to the line-by-line scanner
(scan.py), which makes the same index, or words the error.

The protocol, one document at a time:
    worker → ("ready", None) once built, or ("failed", why)
    viewer → ("index", start, end, size, how), then the descriptor ("fd") or the bytes ("bytes")
    worker → ("unsure", None), or ("lines", count, landmarks, escaped, how) and the four arrays, one after the
             other in a memfd ("fd") or each through the pipe ("bytes")
"""
import logging
import mmap
import multiprocessing
import os
import signal
import threading
import time
from array import array
from multiprocessing import reduction

log = logging.getLogger(__name__)

IDLE_SECONDS = 90.0  # a worker idle this long is stopped
WARM_WAIT = 5.0  # seconds a document waits for a worker loading from a warm cache (about 1 s)
# How fast the line-by-line scanner takes a document in: a document arriving while the worker starts waits
# for it as long as the scanner would take, at most WARM_WAIT, so it never takes more than twice that.
JUDGE_BYTES_PER_SECOND = 25e6
BUILD_TIMEOUT = 300.0  # a worker not built by then is stopped, and counted as failed
STOPPED, STARTING, READY, FAILED = "stopped", "starting", "ready", "failed"


class Engine:
    """The worker process and its pipe; thread-safe, one document at a time.

    `on_idle` is called (from the engine's own thread) after an idle worker is stopped, so that
    the viewer can give back what it keeps for big documents too.
    """

    def __init__(self, idle_seconds: float = IDLE_SECONDS, on_idle=None):
        self.idle_seconds, self.on_idle = idle_seconds, on_idle
        self.state, self.why = STOPPED, None
        self._process = self._conn = None
        self._state_lock = threading.Lock()  # state, process and pipe
        self._use = threading.Lock()  # the pipe, while a document is in the worker
        self._changed = threading.Condition(self._state_lock)
        self._last_used = time.monotonic()
        self._was_ready = False  # a worker was built in this process: numba's cache is warm

    # -- the worker's life
    def start(self):
        """Spawn the worker if none runs; it builds the pass (from numba's cache when it can) in the background."""
        with self._state_lock:
            if self.state in (STARTING, READY):
                return
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe(duplex=True)
            process = context.Process(target=serve, args=(theirs,), name="viewer-index-engine", daemon=True)
            try:
                process.start()
            except OSError as exc:
                self.state, self.why = FAILED, f"the engine's worker could not be started: {exc}"
                log.error("%s; documents are indexed by the line-by-line scanner", self.why)
                return
            theirs.close()
            self._process, self._conn, self.state, self.why = process, ours, STARTING, None
            self._last_used = time.monotonic()
        threading.Thread(target=self._await_ready, args=(process, ours), name="index-engine", daemon=True).start()

    def _await_ready(self, process, conn):
        """Wait for the worker's first word, then watch it for idleness until it is stopped."""
        try:
            word, why = conn.recv() if conn.poll(BUILD_TIMEOUT) else ("failed", "it was not built within "
                                                                      f"{BUILD_TIMEOUT:.0f} s")
        except (EOFError, OSError) as exc:
            word, why = "failed", f"the worker ended while building ({exc or 'no word'})"
        with self._state_lock:
            if self._process is not process:
                return
            if word == "ready":
                self.state, self._was_ready = READY, True
                self._last_used = time.monotonic()  # idle from now, not from the start of its build
                self._changed.notify_all()
            else:
                self.state, self.why = FAILED, f"the compiled index pass could not be built: {why}"
                self._changed.notify_all()
                log.error("%s; documents are indexed by the line-by-line scanner", self.why)
                self._end(process, conn)
                return
        self._watch(process)

    def _watch(self, process):
        while True:
            with self._state_lock:
                if self._process is not process:
                    return
                idle = time.monotonic() - self._last_used
                if idle >= self.idle_seconds and not self._use.locked():
                    self._end(process, self._conn)
                    self.state = STOPPED
                    break
                self._changed.wait(max(0.05, self.idle_seconds - idle))
        log.info("the index engine was idle for %.0f s and is stopped", self.idle_seconds)
        if self.on_idle is not None:
            self.on_idle()

    def _end(self, process, conn):
        """Stop the worker (state lock held): closing its pipe ends it; a hung one is killed."""
        self._process = self._conn = None
        try:
            conn.close()
        except OSError:
            pass
        threading.Thread(target=_reap, args=(process,), daemon=True).start()

    def stop(self):
        """Stop the worker now (the viewer is stopping)."""
        with self._state_lock:
            if self._process is not None:
                self._end(self._process, self._conn)
            self.state = STOPPED if self.state != FAILED else FAILED
            self._changed.notify_all()

    def wait_ready(self, timeout: float) -> bool:
        """Start the worker and wait until it is built; False if it failed or is not ready in time."""
        self.start()
        deadline = time.monotonic() + timeout
        with self._state_lock:
            while self.state == STARTING and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
            return self.state == READY

    def describe(self) -> dict:
        """Which engine indexes big documents now, and why (for /ping)."""
        if self.state == READY:
            return {"index": "compiled", "engine": READY}
        if self.state == FAILED:
            return {"index": "scanner", "engine": FAILED, "why": self.why}
        why = ("the compiled pass is being built or loaded" if self.state == STARTING else
               "the compiled pass starts with the next big document")
        return {"index": "scanner", "engine": self.state, "why": why}

    # -- documents
    def index(self, raw, start: int, end: int):
        """The index of raw[start:end] as compiled.index_lines gives it; None if the scanner must decide.

        A worker starting is waited for: from a warm cache it is ready in about a second. One that has
        never been ready in this process may be compiling from nothing (ten seconds), so it is waited for
        only as long as the line-by-line scanner would take, which then takes the document.
        """
        self.start()
        if self.state == STARTING:
            self.wait_ready(WARM_WAIT if self._was_ready else min(WARM_WAIT, len(raw) / JUDGE_BYTES_PER_SECOND))
        with self._use:
            with self._state_lock:
                if self.state != READY:
                    return None
                conn, process = self._conn, self._process
                self._last_used = time.monotonic()
            try:
                return exchange(conn, process.pid, raw, start, end)
            except (EOFError, OSError, ValueError, RuntimeError) as exc:  # RuntimeError: a descriptor not passed
                with self._state_lock:
                    if self._process is process:
                        log.warning("the index engine's worker ended (%s); it starts again with the next "
                                    "big document", exc or "no answer")
                        self._end(process, conn)
                        self.state = STOPPED
                return None
            finally:
                with self._state_lock:
                    self._last_used = time.monotonic()
                    self._changed.notify_all()


def exchange(conn, pid, raw, start, end):
    """The viewer's half of the protocol: send raw[start:end] to the worker `pid` at the end of `conn`, return
    (starts, kinds, parents, matches, landmarks, escaped) or None when it cannot vouch for the document."""
    _send(conn, pid, ("index", start, end, len(raw)), raw)
    word, *rest = conn.recv()
    if word == "unsure":
        return None
    count, landmarks, escaped, how = rest
    arrays = [array(code, [0]) * length for code, length in (("I", count + 1), ("B", count), ("I", count),
                                                               ("I", count))]
    if how == "fd":
        fd = reduction.recv_handle(conn)
        try:
            _read_into(fd, arrays)
        finally:
            os.close(fd)
    else:
        for values in arrays:
            if conn.recv_bytes_into(values) != len(values) * values.itemsize:
                raise ValueError("the worker sent an array of the wrong size")
    return (*arrays, landmarks, escaped)


def _send(conn, pid, header: tuple, *buffers):
    """Send `header` with how the `buffers` follow: one after the other in a memfd whose descriptor goes to
    process `pid` ("fd"), or each through the pipe where there is no memfd ("bytes")."""
    fd = _in_memory_file(*buffers)
    if fd is None:
        conn.send((*header, "bytes"))
        for buffer in buffers:
            conn.send_bytes(buffer)
        return
    try:
        conn.send((*header, "fd"))
        reduction.send_handle(conn, fd, pid)
    finally:
        os.close(fd)  # the other side has its own descriptor now


def _in_memory_file(*buffers) -> int | None:
    """A memfd holding `buffers` one after the other, or None where there is none to be had (then they go
    through the pipe)."""
    try:
        fd = os.memfd_create("viewer-index", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        return None
    try:
        for buffer in buffers:
            with memoryview(buffer) as whole, whole.cast("B") as view:
                written = 0
                while written < len(view):
                    written += os.write(fd, view[written:])
        return fd
    except OSError:  # no memory for it: the pipe needs none beyond its buffer
        os.close(fd)
        return None


def _read_into(fd, arrays):
    """Fill `arrays` from the memfd the worker wrote them to, one after the other."""
    offset = 0
    for values in arrays:
        with memoryview(values) as whole, whole.cast("B") as view:
            filled = 0
            while filled < len(view):
                got = os.preadv(fd, [view[filled:]], offset + filled)
                if not got:
                    raise ValueError("the worker sent an array of the wrong size")
                filled += got
            offset += filled


def _received(conn, size, how):
    """The document the viewer sent: a read-only map of its memfd (closed by `_close`), or its bytes."""
    if how == "bytes":
        return conn.recv_bytes()
    fd = reduction.recv_handle(conn)
    try:
        if size == 0:
            return b""
        return mmap.mmap(fd, size, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0), prot=mmap.PROT_READ)
    finally:
        os.close(fd)  # the map keeps the file alive as long as it needs it


def _close(raw):
    if isinstance(raw, mmap.mmap):
        try:
            raw.close()
        except BufferError:  # a view of it still alive: it is unmapped once that goes
            pass


def _reap(process):
    process.join(5)
    if process.is_alive():
        process.kill()
        process.join(5)


def serve(conn):
    """The worker: build the compiled pass, say so, then index each document sent until the pipe closes.

    It ends when the viewer closes the pipe (or dies): Ctrl+C in the viewer's terminal reaches the
    worker too, and is the viewer's to act on.
    """
    if threading.current_thread() is threading.main_thread():  # a worker process (tests run it on a thread)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _serve(conn)
    except (EOFError, OSError):  # the viewer went away mid-answer
        pass


def _serve(conn):
    from . import compiled

    try:
        compiled.build()
    except Exception as exc:  # any failure to build is reported to the viewer, which logs it and goes on without
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        _word, start, end, size, how = conn.recv()
        raw = _received(conn, size, how)
        try:
            starts, kinds, parents, matches, landmarks, escaped = compiled.index_lines(raw, start, end)
        except compiled.Unsure:
            conn.send(("unsure", None))
            continue
        finally:
            _close(raw)
        del raw
        _send(conn, os.getppid(), ("lines", len(kinds), landmarks, escaped), starts, kinds, parents, matches)
        del starts, kinds, parents, matches
