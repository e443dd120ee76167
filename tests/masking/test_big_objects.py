"""Masking finds a document's objects in a top level of many keys without reading every key."""
import json

from viewer.core.index import Index
from viewer.core.scan import scan
from viewer.masking.spans import BIG, Reader, objects


def reader_of(value):
    raw = json.dumps(value, indent=1).encode()
    result = scan(raw)
    return Reader(raw, Index(result.starts, result.parents, result.matches, result.kinds))


def test_a_member_of_a_big_object_is_found_by_its_key_not_by_a_value_or_a_nested_key():
    value = {f"k{i}": "data" for i in range(BIG)}
    value["nested"] = {"data": 1}
    value["data"] = [{"type": "customer", "id": "c1"}]
    reader = reader_of(value)
    line = reader.member(0, "data")
    assert reader.key_name(line) == "data" and reader.index.parents[line] == 0
    assert len(objects(reader)) == 1
    assert reader.member(0, "included") is None


def test_small_and_big_objects_give_the_same_members():
    for count in (10, BIG + 10):
        value = {f"k{i}": i for i in range(count)}
        value["data"] = {"type": "conversation"}
        reader = reader_of(value)
        assert reader.member(0, "data") == reader.members(0)["data"]
