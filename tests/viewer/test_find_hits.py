"""Every hit find counts is one it can show: marks across lines, windows on long lines, exact bytes."""
import html
import json
import re

import pytest

from viewer.core import windows
from viewer.core.marks import MAX_PER_ANSWER, MAX_PER_ROW

MARK = re.compile(r'<mark( class="gap")? data-first="(\d+)" data-last="(\d+)">(.*?)</mark>', re.DOTALL)


def rows(client, doc, **params):
    answer = client.get(f"/docs/{doc}/rows", query_string={"start": 0, "count": 1000, **params})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["html"]


def marks_by_hit(page_html, hits):
    """{hit offset: [(line, text marked on it), ...]} for each of `hits` that some mark names."""
    found = {}
    for line, body in re.findall(r'<div class="row[^"]*" data-line="(\d+)" data-row="\d+">(.*?)</div>', page_html, re.DOTALL):
        for _, first, last, text in MARK.findall(body):
            for hit in hits:
                if int(first) <= hit <= int(last):
                    parts = found.setdefault(hit, [])
                    if parts and parts[-1][0] == int(line):  # one token after another on the same line
                        parts[-1] = (int(line), parts[-1][1] + html.unescape(text))
                    else:
                        parts.append((int(line), html.unescape(text)))
    return found


def step_all(client, doc, q):
    """The offsets next visits from the first hit until it wraps, and the count."""
    seen, at = [], -1
    while True:
        answer = client.get(f"/docs/{doc}/search", query_string={"q": q, "at": at}).get_json()
        if answer["offset"] is None or answer["wrapped"]:
            break
        seen.append(answer["offset"])
        at = answer["offset"]
    return seen, client.get(f"/docs/{doc}/count", query_string={"q": q}).get_json()["count"]


@pytest.mark.parametrize("raw, q", [
    (b"[" + b",".join([b"0"] * 40) + b"]", "0,0"),
    (b"[[[1]],[[2,[[3]]]],[[[[]]]]]", "[["),
    (json.dumps({"a": [[1, [2]], [[3]]]}, indent=2).encode(), "[\n"),
    (json.dumps({"a": [[1, [2]], [[3]]]}, indent=2).encode(), "  "),
])
def test_every_hit_counted_is_stepped_to_and_marked_on_each_line_it_covers(client, post, raw, q):
    doc = post(raw)
    seen, total = step_all(client, doc, q)
    assert len(seen) == total > 1
    text = raw.decode()
    assert seen == [m.start() for m in re.finditer(re.escape(q), text)]  # each after the last, as editors count
    marked = marks_by_hit(rows(client, doc, q=q), seen)
    assert sorted(marked) == seen
    for hit in seen:
        parts = marked[hit]
        lines = [line for line, _ in parts]
        assert lines == sorted(lines)
        shown = "".join(part for _, part in parts)
        # What is shown of a hit is the hit less the whitespace the pretty form writes its own way.
        assert shown == q.strip()


def test_a_hit_across_two_lines_is_marked_on_both(client, post):
    doc = post(b"[0,0,0,0,0]")
    marked = marks_by_hit(rows(client, doc, q="0,0"), [1, 3, 5])
    assert marked == {1: [(1, "0,"), (2, "0")], 5: [(3, "0,"), (4, "0")]}  # 3 is inside the first hit
    answer = client.get(f"/docs/{doc}/search", query_string={"q": "0,0", "at": 1}).get_json()
    assert (answer["line"], answer["last_line"], answer["offset"], answer["end"]) == (3, 4, 5, 8)
    assert client.get(f"/docs/{doc}/count", query_string={"q": "0,0"}).get_json()["count"] == 2


