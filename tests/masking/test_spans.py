"""What masking finds: every member as written (duplicates, escapes, whitespace, big objects), values not in Kustomer's shape masked whole."""
import json
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.masking.conftest import RULES, SAMPLES, Pairs, every_text, masked_text, rules_for_text
from viewer.core.index import Index
from viewer.core.scan import scan
from viewer.masking import spans
from viewer.masking.finder import find
from viewer.masking.spans import Reader, objects

MORE_RULES = RULES + """
[[mask]]
resource = "customer"
attribute = "socials"
mode = "full"

[[mask]]
resource = "conversation"
attribute = "custom.ibanStr"
mode = "full"
"""
WIDE = 70_000  # bytes of whitespace: more than any look-ahead of 64 KiB
SPACE = " " * WIDE
NEWLINES = "\n" * WIDE
MANY = 5_000  # members: more than 4,096


def customer(attributes: str, before_type: str = "", after: str = "") -> str:
    return f'{{{before_type}"type": "customer", "id": "c1", "attributes": {attributes}{after}}}'


def answer(*objects: str, top: str = "") -> bytes:
    return f'{{{top}"data": [{", ".join(objects)}]}}'.encode()


# (case, document, secrets that must not be shown, values that must still be shown)
REPRODUCTIONS = [
    ("duplicate emails", answer(customer('{"emails": [{"type": "home", "email": "jenny@example.com"}], "emails": []}')),
     ["jenny@example.com"], ["home"]),
    ("duplicate attributes", answer(customer('{"name": "Jenny Jennings"}', after=', "attributes": {}')),
     ["Jenny Jennings"], ["c1"]),
    ("duplicate data", b'{"data": {"type": "customer", "attributes": {"name": "Jenny Jennings"}}, "data": []}',
     ["Jenny Jennings"], []),
    ("duplicate data, the last one a list",
     (b'{"data": {"type": "customer", "attributes": {"name": "Jenny Jennings"}}, '
     b'"data": [{"type": "customer", "attributes": {"name": "Jenny Again"}}]}'), ["Jenny Jennings", "Jenny Again"], []),
    ("duplicate included", (b'{"data": [], "included": [{"type": "customer", "attributes": {"name": "Jenny One"}}], '
     b'"included": [{"type": "customer", "attributes": {"name": "Jenny Two"}}]}'), ["Jenny One", "Jenny Two"], []),
    ("duplicate custom", answer(customer('{"custom": {"legacyAccountIdNum": 90071992547409931}, "custom": {}}')),
     ["90071992547409931"], []),
    ("duplicate custom attribute",
     answer(customer('{"custom": {"legacyAccountIdNum": 90071992547409931, "legacyAccountIdNum": null}}')),
     ["90071992547409931"], []),
    ("duplicate spelled with an escape",
     answer(customer('{"custom": {"legacyAccountIdNum": 1, "\\u006cegacyAccountIdNum": 90071992547409931}}')),
     ["90071992547409931"], []),
    ("the first copy spelled with an escape", answer(customer('{"n\\u0061me": "Jenny Jennings", "name": "J"}')),
     ["Jenny Jennings"], []),
    ("data spelled with an escape", b'{"\\u0064ata": {"type": "customer", "attributes": {"name": "Jenny Jennings"}}}',
     ["Jenny Jennings"], []),
    ("type spelled with escapes",
     b'{"data": {"t\\u0079pe": "\\u0063ustomer", "\\u0061ttributes": {"\\u006eame": "Jenny Jennings"}}}',
     ["Jenny Jennings"], []),
    ("type written twice, customer last",
     (b'{"data": {"type": "conversation", "attributes": {"name": "Jenny Jennings", '
     b'"custom": {"ibanStr": "GB29NWBK60161331926819"}}, "type": "customer"}}'),
     ["Jenny Jennings", "GB29NWBK60161331926819"], []),
    ("type written twice, customer first",
     (b'{"data": {"type": "customer", "type": "conversation", "attributes": {"name": "Jenny Jennings", '
     b'"custom": {"ibanStr": "GB29NWBK60161331926819"}}}}'), ["Jenny Jennings", "GB29NWBK60161331926819"], []),
    ("whitespace before data", answer(customer('{"name": "Jenny Jennings"}'), top=SPACE),
     ["Jenny Jennings"], []),
    ("whitespace before the colon of data",
     f'{{"data"{NEWLINES}: {customer(chr(123) + chr(34) + "name" + chr(34) + ": " + chr(34) + "Jenny Jennings" + chr(34) + chr(125))}}}'.encode(),
     ["Jenny Jennings"], []),
    ("whitespace before type", answer(customer('{"name": "Jenny Jennings"}', before_type=SPACE)),
     ["Jenny Jennings"], []),
    ("whitespace before the colon of type",
     answer(f'{{"type"{SPACE}:{SPACE}"customer", "attributes": {{"name": "Jenny Jennings"}}}}'),
     ["Jenny Jennings"], []),
    ("whitespace before name", answer(customer(f'{{{NEWLINES}"name": "Jenny Jennings"}}')), ["Jenny Jennings"], []),
    ("whitespace before the colon of name", answer(customer(f'{{"name"{SPACE}:{SPACE}"Jenny Jennings"}}')),
     ["Jenny Jennings"], []),
    ("whitespace before an email", answer(customer(f'{{"emails": [{{"type": "home",{SPACE}"email"{SPACE}:'
                                                   f'{SPACE}"jenny@example.com"}}]}}')), ["jenny@example.com"], ["home"]),
    ("an escaped data among many top-level members",
     ("{" + "".join(f'"k{i}": {i}, ' for i in range(MANY)) + '"\\u0064ata": '
      + customer('{"name": "Jenny Jennings"}') + "}").encode(), ["Jenny Jennings"], ["4999"]),
    ("an escaped name among many attributes",
     answer(customer("{" + "".join(f'"k{i}": {i}, ' for i in range(MANY)) + '"n\\u0061me": "Jenny Jennings", '
                     '"custom": {"\\u006cegacyAccountIdNum": 90071992547409931}}')),
     ["Jenny Jennings", "90071992547409931"], ["4999"]),
    ("many customers, one with a duplicate", answer(*[customer(f'{{"name": "Name {i}"}}') for i in range(MANY)],
                                                      customer('{"name": "x", "name": "Jenny Jennings"}')),
     ["Jenny Jennings", "Name 0", "Name 4999"], []),
]

