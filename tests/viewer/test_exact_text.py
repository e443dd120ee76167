"""The pretty text is the document's own tokens, re-indented: nothing is re-serialised."""
import pytest


def test_numbers_strings_and_escapes_stay_as_written(post, pretty):
    raw = (b'{"big": 12345678901234567890123, "id": 1516340399466235648, "precise": 0.1000000000000000055511151231257827,'
           b' "exp": 1E2, "negzero": -0, "escaped": "\\u00e9\\n\\/", "utf8": "\xc3\xa9"}')
    assert pretty(post(raw)) == [
        "{",
        '  "big": 12345678901234567890123,',
        '  "id": 1516340399466235648,',
        '  "precise": 0.1000000000000000055511151231257827,',
        '  "exp": 1E2,',
        '  "negzero": -0,',
        '  "escaped": "\\u00e9\\n\\/",',
        '  "utf8": "é"',
        "}",
    ]


def test_reindents_pretty_or_minified_input_the_same_way(post, pretty):
    minified = b'{"a":[1,{"b":null},[]],"c":{}}'
    spaced = b'{\n\t"a" :\r\n [ 1 ,\n{ "b" : null } , [ ] ] ,  "c"  :  {  }\n}\n'
    expected = ["{", '  "a": [', "    1,", "    {", '      "b": null', "    },", "    []", "  ],", '  "c": {}', "}"]
    assert pretty(post(minified)) == expected
    assert pretty(post(spaced)) == expected


@pytest.mark.parametrize("raw, shown", [(b'"just a string"', ['"just a string"']), (b" 42 ", ["42"]),
                                        (b"null", ["null"]), (b"[]", ["[]"]), (b"{ }", ["{}"])])
def test_top_level_scalars_and_empty_containers(post, pretty, raw, shown):
    assert pretty(post(raw)) == shown


def test_duplicate_keys_are_all_shown_and_flagged(client, post, pretty):
    doc = post(b'{"a": 1, "b": 2, "a": 3, "\\u0061": 4}')
    assert pretty(doc) == ["{", '  "a": 1,', '  "b": 2,', '  "a": 3, ⚠ duplicate key', '  "\\u0061": 4 ⚠ duplicate key', "}"]
    page = client.get(f"/docs/{doc}").get_data(as_text=True)
    assert "2 duplicate keys" in page


@pytest.mark.parametrize("prefix, name", [(b"\xef\xbb\xbf", "byte-order mark"), (b")]}'\n", ")]}'"),
                                          (b"while(1);", "while(1);"), (b"for(;;);", "for(;;);"),
                                          (b"\xef\xbb\xbf)]}',\n", ")]}',")])
def test_tolerated_prefixes_are_noticed_and_not_shown(client, post, pretty, prefix, name):
    raw = prefix + b'{"x": [1]}'
    doc = post(raw)
    assert pretty(doc) == ["{", '  "x": [', "    1", "  ]", "}"]
    page = client.get(f"/docs/{doc}").get_data(as_text=True)
    assert name.replace("'", "&#39;") in page and 'class="notice"' in page
    assert client.get(f"/docs/{doc}/raw").data == raw


def test_raw_returns_the_bytes_as_received(client, post):
    raw = b'{ "k" :\t"v\\u0000" ,"n":1.50 }\r\n'
    doc = post(raw)
    response = client.get(f"/docs/{doc}/raw")
    assert response.data == raw
    assert response.mimetype == "application/json"
    download = client.get(f"/docs/{doc}/raw?download=1")
    assert download.data == raw and "attachment" in download.headers["Content-Disposition"]
    assert "v\\u0000" in client.get(f"/docs/{doc}/text").get_data(as_text=True)


def test_folding_shows_how_many_members_a_node_hides(client, post, pretty):
    doc = post(b'{"a": {"x": 1, "y": 2, "z": 3}, "b": [1, 2], "c": [5]}')
    assert pretty(doc, mode="e", x="1") == ["{", '  "a": { x: 1, y: 2, z: 3 }, 3 members', '  "b": [', "    1,", "    2",
                                             "  ],", '  "c": [', "    5", "  ]", "}"]
    assert pretty(doc, mode="c") == ["{ a: {…}, b: […], c: […] } 3 members"]
    assert pretty(doc, mode="c", x="0") == ["{", '  "a": { x: 1, y: 2, z: 3 }, 3 members', '  "b": [ 1, 2 ], 2 items',
                                            '  "c": [ 5 ] 1 item', "}"]


@pytest.mark.slow
def test_deep_nesting_is_shown_not_refused(client, post):
    depth = 100_000
    doc = post(b"[" * depth + b"]" * depth)
    data = client.get(f"/docs/{doc}/rows?start={depth - 2}&count=3").get_json()
    assert data["total"] == 2 * depth - 1
    assert 'title="depth 99998"' in data["html"]
    path = client.get(f"/docs/{doc}/path?line={depth - 1}").get_json()
    assert path["pointer"] == "/0" * (depth - 1)


def test_a_long_line_is_cut_with_a_link_to_all_of_it(client, post, pretty):
    value = "x" * 100_000
    doc = post(f'["{value}"]'.encode())
    text = pretty(doc)[1]
    assert text.startswith('  "xxx') and "whole line (100,002 bytes)" in text
    assert client.get(f"/docs/{doc}/line/1").data == f'"{value}"'.encode()