@pytest.mark.parametrize("zeros, counted", [(20_000, False), (200_000, True)])
def test_hits_in_a_long_chain_of_overlapping_text_keep_the_count_s_phase(client, post, zeros, counted):
    """Every "0,0" in a list of zeros overlaps the next; the hits are every other one, counted from the start.

    Rows work that out from the last place no occurrence straddles, up to search.SYNC_BACK bytes back;
    in a longer chain, from the hits a count remembered.
    """
    raw = b"[" + b",".join([b"0"] * zeros) + b"]"
    doc = post(raw)
    if counted:
        assert client.get(f"/docs/{doc}/count", query_string={"q": "0,0"}).get_json()["count"] == zeros // 2
    line = zeros * 3 // 4 + 1  # zero number `line` is on line `line`, at offset 2 * line - 1
    middle = client.get(f"/docs/{doc}/rows", query_string={"line": line, "count": 6, "q": "0,0"}).get_json()
    marked = marks_by_hit(middle["html"], range(len(raw)))
    k = (line - 1) // 2  # hit k covers zeros 2k + 1 and 2k + 2, from offset 1 + 4k
    assert sorted(marked) == [1 + 4 * n for n in range(k, k + 3)]
    back = client.get(f"/docs/{doc}/search", query_string={"q": "0,0", "at": 1 + 4 * (k + 1), "dir": "prev"}).get_json()
    assert back["offset"] == 1 + 4 * k


def test_a_hit_spanning_into_a_folded_object_unfolds_it(client, post):
    doc = post(b'[1,{"a":{"b":2}}]')
    answer = client.get(f"/docs/{doc}/search", query_string={"q": '{"a":{'}).get_json()
    assert (answer["line"], answer["last_line"]) == (2, 3)
    assert answer["reveal"] == [0, 2]  # the object the hit ends in, though it starts before it


UNIT = 'ab\\u00e9\\"é\\\\c€\\n'  # escapes, a 2-byte and a 3-byte character, a backslash pair


