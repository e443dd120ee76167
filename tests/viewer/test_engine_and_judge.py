"""The fast engine and the judge (the line-by-line scanner) give the same index on every input, by every path.

The judge words every error: its messages are pinned by a golden file (tests/data/scan_errors.json),
one per rejected document of the JSONTestSuite corpus.
"""
import json
import multiprocessing
import os
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.viewer.conftest import DATA
from viewer.core import compiled, scan
from viewer.core.engine import Engine, exchange, serve
from viewer.errors import DocumentError

CORPUS = DATA / "JSONTestSuite" / "test_parsing"
FILES = sorted(CORPUS.glob("*.json")) if CORPUS.exists() else []
GOLDEN = json.loads((DATA / "scan_errors.json").read_text(encoding="utf-8"))
FIELDS = ("body_start", "body_end", "starts", "parents", "matches", "kinds", "notices", "duplicates", "landmarks")


class InProcess:
    """The compiled pass called in this process, as the engine's worker calls it."""

    built = False

    def index(self, raw, start, end):
        if not InProcess.built:
            compiled.build()
            InProcess.built = True
        try:
            return compiled.index_lines(raw, start, end)
        except compiled.Unsure:
            return None


def outcome(raw, engine=None):
    try:
        result = scan.scan(raw, engine, engine_from=0)
    except DocumentError as exc:
        return ("error", str(exc), exc.line, exc.column, exc.excerpt, exc.status)
    return ("index", *(getattr(result, name) for name in FIELDS))


def assert_same(raw):
    judged = outcome(raw)
    assert outcome(raw, InProcess()) == judged, raw[:200]
    return judged


@pytest.mark.skipif(not FILES, reason=f"{CORPUS} is not there")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus(path):
    judged = assert_same(path.read_bytes())
    if judged[0] == "error":
        assert list(judged[1:]) == GOLDEN[path.name]
    else:
        assert path.name not in GOLDEN


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text())
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner), st.dictionaries(st.text(max_size=3), inner)),
                      max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(values, st.sampled_from([None, 0, 1, 2]), st.booleans())
def test_generated_documents(value, indent, ascii_only):
    assert_same(json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(values, st.data())
def test_damaged_documents(value, data):
    raw = bytearray(json.dumps(value, indent=1, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw)))
        piece = data.draw(st.sampled_from([b"", b",", b"\\", b'"', b"\\u12", b"}", b"]", b"{", b"\n", b"1", b"\x01",
                                           b"tru", b"-", b".5", b"e"]))
        cut = data.draw(st.integers(0, 2))
        raw[at:at + cut] = piece
    assert_same(bytes(raw))


AWKWARD = [
    b'["' + b'ab\\n\\"\\u00e9\\ud83d\\ude00x' * 2000 + b'"]',
    b'{"a": "' + b'\\n' * 5000 + b'\\x"}',
    b'["' + b'\\"' * 3000,
    b"[" + b"0," * 5000 + b"0]",
    b"[" * 3000 + b"]" * 3000,
    b"[1.5e+3, -0, 0.1E-2, 1., 01, -a, 1e]",
    # Objects of more than 16 keys are compared through a hash table, not pair by pair.
    ("{" + ", ".join(f'"k{i % 30}": {i}' for i in range(100)) + ', "links": 1, "meta": 2, "links": 3}').encode(),
    # Escaped keys are compared by their text: a few objects of them, and more than the compiled pass lists.
    b'{"\\u0061": 1, "a": 2, "links": 3, "\\u006cinks": 4, "meta": {"x": 1, "x": 2}}',
    b"[" + b", ".join([b'{"\\u0061": 1, "a": 2}'] * 1100) + b"]",
    # Long runs of whitespace around keys, colons and values.
    b"{" + b" " * 70000 + b'"a"' + b"\n" * 70000 + b":" + b"\t" * 70000 + b"[1]" + b" " * 70000 + b"}",
]


@pytest.mark.parametrize("raw", AWKWARD)
def test_awkward_documents(raw):
    assert_same(raw)


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from([None, 0, 2]), st.booleans())
def test_compiled_pass_vouches_for_valid_documents(value, indent, ascii_only):
    if "Infinity" in json.dumps(value):
        return  # json.dumps writes infinity as Infinity, which is not JSON
    raw = json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    InProcess().index(raw, 0, len(raw))  # builds the pass first
    compiled.index_lines(raw, 0, len(raw.rstrip()))  # raises Unsure if it would hand the document on


