"""Kustomer's mask formats: a fixed run of asterisks, never as long as the value, plus a partial hint.

From Kustomer's data-masking article: partial email `*******.com`, partial phone `*******5309`,
full masking all asterisks; a partial mask of an empty value is the full mask.
"""
import re

FULL = "********"
PARTIAL_PREFIX = "*******"
# Attributes whose partial form Kustomer documents; anything else has none and is masked fully.
EMAIL_ATTRIBUTES = ("emails", "sharedEmails", "email")
PHONE_ATTRIBUTES = ("phones", "sharedPhones", "phone")
SUFFIX = re.compile(r"\.[A-Za-z0-9-]{1,63}\Z")
NOT_DIGIT = re.compile(r"\D")


def mask(value: str, mode: str, attribute: str) -> str:
    """The mask shown for `value` of `attribute` under `mode` (`partial` or anything else: full)."""
    if mode != "partial" or not value:
        return FULL
    if attribute in EMAIL_ATTRIBUTES or "@" in value:
        domain = value.rpartition("@")[2]
        suffix = SUFFIX.search(domain) if "@" in value else None
        return PARTIAL_PREFIX + suffix.group() if suffix else FULL
    if attribute in PHONE_ATTRIBUTES:
        digits = NOT_DIGIT.sub("", value)
        # Four digits of a short number would be most of it.
        return PARTIAL_PREFIX + digits[-4:] if len(digits) >= 7 else FULL
    return FULL
