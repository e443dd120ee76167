"""The viewer's one error type: its message is written for the person using the viewer."""


class ViewerError(Exception):
    """Something the user can act on; `status` is the HTTP status a request for it answers."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


class DocumentError(ViewerError):
    """A document that cannot be shown; `line`, `column` and `excerpt` locate the problem when known."""

    def __init__(self, message: str, status: int | None = None, *, line: int | None = None,
                 column: int | None = None, excerpt: str | None = None):
        super().__init__(message, status)
        self.line, self.column, self.excerpt = line, column, excerpt


class FormWithoutDocument(DocumentError):
    """A form posted with its document left out: what to do is to send it again from where it came."""

    title = "Send the document again"


class TooLarge(ViewerError):
    """A document over the size limit."""

    status = 413
