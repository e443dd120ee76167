"""Masking reads the members it needs by key through the compiled pass, and gets what reading every key gets."""
import json
from unittest.mock import patch

import pytest

from tests.masking.conftest import RULES, SAMPLES
from viewer.core import compiled
from viewer.core.index import Index
from viewer.core.scan import scan
from viewer.errors import DocumentError
from viewer.masking.rules import load
from viewer.masking.spans import Reader, find


@pytest.fixture(params=["compiled", "python"])
def engine(request):
    if request.param == "compiled":
        assert compiled.wait(600), "the compiled pass could not be built"
    with patch.object(compiled, "ready", lambda: request.param == "compiled"):
        yield request.param


def reader_of(raw: bytes) -> Reader:
    result = scan(raw)
    return Reader(raw, Index(result.starts, result.parents, result.matches, result.kinds))


@pytest.mark.parametrize("raw", [
    b'{"type": "customer", "nested": {"type": "x", "attributes": []}, "attributes": {"name": "A"}}',
    b'{"attributes": 1, "type": "a", "attributes": {"x": [1, {"type": 2}]}, "type": "b"}',  # the last one counts
    b'{"n\\u0061me": "escaped", "type": "t", "attributes": null}',  # compared by its text
    '{"nämé": 1, "type": "ü", "attributes": {}, "a\\"b": 2}'.encode(),
    b'{"typ": 1, "types": 2, "ty\\\\pe": 3}',
    b'{}',
])
def test_named_members_are_the_members_with_those_keys(engine, raw):
    reader = reader_of(raw)
    everything = reader.members(0)
    for names in (("type", "attributes"), ("name", "nämé", 'a"b'), ("types",)):
        assert reader.named(0, names) == {name: everything[name] for name in names if name in everything}


def test_a_value_whose_key_is_written_with_escapes_is_masked(engine, tmp_path):
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text('[[mask]]\nresource = "customer"\nattribute = "name"\nmode = "full"\n')
    rules = load(rules_file)
    document = {"data": [
        {"type": "customer", "attributes": {"name": "Plain Name"}},
        {"type": "customer", "attributes": {"name": "placeholder"}},
    ]}
    raw = json.dumps(document, indent=1).encode().replace(b'"placeholder"', b'"Escaped Key"')
    raw = raw.replace(b'"name": "Escaped Key"', b'"n\\u0061me": "Escaped Key"')
    reader = reader_of(raw)
    spans = find(raw, reader.index, lambda resource: rules.get(resource))
    masked = {raw[span.start:span.end] for span in spans}
    assert masked == {b'"Plain Name"', b'"Escaped Key"'}


def test_the_compiled_pass_finds_the_same_spans(tmp_path):
    """Every sample, and a list of awkward customers, masked with the compiled pass and without it."""
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(RULES + "".join(
        f'[[mask]]\nresource = "customer"\nattribute = "{name}"\nmode = "{mode}"\n\n'
        for name, mode in (("phones", "partial"), ("externalIds", "full"), ("externalId", "full"), ("age", "partial"))))
    rules = load(rules_file)
    awkward = {"data": [{"type": "customer", "attributes": {
        "name": "Zoë \"Z\" \u00e9", "emails": [{"type": "home", "email": "a@b.example"}, {"email": ""}, {"email": None}],
        "phones": [], "externalIds": [{"externalId": 12345}, {"externalId": {"nested": "x"}}, {"other": "y"}],
        "age": -1.5e3, "custom": {}}}]}
    documents = [path.read_bytes() for path in sorted(SAMPLES.glob("*.json"))]
    documents.append(json.dumps(awkward, indent=2).encode())
    documents.append(json.dumps(awkward, separators=(",", ":"), ensure_ascii=False).encode())
    for raw in documents:
        try:
            reader = reader_of(raw)
        except DocumentError:
            continue
        found = {}
        for name in ("compiled", "python"):
            if name == "compiled":
                assert compiled.wait(600)
            with patch.object(compiled, "ready", lambda: name == "compiled"):
                found[name] = find(raw, reader.index, lambda resource: rules.get(resource))
        assert found["compiled"] == found["python"], raw[:200]
    assert found["compiled"], "the awkward customer has values to mask"