UNEXPECTED = [
    ("an email as an object", '{"emails": [{"email": {"address": "jenny@example.com"}}]}', ["jenny@example.com"]),
    ("text as a key", '{"emails": [{"jenny@example.com": true}]}', ["jenny@example.com"]),
    ("a member beside the email", ('{"emails": [{"type": "home", "email": "jj@example.net", '
                                  '"meta": {"alias": "jenny@example.com"}}]}'), ["jenny@example.com", "jj@example.net"]),
    ("a social's url beside its username",
     '{"socials": [{"type": "twitter", "username": "jennyj", "url": "https://twitter.example/jennyj"}]}',
     ["jennyj"]),
    ("a name as an object", '{"name": {"first": "Jenny", "last": "Jennings"}}', ["Jenny", "Jennings"]),
    ("a name as a key", '{"name": {"Jenny Jennings": 1}}', ["Jenny Jennings"]),
    ("a name as a list", '{"name": ["Jenny", "Jennings"]}', ["Jenny", "Jennings"]),
    ("emails as text", '{"emails": "jenny@example.com"}', ["jenny@example.com"]),
    ("an email item as text", '{"emails": ["jenny@example.com", {"email": "a@example.org"}]}',
     ["jenny@example.com", "a@example.org"]),
    ("an email item as a list", '{"emails": [["jenny@example.com"]]}', ["jenny@example.com"]),
    ("an email as a list", '{"emails": [{"email": ["jenny@example.com"]}]}', ["jenny@example.com"]),
    ("a phone item with a nested type", '{"phones": [{"phone": "+15558675309", "type": {"note": "5558675309"}}]}',
     ["5558675309"]),
    ("a custom value as an object", '{"custom": {"legacyAccountIdNum": {"n": 90071992547409931}}}',
     ["90071992547409931"]),
    ("a Kustomer mask with the value beside it",
     '{"name": {"isMasked": true, "maskedPresentation": "****", "value": "Jenny Jennings"}}', ["Jenny Jennings"]),
]


@pytest.fixture()
def rules_for(tmp_path):
    return rules_for_text(MORE_RULES, tmp_path)


def reader_of(raw: bytes) -> Reader:
    result = scan(raw)
    return Reader(raw, Index(result.starts, result.parents, result.matches, result.kinds))


@pytest.mark.parametrize("case,raw,secrets,shown", REPRODUCTIONS, ids=[r[0] for r in REPRODUCTIONS])
def test_every_copy_of_a_sensitive_value_is_masked(rules_for, case, raw, secrets, shown):
    text = every_text(masked_text(raw, rules_for))
    for secret in secrets:
        assert secret not in text
    for value in shown:
        assert value in text


@pytest.mark.parametrize("case,attributes,secrets", UNEXPECTED, ids=[u[0] for u in UNEXPECTED])
def test_a_value_of_an_unexpected_shape_is_replaced_whole(rules_for, case, attributes, secrets):
    raw = answer(customer(attributes))
    found = find(raw, reader_of(raw).index, rules_for)
    assert any(span.unexpected and span.text == b'"********"' for span in found)
    text = every_text(masked_text(raw, rules_for))
    for secret in secrets:
        assert secret not in text
    assert "c1" in text and "customer" in text


def test_kustomers_shape_is_masked_in_kustomers_format(rules_for):
    raw = (SAMPLES / "customer.json").read_bytes()
    found = find(raw, reader_of(raw).index, rules_for)
    assert not any(span.unexpected for span in found)
    attributes = json.loads(masked_text(raw, rules_for))["data"]["attributes"]
    assert attributes["emails"] == [{"type": "home", "email": "*******.com", "verified": True}]
    assert attributes["phones"] == [{"type": "mobile", "phone": "*******5309", "verified": False}]
    assert attributes["socials"] == [{"type": "twitter", "username": "********"}]
    assert attributes["name"] == attributes["firstName"] == "********"


