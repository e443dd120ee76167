"""What counts as a change, through `GET /diff?…&format=json-patch`; every patch applied back gives B."""
import pytest

from .conftest import exact


def test_key_order_and_whitespace_are_no_change(patch_of):
    assert patch_of('{"a": 1, "b": [1, 2, {"c": null}]}', '{\n  "b" : [ 1,2,{ "c":null } ],\n  "a":1\n}') == []


@pytest.mark.parametrize("a, b", [
    ("1.0", "1"), ("1e2", "100"), ("1E+2", "100.0"), ("-0.50", "-5e-1"), ('"\\u0041"', '"A"'),
    ('"\\/"', '"/"'), ('"\\ud83d\\ude00"', '"😀"'), ('"caf\\u00e9"', '"café"'),
])
def test_values_written_differently_are_no_change(patch_of, a, b):
    assert patch_of('{"v": %s}' % a, '{"v": %s}' % b) == []


def test_numbers_compare_exactly(patch_of):
    operations = patch_of('{"v": 0.1}', '{"v": 0.10000000000000001}')
    assert [(op["op"], op["path"]) for op in operations] == [("replace", "/v")]
    assert str(operations[0]["value"]) == "0.10000000000000001"  # the value's every digit, as sent


def test_escaped_strings_that_differ(patch_of):
    assert patch_of('["a\\nb"]', '["a\\tb"]') == [{"op": "replace", "path": "/0", "value": "a\tb"}]


def test_members_added_removed_changed(patch_of):
    operations = patch_of('{"keep": 1, "gone": 2, "change": {"x": 1, "y": [1, 2, 3]}}',
                          '{"keep": 1, "change": {"x": 2, "y": [1, 2]}, "new": {"z": true}}')
    assert sorted((op["op"], op["path"]) for op in operations) == [
        ("add", "/new"), ("remove", "/change/y/2"), ("remove", "/gone"), ("replace", "/change/x")]


def test_keys_with_slashes_and_tildes(patch_of):
    patch_of('{"a/b": {"~c": 1}}', '{"a/b": {"~c": 2}, "": 3}')


def test_types_that_change(patch_of):
    patch_of('{"a": [1], "b": {}, "c": "x", "d": []}', '{"a": {"0": 1}, "b": [], "c": ["x"], "d": {}}')


def test_root_scalars_and_empty_containers(patch_of):
    assert patch_of("[ ]", "[]") == []
    assert patch_of("{ }", "{}") == []
    assert patch_of("3", "4") == [{"op": "replace", "path": "", "value": 4}]


ITEMS = [{"type": "customer", "id": f"c{n}", "attributes": {"name": f"N{n}", "n": n}} for n in range(6)]


def _doc(items):
    import json
    return json.dumps({"data": items})


def test_insert_at_the_top_of_an_id_list_is_one_addition(patch_of):
    new = {"type": "customer", "id": "new", "attributes": {"name": "X"}}
    assert patch_of(_doc(ITEMS), _doc([new, *ITEMS])) == [{"op": "add", "path": "/data/0", "value": new}]


def test_delete_from_an_id_list_is_one_removal(patch_of):
    assert patch_of(_doc(ITEMS), _doc(ITEMS[:2] + ITEMS[3:])) == [{"op": "remove", "path": "/data/2"}]


def test_move_in_an_id_list_is_one_move(patch_of):
    moved = [*ITEMS[1:], ITEMS[0]]
    assert patch_of(_doc(ITEMS), _doc(moved)) == [{"op": "move", "from": "/data/0", "path": "/data/5"}]
    backwards = [ITEMS[5], *ITEMS[:5]]
    assert len(patch_of(_doc(ITEMS), _doc(backwards))) == 1


def test_change_inside_an_id_list_element_is_addressed_where_it_ends_up(patch_of):
    changed = [dict(item) for item in ITEMS]
    changed[3] = {**ITEMS[3], "attributes": {"name": "Changed", "n": 3}}
    new = {"type": "customer", "id": "new", "attributes": {}}
    operations = patch_of(_doc(ITEMS), _doc([new, *changed[:1], *changed[2:]]))
    assert sorted((op["op"], op["path"]) for op in operations) == [
        ("add", "/data/0"), ("remove", "/data/1"), ("replace", "/data/3/attributes/name")]


def test_same_id_of_another_type_is_another_element(patch_of):
    other = {**ITEMS[0], "type": "conversation"}
    operations = patch_of(_doc(ITEMS[:1]), _doc([other]))
    assert sorted(op["op"] for op in operations) == ["add", "remove"]


def test_repeated_ids_match_by_position(patch_of):
    twice = [ITEMS[0], ITEMS[0]]
    assert patch_of(_doc(twice), _doc([{**ITEMS[0], "id": "x"}, ITEMS[0]])) == [
        {"op": "replace", "path": "/data/0/id", "value": "x"}]


def test_shuffled_id_list(patch_of):
    import random
    items = [{"id": n, "v": n % 3} for n in range(40)]
    shuffled = items[:]
    random.Random(4).shuffle(shuffled)
    shuffled[7] = {**shuffled[7], "v": 99}
    patch_of(_doc(items), _doc(shuffled[5:] + [{"id": 100}]))


def test_duplicate_keys_cannot_be_patched(client, post):
    a, b = post('{"k": 1, "k": 2}'), post('{"k": 1, "k": 3}')
    response = client.get(f"/diff?a={a}&b={b}&format=json-patch")
    assert response.status_code == 422
    assert "duplicate keys" in response.get_data(as_text=True)
    page = client.get(f"/diff?a={a}&b={b}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "1 change<" in text and "json-patch" not in text.split("<main")[0]


def test_a_missing_document_is_named(client, post):
    response = client.get(f"/diff?a={post('1')}&b=nothing")
    assert response.status_code == 404
    assert client.get("/diff?a=x").status_code == 400


def test_escaped_keys_are_their_decoded_text(patch_of):
    assert patch_of('{"\\u0061": 1, "b\\/c": 2}', '{"a": 1, "b/c": 2}') == []
    assert patch_of('{"\\u0061": 1}', '{"a": 2}') == [{"op": "replace", "path": "/a", "value": 2}]


def test_a_deep_document_is_compared_without_recursion(client, post):
    depth = 3000
    a = post("[" * depth + "1" + "]" * depth)
    b = post("[" * depth + "2" + "]" * depth)
    response = client.get(f"/diff?a={a}&b={b}&format=json-patch")
    assert response.status_code == 200
    [operation] = exact(response.get_data(as_text=True))
    assert operation["path"] == "/0" * depth and operation["value"] == 2
    assert client.get(f"/diff?a={a}&b={b}").status_code == 200


def test_a_long_line_of_many_escapes_is_compared_by_its_text(patch_of):
    text = "\\u00e9" * 50_000
    assert patch_of('{"s": "%s"}' % text, '{"s": "%s"}' % ("é" * 50_000)) == []
    assert len(patch_of('{"s": "%s"}' % text, '{"s": "%s!"}' % text)) == 1


def test_long_indentation_after_a_last_value_is_whitespace(patch_of):
    indent = "\n" + " " * 300
    a = '{"a": {"s": "text"' + indent + '}, "n": [1' + indent + ",2" + indent + "]" + indent + "}"
    assert patch_of(a, '{"a":{"s":"text"},"n":[1,2]}') == []
    assert patch_of(a, '{"a":{"s":"text!"},"n":[1,2]}') == [{"op": "replace", "path": "/a/s", "value": "text!"}]
