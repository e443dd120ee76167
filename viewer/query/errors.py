"""The jq package's one error type."""
from ..errors import ViewerError


class QueryError(ViewerError):
    """A program that cannot run or did not finish: jq's own message, or which limit stopped it and how to raise it."""

    title = "The jq program did not give a result"
