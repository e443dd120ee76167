"""The viewer's address as the bookmarklets hold it: checked, and the origin its pages' messages carry."""
import pytest

from bookmarklets.errors import BookmarkletError
from bookmarklets.viewer_address import check_viewer_url, origin_of, port_option


@pytest.mark.parametrize("viewer, origin", [
    ("http://127.0.0.1:8737", "http://127.0.0.1:8737"),
    ("http://LocalHost:9000/", "http://localhost:9000"),
    ("http://127.0.0.1:80", "http://127.0.0.1"),
    ("https://viewer.example:443", "https://viewer.example"),
    ("http://[::1]:8737", "http://[::1]:8737"),
])
def test_the_origin_is_the_one_the_browser_gives_the_viewers_pages(viewer, origin):
    assert origin_of(check_viewer_url(viewer)) == origin


@pytest.mark.parametrize("viewer", ["127.0.0.1:8737", "http://127.0.0.1:99999", "http://127.0.0.1:port",
                                    "http://:8737", "ftp://127.0.0.1", "http://127.0.0.1:8737/?a", "http://h/#x"])
def test_what_is_not_an_address_is_refused_with_an_example(viewer):
    with pytest.raises(BookmarkletError, match=r"give the viewer's address, such as http://127\.0\.0\.1:8737"):
        check_viewer_url(viewer)


def test_the_port_option_only_off_the_default_port():
    assert port_option("http://127.0.0.1:8737") == ""
    assert port_option("http://127.0.0.1:9000") == " --port 9000"
    assert port_option("http://127.0.0.1") == " --port 80"
