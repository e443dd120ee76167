"""Run one jq program on a document's text in a worker process, within a time and a memory limit."""
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from ..sizes import format_size
from . import worker
from .errors import QueryError

WORKER = Path(worker.__file__).resolve()
MAX_PROGRAM = 64 * 1024  # bytes of program text; a longer one is refused before any worker starts
MAX_MESSAGE = 4096  # characters of jq's message shown


@dataclass
class Result:
    """A program's outputs as one JSON text: the output itself when there was one, else an array of them."""

    text: bytes
    outputs: int


def run_program(program: str, pieces, *, timeout: float, memory: int, max_bytes: int) -> Result:
    """Run `program` on the text that the byte strings `pieces` make up; its outputs as libjq wrote them.

    Raises QueryError: 400 for a program jq cannot compile, 422 for an error while it runs or a limit
    that stopped it (`timeout` seconds, `memory` bytes of address space), 413 for outputs over `max_bytes`.
    """
    encoded = program.encode("utf-8")
    if not program.strip():
        raise QueryError("Type a jq program, for example .data[] | .id")
    if len(encoded) > MAX_PROGRAM:
        raise QueryError(f"The program is {format_size(len(encoded))}; programs of up to "
                         f"{format_size(MAX_PROGRAM)} are run.")
    process = _start(memory)
    feeder = threading.Thread(target=_feed, args=(process.stdin, encoded, pieces), daemon=True)
    output, errors = _Collector(process.stdout, max_bytes), _Collector(process.stderr, MAX_MESSAGE)
    for thread in (feeder, output, errors):
        thread.start()
    try:
        status = process.wait(timeout)
    except subprocess.TimeoutExpired:
        status = None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    for thread in (output, errors):
        thread.join()
    if output.over:
        raise QueryError(f"The program's outputs come to more than {format_size(max_bytes)}, the most a document "
                         "may be (start the viewer with --max-bytes to change it): ask for less of the document, "
                         "for example with select(…) or .[:100].", status=413)
    return Result(*_outcome(status, output, errors.text(), timeout, memory))


def _start(memory: int) -> subprocess.Popen:
    """A new interpreter, isolated (-I: no user site, no PYTHON* variables), with no environment at all."""
    env = {"SYSTEMROOT": os.environ.get("SYSTEMROOT", "")} if os.name == "nt" else {}
    process = subprocess.Popen([sys.executable, "-I", str(WORKER), str(memory)], env=env, cwd=WORKER.parent,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _widen(process.stdin)
    return process


def _widen(pipe):
    """A pipe of 1 MiB rather than 64 KiB, so a big document crosses in fewer turns of the two processes (Linux)."""
    try:
        import fcntl
        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


def _feed(pipe, program: bytes, pieces):
    try:
        pipe.write(b"%d\n" % len(program) + program)
        for piece in pieces:
            pipe.write(piece)
    except (BrokenPipeError, OSError, ValueError):
        pass  # the worker stopped reading: it ended, and its status says why
    finally:
        try:
            pipe.close()
        except OSError:
            pass
        close = getattr(pieces, "close", None)
        if close:
            close()


class _Collector(threading.Thread):
    """Reads a pipe to its end, keeping up to `limit` bytes (and reading on past it, so the worker never blocks)."""

    def __init__(self, pipe, limit: int):
        super().__init__(daemon=True)
        self.pipe, self.limit, self.pieces, self.size, self.over, self.newlines = pipe, limit, [], 0, False, 0

    def run(self):
        while piece := self.pipe.read1(1 << 20):
            if self.size + len(piece) > self.limit + 1:  # +1: the newline after the last output
                self.over = True
                continue
            self.pieces.append(piece)
            self.size += len(piece)
            self.newlines += piece.count(b"\n")

    def joined(self) -> bytes:
        data = b"".join(self.pieces)
        self.pieces = []
        return data

    def text(self) -> str:
        return self.joined().decode("utf-8", "replace").strip()


def _outcome(status, output: _Collector, message: str, timeout: float, memory: int) -> tuple:
    if status is None:
        raise QueryError(f"The program was stopped after {timeout:g} seconds, the time a program may run. Start "
                         "the viewer with --jq-timeout SECONDS to allow more.", status=422)
    if status == worker.COMPILE_ERROR and "Too many open files" in message:
        raise QueryError("Programs run here cannot read files: import and include are not available.", status=400)
    if status == worker.COMPILE_ERROR:
        raise QueryError(f"jq cannot compile the program:\n{_cut(message)}", status=400)
    if status == worker.RUN_ERROR:
        raise QueryError(f"jq: error: {_cut(message)}", status=422)
    if status == worker.OUT_OF_MEMORY or status < 0 or "memory" in message.lower():
        raise QueryError(f"The program was stopped: it needed more than {format_size(memory)} of memory, the most a "
                         "program may use. Start the viewer with --jq-memory SIZE (e.g. 4G) to allow more.",
                         status=422)
    if status != worker.OK:
        raise QueryError(f"The jq worker ended with status {status}: {_cut(message) or 'no message'}.", status=500)
    count, data = output.newlines, output.joined()
    if count == 1:
        return data[:-1], 1
    return b"[" + data[:-1].replace(b"\n", b",") + b"]", count


def _cut(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "…"


def served_text(doc):
    """The document's text as served (the masked rendition while it is masked), from its first byte of JSON
    to its last, piece by piece; the pieces are read from any thread, after the request has ended."""
    return _between(doc.raw_chunks(), doc.body_start, doc.body_end)  # the connection is opened here, in the request


def _between(pieces, start, end):
    offset = 0
    try:
        for piece in pieces:
            lo, hi = max(start - offset, 0), min(end - offset, len(piece))
            if lo < hi:
                yield piece[lo:hi] if (lo, hi) != (0, len(piece)) else piece
            offset += len(piece)
            if offset >= end:
                break
    finally:
        pieces.close()
