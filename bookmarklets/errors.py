"""The one error type of the builder: a message for the user, printed without a traceback."""


class BookmarkletError(Exception):
    """Something in the definitions or the build is wrong; the message names the place and the fix."""
