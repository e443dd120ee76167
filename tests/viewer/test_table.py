"""A table of any list: columns from the first elements' keys, exact cells, sorting, rows on demand."""
import html
import json
import re

import pytest

from viewer.core.table import column_name, parse_column

LIST = {"data": [
    {"id": 3, "attributes": {"name": "Émile", "a.b": 1, "createdAt": "2026-01-02T03:04:05Z"}, "tags": ["x", "y"]},
    {"id": 12345678901234567890123, "attributes": {"name": "ann", "deep": {"x": 1}}, "extra": None},
    {"id": 1.50, "attributes": "not an object", "flag": True},
    {"id": -2, "attributes": {"name": "Bob"}},
]}


def headings(page: str) -> list:
    return [html.unescape(name) for name in re.findall(r'<th data-column="([^"]*)"', page)]


def cells(fragment: str) -> list:
    """Each row's cells as text, the row number first."""
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr [^>]*>(.*?)</tr>", fragment)]


@pytest.fixture()
def listed(post):
    return post(json.dumps(LIST).replace("1.5,", "1.50,").encode())


def test_columns_come_from_keys_flattened_to_depth_two(client, listed):
    page = client.get(f"/docs/{listed}/table?path=/data").get_data(as_text=True)
    assert headings(page) == ["id", "attributes.name", 'attributes."a.b"', "attributes.createdAt", "tags",
                              "attributes.deep", "extra", "attributes", "flag"]
    assert "4 rows · 9 columns" in page


def test_cells_are_exact_and_deeper_values_are_json_text(client, listed):
    page = client.get(f"/docs/{listed}/table?path=/data").get_data(as_text=True)
    rows = cells(page[page.index("<tbody"):])
    # The column of a key that is an object in some elements and not in others shows the object's text too.
    assert rows[0] == ["1", "3", "Émile", "1", "2026-01-02T03:04:05Z", '["x","y"]', "", "",
                       '{"name":"Émile","a.b":1,"createdAt":"2026-01-02T03:04:05Z"}', ""]
    assert rows[1][:2] == ["2", "12345678901234567890123"] and rows[1][5:8] == ["", '{"x":1}', "null"]
    assert rows[2][1] == "1.50" and rows[2][8:] == ["not an object", "true"]
    # Each row knows its line in the document.
    lines = [int(x) for x in re.findall(r'<tr data-row="\d+" data-line="(\d+)"', page)]
    assert len(lines) == 4 and lines == sorted(lines)


def test_columns_asked_for_by_name_are_added(client, listed):
    page = client.get(f"/docs/{listed}/table?path=/data&column=attributes.deep.x").get_data(as_text=True)
    assert headings(page)[-1] == "attributes.deep.x"
    assert cells(page[page.index("<tbody"):])[1][-1] == "1"


@pytest.mark.parametrize("column,direction,expected", [
    ("id", "asc", ["-2", "1.50", "3", "12345678901234567890123"]),
    ("id", "desc", ["12345678901234567890123", "3", "1.50", "-2"]),
    ("attributes.name", "asc", ["ann", "Bob", "Émile", "", ]),  # blanks last
    ("attributes.name", "desc", ["Émile", "Bob", "ann", ""]),
])
def test_rows_sort_by_a_column(client, listed, column, direction, expected):
    data = client.get(f"/docs/{listed}/table/rows", query_string={
        "path": "/data", "sort": column, "dir": direction}).get_json()
    index = headings(client.get(f"/docs/{listed}/table?path=/data").get_data(as_text=True)).index(column) + 1
    assert [row[index] for row in cells(data["html"])] == expected


def test_rows_come_on_demand(client, post):
    doc = post(json.dumps([{"n": i} for i in range(2500)]).encode())
    page = client.get(f"/docs/{doc}/table").get_data(as_text=True)
    assert len(cells(page[page.index("<tbody"):])) == 100  # the first screen, inside the page
    data = client.get(f"/docs/{doc}/table/rows?path=&start=2400&count=500").get_json()
    assert data["total"] == 2500 and [row[1] for row in cells(data["html"])] == [str(i) for i in range(2400, 2500)]
    data = client.get(f"/docs/{doc}/table/rows?path=&start=0&count=3&sort=n&dir=desc").get_json()
    assert [row[1] for row in cells(data["html"])] == ["2499", "2498", "2497"]


def test_a_list_of_plain_values_has_one_column(client, post):
    doc = post(b'{"ids": [1, "two", null]}')
    page = client.get(f"/docs/{doc}/table?path=/ids").get_data(as_text=True)
    assert headings(page) == ["(value)"]
    assert [row[1] for row in cells(page[page.index("<tbody"):])] == ["1", "two", "null"]


@pytest.mark.parametrize("path,status,message", [
    ("/data/0", 400, "is not a list"), ("/nothing", 404, "nothing at"), ("data", 400, "not a JSON Pointer")])
def test_a_path_that_is_not_a_list_is_refused(client, listed, path, status, message):
    response = client.get(f"/docs/{listed}/table", query_string={"path": path})
    assert response.status_code == status and message in response.get_data(as_text=True)


def test_links_and_pointer_escapes(client, post):
    doc = post(json.dumps({"a/b": [{"url": "https://example.com/x", "k~": 1}]}).encode())
    page = client.get(f"/docs/{doc}/table", query_string={"path": "/a~1b"}).get_data(as_text=True)
    assert '<a class="link-web" href="https://example.com/x"' in page
    assert headings(page) == ["url", "k~"]


@pytest.mark.parametrize("path", [("a",), ("a", "b"), ("a.b",), ("", "x"), ('q"', "é"), ("a b", "c")])
def test_column_names_read_back(path):
    assert parse_column(column_name(path)) == path
