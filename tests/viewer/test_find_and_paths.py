"""Find jumps between lines holding the text; every line has a JavaScript path and a JSON Pointer."""
import json

DOC = {"data": {"attributes": {"emails": [{"email": "ada@example.org"}, {"email": "GRACE@example.net"}],
                               "weird key": {"a/b~c": 1}, "café": "x"}}}


def find(client, doc, q, line=-1, direction="next"):
    return client.get(f"/docs/{doc}/search", query_string={"q": q, "line": line, "dir": direction}).get_json()


def test_find_next_previous_and_wrap(client, post, pretty):
    doc = post(json.dumps(DOC, indent=1).encode())
    lines = pretty(doc)
    first = find(client, doc, "example")
    assert "ada@example.org" in lines[first["line"]] and not first["wrapped"]
    second = find(client, doc, "example", first["line"])
    assert "GRACE@example.net" in lines[second["line"]]
    wrapped = find(client, doc, "example", second["line"])
    assert wrapped == {**first, "wrapped": True}
    back = find(client, doc, "example", first["line"], "prev")
    assert back["line"] == second["line"] and back["wrapped"]
    assert find(client, doc, "grace@")["line"] == second["line"]  # ignores case
    assert find(client, doc, "nowhere")["line"] is None
    assert client.get(f"/docs/{doc}/count?q=EXAMPLE").get_json()["count"] == 2
    # Counting remembers the hits' lines; the answers stay the same, and now say which of how many.
    assert find(client, doc, "example") == {**first, "ordinal": 1, "of": 2}
    assert find(client, doc, "example", first["line"]) == {**second, "ordinal": 2, "of": 2}
    assert find(client, doc, "example", second["line"]) == {**wrapped, "ordinal": 1, "of": 2}
    assert find(client, doc, "example", first["line"], "prev") == {**back, "ordinal": 2, "of": 2}
    assert find(client, doc, "example", -1, "prev") == {**second, "wrapped": False, "ordinal": 2, "of": 2}


def test_find_says_what_to_unfold(client, post, pretty):
    doc = post(json.dumps(DOC).encode())
    hit = find(client, doc, "grace")
    assert hit["reveal"] == [0, 1, 2, 3, 7]  # root, data, attributes, emails, the second email object


def test_paths(client, post, pretty):
    doc = post(json.dumps(DOC, ensure_ascii=False).encode())
    lines = pretty(doc)

    def path(text):
        line = next(i for i, shown in enumerate(lines) if text in shown)
        return client.get(f"/docs/{doc}/path?line={line}").get_json()
    assert path('"email": "GRACE@example.net"') == {
        "line": 8, "javascript": "data.attributes.emails[1].email", "pointer": "/data/attributes/emails/1/email",
        "jq": ".data.attributes.emails[1].email", "array": False, "reveal": [0, 1, 2, 3, 7], "overridden": None}
    assert path('"a/b~c": 1')["javascript"] == 'data.attributes["weird key"]["a/b~c"]'
    assert path('"a/b~c": 1')["pointer"] == "/data/attributes/weird key/a~1b~0c"
    assert path('"café"')["javascript"] == 'data.attributes["café"]'
    assert path("{") == {"line": 0, "javascript": "", "pointer": "", "jq": ".", "array": False, "reveal": [],
                         "overridden": None}
    assert path('"weird key"')["jq"] == '.data.attributes."weird key"'
    closer = client.get(f"/docs/{doc}/path?line={len(lines) - 2}").get_json()
    assert closer["javascript"] == "data"


def test_find_in_a_document_with_a_prefix_ignores_the_prefix(client, post):
    doc = post(b")]}'\n[\"while\"]")
    assert find(client, doc, "while")["line"] == 1
    assert find(client, doc, ")]}'")["line"] is None
