"""The masking package's one error type."""
from ..errors import ViewerError


class MaskingError(ViewerError):
    """A masking rules file that cannot be used, or an unmask that cannot be done; the message says why."""

    title = "Cannot unmask"
