"""CSV out: RFC 4180 as Python's csv module reads it, numbers as written, formulas guarded unless exact=1."""
import csv
import io
import json

import pytest

ROWS = [
    {"name": "Smith, Jane", "note": 'She said "hi"', "n": 12345678901234567890123, "ok": True},
    {"name": "Zoë 東京 🙂", "note": "two\nlines\r\nand a CR", "n": 1.50, "ok": False, "tags": ["a", "b"]},
    {"name": "=HYPERLINK(\"http://evil.example\")", "note": "+1 555", "n": -3, "ok": None},
    {"name": "@SUM(A1)", "note": "-minus", "n": 0, "meta": {"k": "=x"}},
    {"name": "\tTab", "note": "\rCR", "n": 1e400, "ok": "true"},
]


@pytest.fixture()
def listed(post):
    text = json.dumps({"data": ROWS}).replace("1.5,", "1.50,").replace("Infinity", "1E+400")
    return post(text.encode())


def read(response) -> list:
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def test_header_quoting_and_non_ascii(client, listed):
    response = client.get(f"/docs/{listed}/table.csv?path=/data&exact=1")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.data
    assert body.startswith(b"name,note,n,ok,tags,meta.k\r\n") and body.endswith(b"\r\n")
    rows = read(response)
    assert rows[1] == ["Smith, Jane", 'She said "hi"', "12345678901234567890123", "true", "", ""]
    assert rows[2] == ["Zoë 東京 🙂", "two\nlines\r\nand a CR", "1.50", "false", '["a","b"]', ""]
    assert rows[3][3] == ""  # null is empty
    assert rows[4][5] == "=x"
    assert rows[5][2] == "1E+400" and rows[5][3] == "true"


def test_formula_cells_are_guarded_by_default(client, listed):
    rows = read(client.get(f"/docs/{listed}/table.csv?path=/data"))
    assert [row[0] for row in rows[1:]] == ["Smith, Jane", "Zoë 東京 🙂", "'=HYPERLINK(\"http://evil.example\")",
                                            "'@SUM(A1)", "'\tTab"]
    assert [row[1] for row in rows[1:]] == ['She said "hi"', "two\nlines\r\nand a CR", "'+1 555", "'-minus", "'\rCR"]
    assert [row[2] for row in rows[1:]] == ["12345678901234567890123", "1.50", "-3", "0", "1E+400"]  # never changed


def test_exact_gives_every_cell_as_it_is(client, listed):
    rows = read(client.get(f"/docs/{listed}/table.csv?path=/data&exact=1"))
    assert [row[0] for row in rows[1:]] == [r["name"] for r in ROWS]
    assert [row[1] for row in rows[1:]] == [r["note"] for r in ROWS]


def test_columns_chosen_by_name_in_that_order(client, listed):
    rows = read(client.get(f"/docs/{listed}/table.csv?path=/data&column=n&column=meta.k&column=name"))
    assert rows[0] == ["n", "meta.k", "name"]
    assert rows[4] == ["0", "'=x", "'@SUM(A1)"]


def test_tsv_is_guarded_and_tab_separated(client, listed):
    response = client.get(f"/docs/{listed}/table.csv?path=/data&tsv=1&exact=1&column=name&column=n")
    assert response.mimetype == "text/tab-separated-values"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline=""), delimiter="\t"))
    assert rows[3] == ["'=HYPERLINK(\"http://evil.example\")", "-3"]
    assert rows[5] == ["'\tTab", "1E+400"]


@pytest.mark.slow
def test_agrees_with_pythons_csv_module_over_many_rows(client, post):
    """Every cell of a list bigger than a batch, against what csv.writer makes of json.loads."""
    rows = [{"i": i, "s": f"v{i},\"{i}\"\n", "f": i / 7} for i in range(40_000)]
    doc = post(json.dumps(rows).encode())
    got = read(client.get(f"/docs/{doc}/table.csv?exact=1"))
    assert got[0] == ["i", "s", "f"] and len(got) == 40_001
    assert got[1:] == [[str(r["i"]), r["s"], repr(r["f"])] for r in rows]


def test_integers_of_any_size_and_negative_zero_stay_as_written(client, post):
    doc = post(b'[{"n": -0, "m": 1}, {"n": ' + b"7" * 5000 + b', "m": -0.0}, {"n": 12345678901234567890123}]')
    rows = read(client.get(f"/docs/{doc}/table.csv?exact=1"))
    assert rows[1:] == [["-0", "1"], ["7" * 5000, "-0.0"], ["12345678901234567890123", ""]]
    page = client.get(f"/docs/{doc}/table").get_data(as_text=True)
    assert '<td class="mi">-0</td>' in page and '<td class="mi">12345678901234567890123</td>' in page


def test_one_column_with_empty_cells_reads_back_as_pythons_csv_module_writes_it(client, post):
    doc = post(b'[{"a": ""}, {"a": null}, {"a": "x"}, {"b": 1}]')
    response = client.get(f"/docs/{doc}/table.csv?exact=1&column=a")
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows([["a"], [""], [""], ["x"], [""]])
    assert response.get_data(as_text=True) == expected.getvalue()
