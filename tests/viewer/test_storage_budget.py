"""The storage budget: the oldest documents nobody kept make room, kept ones stay, other sites get a share."""

import pytest

from viewer.core.index import Index, IndexCache
from viewer.web.app import create_app

OWN = {"Origin": "http://localhost"}
MiB = 1 << 20


def document(n: int, size: int = 1_000_000) -> bytes:
    return b'{"n": %d, "text": "' % n + b"a" * size + b'"}'


@pytest.fixture()
def small(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "v.sqlite3"), "TESTING": True, "MAX_STORAGE": 8 * MiB})
    return app.test_client()


def posted(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[-600:]
    return response.headers["Location"].rsplit("/", 1)[1]


def test_oldest_unkept_documents_make_room_and_the_home_page_says_so(small):
    ids = [posted(small.post("/docs", data=document(n), content_type="application/json")) for n in range(8)]
    alive = [doc for doc in ids if small.get(f"/docs/{doc}").status_code == 200]
    assert alive == ids[-len(alive):] and 1 < len(alive) < len(ids)  # the oldest went first
    home = small.get("/").get_data(as_text=True)
    assert "Removed to stay within the storage budget of 8 MiB" in home
    assert "to make room for a new document of" in home


def test_kept_documents_stay_and_507_when_only_they_remain(small):
    kept = []
    while True:
        response = small.post("/docs", data=document(len(kept)), content_type="application/json")
        if response.status_code == 507:
            break
        kept.append(posted(response))
        assert small.post(f"/docs/{kept[-1]}/keep", headers=OWN).status_code == 303
        assert len(kept) < 20
    page = response.get_data(as_text=True)
    assert "No room for this document" in page and "--max-storage" in page and "Delete documents" in page
    assert all(small.get(f"/docs/{doc}").status_code == 200 for doc in kept)
    assert "Kept ✓" in small.get(f"/docs/{kept[0]}").get_data(as_text=True)
    # Un-keeping one lets later posts take its place: it goes before any post is refused.
    assert small.post(f"/docs/{kept[0]}/keep", data={"keep": "0"}, headers=OWN).status_code == 303
    for n in range(10):
        posted(small.post("/docs", data=document(100 + n, 500_000), content_type="application/json"))
        if small.get(f"/docs/{kept[0]}").status_code == 404:
            break
    assert small.get(f"/docs/{kept[0]}").status_code == 404
    assert all(small.get(f"/docs/{doc}").status_code == 200 for doc in kept[1:])


def test_a_post_that_cannot_fit_even_alone_removes_nothing(small):
    earlier = [posted(small.post("/docs", data=document(n, 300_000), content_type="application/json")) for n in range(3)]
    response = small.post("/docs", data=document(9, 10 * MiB), content_type="application/json")
    assert response.status_code == 507
    page = response.get_data(as_text=True)
    assert "would not make room either, so none was removed" in page
    assert all(small.get(f"/docs/{doc}").status_code == 200 for doc in earlier)
    assert "Removed to stay within the storage budget" not in small.get("/").get_data(as_text=True)


def test_kept_documents_do_not_expire(tmp_path):
    now = [1_000_000.0]
    app = create_app({"DATABASE": str(tmp_path / "v.sqlite3"), "EXPIRE_HOURS": 1, "CLOCK": lambda: now[0]})
    client = app.test_client()
    kept, other = (posted(client.post("/docs", data=b"[%d]" % n)) for n in range(2))
    assert client.post(f"/docs/{kept}/keep", headers=OWN).status_code == 303
    now[0] += 10 * 3600
    assert client.get(f"/docs/{kept}").status_code == 200
    assert client.get(f"/docs/{other}").status_code == 404


def test_posts_from_other_sites_get_a_quarter_of_the_budget_per_hour(small):
    foreign = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    first = posted(small.post("/docs", data=document(0), content_type="application/json", headers=foreign))
    refused = small.post("/docs", data=document(1, 1_200_000), content_type="application/json", headers=foreign)
    assert refused.status_code == 507
    assert "other sites&#39; pages may use at most 2 MiB" in refused.get_data(as_text=True)
    assert small.get(f"/docs/{first}").status_code == 200
    posted(small.post("/docs", data=document(2), content_type="application/json", headers=OWN))


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"}, {"Origin": "null", "Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
    {"Referer": "https://evil.example/page"}, {"Referer": "http://localhost:1/"},
    {"Sec-Fetch-Site": "same-origin", "Referer": "https://evil.example/"},
    {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
])
def test_keep_and_delete_refused_unless_from_the_viewers_own_page(small, headers):
    doc = posted(small.post("/docs", data=b"[1]", content_type="application/json"))
    assert small.post(f"/docs/{doc}/keep", headers=headers).status_code == 403
    assert small.post(f"/docs/{doc}/delete", headers=headers).status_code == 403
    assert small.post("/docs/delete", headers=headers).status_code == 403
    assert small.get(f"/docs/{doc}").status_code == 200


@pytest.mark.parametrize("headers", [{"Referer": "http://localhost/docs/x"}, {"Sec-Fetch-Site": "same-origin"}, OWN,
                                     {"Origin": "null", "Sec-Fetch-Site": "same-origin"}, {}])
def test_keep_allowed_from_the_viewers_own_page(small, headers):
    doc = posted(small.post("/docs", data=b"[1]", content_type="application/json"))
    assert small.post(f"/docs/{doc}/keep", headers=headers).status_code == 303


def test_an_index_bigger_than_the_cache_is_not_kept():
    from array import array
    big = Index(array("I", range(1000)), array("I", [0] * 1000), array("I", [0] * 1000), array("B", [0] * 1000))
    cache = IndexCache(limit=big.nbytes - 1)
    cache.put("a", big)
    assert cache.get("a") is None


@pytest.mark.parametrize("body, content_type, said", [
    (b"--x\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n[1]", "multipart/form-data; boundary=x",
     "The form is malformed"),
    (b"garbage", "multipart/form-data; boundary=x", "The form is malformed"),
    (b"[1]", "multipart/form-data", "The form is malformed"),
    (b"".join(b"--x\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n1\r\n" % i for i in range(200))
     + b"--x--\r\n", "multipart/form-data; boundary=x", "The form has too many parts"),
    (b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.json\"\r\n\r\n[1]\r\n"
     b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.json\"\r\n\r\n[2]\r\n--x--\r\n",
     "multipart/form-data; boundary=x", "more than one document"),
    (b"--x\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n[1]\r\n"
     b"--x\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n[2]\r\n--x--\r\n",
     "multipart/form-data; boundary=x", "more than one document"),
])
def test_bad_forms_are_400_saying_what_is_wrong(small, body, content_type, said):
    response = small.post("/docs", data=body, content_type=content_type)
    assert response.status_code == 400
    assert said in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "https://evil.example%20.kustomerapp.com/", "https://a b.kustomerapp.com/v1", "https://a..kustomerapp.com/",
    "https://" + "a" * 70 + ".kustomerapp.com/", "https://a.kustomerapp.com/x y", "https://a.kustomerapp.com/\x00",
    "https://-a.kustomerapp.com/", "https://[::1/", "https://a.kustomerapp.com:x/",
])
def test_fetch_urls_that_cannot_be_parsed_are_400(small, monkeypatch, url):
    monkeypatch.setenv("KUSTOMER_API_KEY", "k")
    response = small.get("/fetch", query_string={"url": url})
    assert response.status_code == 400, response.get_data(as_text=True)[-500:]
