"""Kustomer's mask formats: the length never depends on the value."""
import pytest

from viewer.masking.formats import FULL, mask


@pytest.mark.parametrize("value,mode,attribute,shown", [
    ("jenny.jennings@example.com", "partial", "emails", "*******.com"),
    ("a@b.co.uk", "partial", "emails", "*******.uk"),
    ("+15558675309", "partial", "phones", "*******5309"),
    ("+1 (555) 867-5309", "partial", "phone", "*******5309"),
    ("", "partial", "emails", FULL),
    ("12", "partial", "phones", FULL),
    ("Jenny Jennings", "partial", "name", FULL),  # no partial form
    ("Jenny Jennings", "full", "name", FULL),
    ("x", "full", "name", FULL),
    ("jenny@example.com", "full", "emails", FULL),
])
def test_masks(value, mode, attribute, shown):
    assert mask(value, mode, attribute) == shown
