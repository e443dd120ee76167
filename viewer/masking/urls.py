"""A source URL as shown: a Kustomer lookup by a masked attribute is masked as the attribute is.

`/v1/customers/email=jenny@example.com` names the customer as plainly as the document does. The URL is
stored as it was (a refresh needs it) and passed through `shown_url` wherever it is shown: the title,
the home list, /audit and the notes of the home page.
"""
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from .formats import mask
from .rules import Rules

# A lookup key in a path (`/email=…`) or a query (`?email=…`), and the attribute whose rule masks its value.
LOOKUPS = {"email": "emails", "phone": "phones", "externalId": "externalIds"}
_IN_PATH = re.compile(r"(?<=/)(email|phone|externalId)=([^/]*)", re.IGNORECASE)
_IN_QUERY = re.compile(r"(?:^|(?<=&))(email|phone|externalId)=([^&]*)", re.IGNORECASE)
_RESOURCE = re.compile(r"/v1/(customers|companies|conversations|messages|klasses/([A-Za-z0-9_-]+))(?:/|$)")


def resource_of(path: str) -> str:
    """The resource a lookup path reads: a customer unless the path names another."""
    m = _RESOURCE.search(path)
    if m is None:
        return "customer"
    if m[2]:
        return f"kobject.{m[2]}"
    return {"customers": "customer", "companies": "company", "conversations": "conversation",
            "messages": "message"}[m[1]]


def shown_url(url, rules_for=None):
    """`url` with the value of each lookup by a masked attribute masked; `rules_for(resource)` gives the rules
    served for the document (None: the rules are not known, and every lookup value is masked in full)."""
    if not url or "=" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(a URL that cannot be read)"
    rules = rules_for(resource_of(parts.path)) if rules_for is not None else None

    def masked(m):
        key = next((k for k in LOOKUPS if k.lower() == m[1].lower()), m[1])
        mode = _mode(rules, key)
        if mode is None:
            return m[0]
        return f"{m[1]}={quote(mask(unquote(m[2]), mode, LOOKUPS[key]), safe='*@.')}"

    return urlunsplit(parts._replace(path=_IN_PATH.sub(masked, parts.path), query=_IN_QUERY.sub(masked, parts.query)))


def _mode(rules: Rules | None, key: str):
    """The mode masking a lookup by `key`: that of its attribute (or of the key's own name), full if unknown."""
    if rules is None:
        return "full"
    return rules.standard.get(LOOKUPS[key]) or rules.standard.get(key)