def test_kustomers_own_masks_are_kustomers_shape(rules_for):
    raw = (SAMPLES / "customer-masked-by-kustomer.json").read_bytes()
    found = find(raw, reader_of(raw).index, rules_for)
    assert found and not any(span.unexpected for span in found)
    assert b"isMasked" not in masked_text(raw, rules_for)


@pytest.mark.parametrize("raw", [
    b'{"type": "customer", "nested": {"type": "x", "attributes": []}, "attributes": {"name": "A"}}',
    b'{"attributes": 1, "type": "a", "attributes": {"x": [1, {"type": 2}]}, "type": "b"}',
    b'{"n\\u0061me": "escaped", "type": "t", "attributes": null, "name": 2}',
    '{"nämé": 1, "type": "ü", "attributes": {}, "a\\"b": 2, "n\\u00e4m\\u00e9": 3}'.encode(),
    b'{"typ": 1, "types": 2, "ty\\\\pe": 3, "\\"type\\"": 4, "x": "\\"type\\"", "y": {"type": "type"}}',
    ("{" + SPACE + '"type"' + SPACE + ":" + SPACE + '"t", "name"' + NEWLINES + ': {"type": 1}}').encode(),
    ("{" + ", ".join(f'"k{i}": {{"type": {i}}}' for i in range(MANY)) + ', "t\\u0079pe": 1, "type": [1]}').encode(),
    b'{}',
])
def test_named_members_are_every_member_with_those_keys_whether_read_or_searched(raw):
    reader = reader_of(raw)
    everything = reader.members(0)
    for names in ({"type", "attributes"}, {"name", "nämé", 'a"b'}, {"types", '"type"'}, {"k4999"}):
        expected = [member for member in everything if member[0] in names]
        for lines in (0, 1, 10**9):
            with patch.object(spans, "SEARCH_LINES", lines):
                assert reader.named(0, frozenset(names)) == expected, (names, lines)


def test_objects_are_every_copy_of_data_and_included_in_that_order():
    raw = b'{"included": [{"type": "a"}], "data": {"type": "b"}, "data": [{"type": "c"}, 1, {"type": "d"}]}'
    reader = reader_of(raw)
    assert [reader.scalar(reader.named(line, frozenset({"type"}))[0][1]) for line in objects(reader)] == \
        ["b", "c", "d", "a"]


SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=4)
KEYS = st.sampled_from(["type", "data", "é", "\U0001f600", '"', "\\"]) | st.text(max_size=6)  # often given twice
VALUES = st.recursive(SCALARS, lambda children: st.lists(children, max_size=4).map(lambda items: ("arr", items))
                      | st.lists(st.tuples(KEYS, children), max_size=5).map(lambda m: ("obj", m)), max_leaves=25)


def written(value, draw) -> str:
    """`value` as JSON text, with whitespace around every token and any character of a key escaped or not."""
    def space():
        return draw(st.sampled_from(["", " ", "\n  ", "\t", "\r\n"]))

    def key(text):
        return "".join(json.dumps(c, ensure_ascii=False)[1:-1] if draw(st.booleans()) else escaped(c) for c in text)

    if isinstance(value, tuple) and value[0] == "arr":
        return "[" + ",".join(space() + written(item, draw) + space() for item in value[1]) + "]"
    if isinstance(value, tuple):
        return "{" + ",".join(f'{space()}"{key(k)}"{space()}:{space()}{written(v, draw)}{space()}'
                              for k, v in value[1]) + "}"
    return json.dumps(value)


def escaped(c: str) -> str:
    """A character as JSON's \\u escape (a surrogate pair beyond U+FFFF)."""
    code = ord(c)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def same_members(reader, line, expected):
    """The reader's members of every object under `line` are the members json.loads reads, copies kept, in order."""
    if isinstance(expected, list):  # an array, or an object's Pairs
        if not expected:
            return
        lines = list(reader.index.member_lines(line))
        if isinstance(expected, Pairs):
            members = reader.members(line)
            assert [key for key, _, _ in members] == [key for key, _ in expected]
            for lines_limit in (0, 10**9):
                with patch.object(spans, "SEARCH_LINES", lines_limit):
                    for names in ({k for k, _ in expected[:1]}, {k for k, _ in expected[1::2]}):
                        assert reader.named(line, frozenset(names)) == [m for m in members if m[0] in names]
            expected = [value for _, value in expected]
        for child, value in zip(lines, expected, strict=True):
            same_members(reader, child, value)


@settings(max_examples=200, deadline=None)
@given(st.data(), VALUES.filter(lambda v: isinstance(v, tuple) and v[0] == "obj"))
def test_the_reader_reads_every_member_as_json_does(data, value):
    raw = written(value, data.draw).encode()
    same_members(reader_of(raw), 0, json.loads(raw, object_pairs_hook=Pairs))