def long_string_document(position, extra=()):
    """{"big": "<about 200 KB of UNIT>"} with `needle` at about `position` bytes into the string."""
    before = UNIT * (position // len(UNIT.encode())) + "x" * (position % len(UNIT.encode()))
    after = UNIT * 2000
    body = before + "Needle" + after + "".join(UNIT * 300 + "needle" for _ in extra) + UNIT * 20
    return json.dumps({"big": "<!>"}).replace("<!>", body).encode(), len('{"big": "') + len(before.encode())


def unit_boundaries(raw: bytes, start: int, end: int) -> set:
    """Offsets between whole characters and whole escapes of the JSON text from `start` to `end`."""
    bounds, at = {start}, start
    for m in re.finditer(rb'\\u[0-9a-fA-F]{4}|\\.|[\x00-\x7f]|[\xc0-\xff][\x80-\xbf]*', raw[start:end]):
        at = start + m.end()
        bounds.add(at)
    return bounds


@pytest.mark.parametrize("shift", range(14))
def test_a_hit_past_the_cut_opens_a_window_of_exact_bytes(client, post, shift):
    raw, hit = long_string_document(100_000 + shift)  # far past the cut (render.LONG_LINE)
    doc = post(raw)
    answer = client.get(f"/docs/{doc}/search", query_string={"q": "needle"}).get_json()
    assert answer["offset"] == hit and answer["line"] == 1
    page = rows(client, doc, q="needle", at=hit)
    row = re.search(r'<div class="row window" data-line="1".*?</div>', page, re.DOTALL).group()
    window = re.search(r'<span class="s2">(.*)</span><span class="elided"', row, re.DOTALL).group(1)
    shown = html.unescape(re.sub(r"<[^>]+>", "", window))
    start = raw.index(shown.encode(), hit - windows.CONTEXT - 16)
    assert start <= hit and hit + 6 <= start + len(shown.encode())
    assert len(shown.encode()) <= 2 * windows.CONTEXT + 6 + 16  # bounded, never the whole line
    assert {start, start + len(shown.encode())} <= unit_boundaries(raw, len('{"big": "'), len(raw))
    current = [text for _, first, last, text in MARK.findall(row) if int(first) <= hit <= int(last)]
    assert current == ["Needle"]
    # The count and the head of the row say what the window leaves out.
    assert f"… {start - 1:,} bytes …" in html.unescape(row)  # line 1 starts after the "{"


def test_next_and_previous_walk_hits_inside_the_same_long_line(client, post):
    raw, hit = long_string_document(60_000, extra=(1, 2))
    doc = post(raw)
    hits = [m.start() for m in re.finditer(b"(?i)needle", raw)]
    assert hits[0] == hit and len(hits) == 3
    assert step_all(client, doc, "NEEDLE") == (hits, 3)
    back = client.get(f"/docs/{doc}/search", query_string={"q": "needle", "at": hits[0], "dir": "prev"}).get_json()
    assert back["offset"] == hits[-1] and back["wrapped"] and (back["ordinal"], back["of"]) == (3, 3)
    for at in hits:
        page = rows(client, doc, q="needle", at=at)
        assert re.search(rf'data-first="{at}" data-last="{at}">[Nn]eedle</mark>', page)


def test_the_head_of_a_cut_row_marks_only_what_it_shows(client, post):
    raw, hit = long_string_document(100_000)
    doc = post(raw)
    page = rows(client, doc, q="needle")
    assert "row window" not in page and not MARK.findall(page)
    early = rows(client, doc, q="ab")
    assert early.count("<mark") > 100 and 'class="row window"' not in early


def test_marks_are_escaped(client, post):
    doc = post(json.dumps({"<b>": "<script>alert(1)</script> & </mark>"}).encode())
    page = rows(client, doc, q="</")
    assert "<script>" not in page and "</mark> &" not in page
    assert page.count(">&lt;/</mark>") == 2
    assert page.count("<mark") == 2


@pytest.mark.parametrize("params, message", [
    ({"q": "a", "at": "abc"}, "The parameter at must be the byte offset of a hit"),
    ({"q": "a", "at": "-2"}, "The parameter at must be the byte offset of a hit"),
    ({"q": "a", "at": "10000000"}, "from 0 to 7 in this document"),
    ({"q": "a", "at": "²"}, "The parameter at must be"),
    ({"q": "x" * 1025}, "Find looks for at most 1,024 bytes of text"),
])
@pytest.mark.parametrize("route", ["rows", "search", "count"])
def test_bad_find_parameters_are_a_400_saying_what_to_send(client, post, params, message, route):
    doc = post(b'{"a": 1}')
    answer = client.get(f"/docs/{doc}/{route}", query_string=params, headers={"Accept": "application/json"})
    assert answer.status_code == 400 and message in answer.get_json()["error"]


def test_a_row_of_many_hits_stays_bounded_and_still_marks_the_current_one(client, post):
    raw = json.dumps(["a" * 10_000]).encode()
    doc = post(raw)
    last = raw.rindex(b"a")
    page = rows(client, doc, q="a", at=last)
    assert page.count("<mark") == MAX_PER_ROW + 1 and f'data-first="{last}"' in page  # the current one too


def test_an_answer_of_many_long_rows_full_of_hits_stays_bounded(client, post):
    doc = post(json.dumps(["e" * 20_000] * 40).encode())
    assert rows(client, doc, q="e").count("<mark") == MAX_PER_ANSWER


def test_a_hit_across_many_lines_of_a_deep_document_answers_at_once(client, post):
    depth = 200_000
    doc = post(b"[" * depth + b"]" * depth)
    answer = client.get(f"/docs/{doc}/search", query_string={"q": "[" * 1024, "at": 50_000}).get_json()
    assert (answer["offset"], answer["line"], answer["last_line"]) == (51_024, 51_024, 52_047)  # after the hit at 50,000
    assert answer["reveal"] == list(range(52_047))  # every opener above the hit's last line