def test_the_engine_in_its_worker_gives_the_judges_index_and_the_judge_takes_what_arrives_before():
    """A big document that arrives while the worker is being built is judged; once built, the worker indexes it:
    the same index either way. A document the worker cannot vouch for is judged too."""
    big = json.dumps({"data": [{"type": "customer", "id": str(i), "attributes": {"name": f"n{i}", "name ": 1}}
                               for i in range(20000)], "links": {"next": None}}, indent=1).encode()
    engine = Engine(idle_seconds=600)
    try:
        engine.start()
        judged = outcome(big)
        assert outcome(big, engine) == judged  # whichever path it took
        assert engine.wait_ready(600), engine.describe()
        assert engine.describe()["index"] == "compiled"
        assert engine.index(big, 0, len(big)) is not None
        assert outcome(big, engine) == judged
        for raw in AWKWARD + [b'{"a": 1,}', b"[" + b"1," * 300000 + b"]"]:
            assert outcome(raw, engine) == outcome(raw), raw[:100]
    finally:
        engine.stop()


def test_without_memfd_the_document_goes_through_the_pipe_with_the_same_index(monkeypatch):
    """The worker maps a memfd where the system has them; where it has none (or no memory for one), the
    bytes go through the pipe and the index is the same."""
    raw = json.dumps([{"id": i, "text": "é\n" * (i % 7)} for i in range(30000)], indent=2).encode()
    engine = Engine(idle_seconds=600)
    try:
        assert engine.wait_ready(600), engine.describe()
        judged = outcome(raw)
        assert outcome(raw, engine) == judged

        def no_memfd(*_args):
            raise OSError(38, "Function not implemented")
        monkeypatch.setattr(os, "memfd_create", no_memfd)
        assert engine.index(raw, 0, len(raw)) is not None
        assert outcome(raw, engine) == judged
        assert engine.describe()["index"] == "compiled"  # the worker took it, and is still there
    finally:
        engine.stop()


def test_both_halves_of_the_protocol_go_through_the_pipe_where_there_is_no_memfd(monkeypatch):
    """The worker's answer, like the document, falls back to the pipe: here both halves run in this process,
    the worker on a thread, with memfds refused."""
    def no_memfd(*_args):
        raise OSError(38, "Function not implemented")
    monkeypatch.setattr(os, "memfd_create", no_memfd)
    ours, theirs = multiprocessing.Pipe(duplex=True)
    worker = threading.Thread(target=serve, args=(theirs,), daemon=True)
    worker.start()
    try:
        assert ours.poll(600) and ours.recv() == ("ready", None)
        for raw in [b"[" + b"0," * 200000 + b"0]", json.dumps({"a": ["x\u00e9" * 50] * 1000}, indent=1).encode()]:
            starts, kinds, parents, matches, landmarks, escaped = exchange(ours, os.getpid(), raw, 0, len(raw))
            judged = scan.scan(raw)
            assert (list(starts), list(kinds)) == (list(judged.starts), list(judged.kinds))
            assert (list(parents), list(matches)) == (list(judged.parents), list(judged.matches))
        assert exchange(ours, os.getpid(), b'{"a": 1,}', 0, 9) is None  # not vouched for: the judge's
    finally:
        ours.close()
        worker.join(30)
    assert not worker.is_alive()


def wait_until(condition, timeout=30.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "the condition was never met"
        time.sleep(0.02)


def test_an_idle_engine_stops_and_starts_again_for_the_next_document():
    freed = []
    engine = Engine(idle_seconds=0.5, on_idle=lambda: freed.append(True))
    raw = b"[" + b"1," * 1000 + b"2]"
    try:
        assert engine.wait_ready(600)
        pid = engine._process.pid
        assert engine.index(raw, 0, len(raw)) is not None
        # Stopped once idle: the engine says so, frees what it kept, and its worker is gone (reaped by the
        # engine's own thread, so the test watches /proc rather than joining the process a second time).
        wait_until(lambda: freed == [True] and engine.state == "stopped" and not os.path.exists(f"/proc/{pid}"))
        assert engine.wait_ready(600) and engine.index(raw, 0, len(raw)) is not None
    finally:
        engine.stop()
