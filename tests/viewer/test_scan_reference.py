"""The scanner gives the same index and the same errors as the reference scanner, on every input."""
import json
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.viewer import scan_reference
from tests.viewer.conftest import DATA
from viewer.core import compiled, scan, tokens
from viewer.errors import DocumentError

CORPUS = DATA / "JSONTestSuite" / "test_parsing"
FILES = sorted(CORPUS.glob("*.json")) if CORPUS.exists() else []
FIELDS = ("body_start", "body_end", "starts", "parents", "matches", "kinds", "notices", "duplicates", "landmarks")


def outcome(module, raw):
    try:
        result = module.scan(raw)
    except DocumentError as exc:
        return ("error", str(exc), exc.line, exc.column, exc.excerpt, exc.status)
    return ("index", *(getattr(result, name) for name in FIELDS))


@contextmanager
def engine(name):
    """Index by the compiled pass or by the whole-array pass (the viewer uses the second until the first is built)."""
    if name == "compiled":
        assert compiled.wait(600), "the compiled pass could not be built"
    with patch.object(compiled, "ready", lambda: name == "compiled"):
        yield


def assert_same(raw):
    expected = outcome(scan_reference, raw)
    for name in ("compiled", "arrays"):
        with engine(name):
            assert outcome(scan, raw) == expected, (name, raw[:200])


@pytest.mark.skipif(not FILES, reason=f"{CORPUS} is not there")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus(path):
    assert_same(path.read_bytes())


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


@pytest.mark.parametrize("raw", [
    b'["' + b'ab\\n\\"\\u00e9\\ud83d\\ude00x' * 2000 + b'"]',
    b'{"a": "' + b'\\n' * 5000 + b'\\x"}',
    b'["' + b'\\"' * 3000,
    b"[" + b"0," * 5000 + b"0]",
    b"[" * 3000 + b"]" * 3000,
    b"[1.5e+3, -0, 0.1E-2, 1., 01, -a, 1e]",
    # Objects of more than 16 keys are compared through a hash table, not pair by pair.
    ("{" + ", ".join(f'"k{i % 30}": {i}' for i in range(100)) + ', "links": 1, "meta": 2, "links": 3}').encode(),
    # Escaped keys are compared by their text: a few objects of them, and more than the compiled pass keeps.
    b'{"\\u0061": 1, "a": 2, "links": 3, "\\u006cinks": 4, "meta": {"x": 1, "x": 2}}',
    b"[" + b", ".join([b'{"\\u0061": 1, "a": 2}'] * 1100) + b"]",
])
def test_awkward_documents(raw):
    assert_same(raw)


# The whole-array pass carries its state from block to block (inside a string, a pending escape, an
# atom or key cut in two, the open containers): tiny blocks put every boundary everywhere.
@pytest.mark.parametrize("block", [1, 2, 3, 7, 64])
@pytest.mark.parametrize("raw", [
    b'{"a": [1, 22, 333, {"bb": "x\\\\\\"y", "c": []}], "d": {}, "a": true, "links": null}',
    b'["' + b'\\\\' * 9 + b'\\"' + b'", "\\u00e9\\ud83d\\ude00", -0.5e+10, 1234567890123456789012, false]',
    b'[[[[]]], [[1], {"k": {"k": {}}}], "end"]',
    b'  {"' + b'long key ' * 20 + b'": 1, "' + b'long key ' * 20 + b'": 2}  ',
])
def test_blocks_of_any_size(monkeypatch, block, raw):
    monkeypatch.setattr(tokens, "BLOCK", block)
    assert_same(raw)
    tokens.tokenize(raw, 0, len(raw))  # and the fast pass vouched for it, rather than handing it on


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from([None, 0, 2]), st.booleans(), st.sampled_from([5, 16, 1 << 20]))
def test_fast_pass_vouches_for_valid_documents(value, indent, ascii_only, block):
    if "Infinity" in json.dumps(value):
        return  # json.dumps writes infinity as Infinity, which is not JSON
    raw = json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    found = tokens.tokenize(raw, 0, len(raw.rstrip()), block)
    assert found is not None


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from([None, 0, 2]), st.booleans())
def test_compiled_pass_vouches_for_valid_documents(value, indent, ascii_only):
    if "Infinity" in json.dumps(value):
        return
    raw = json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert compiled.wait(600)
    compiled.index_lines(raw, 0, len(raw.rstrip()))  # raises Unsure if it would hand the document on
