"""Every failure answers as a readable page, or as JSON when JSON was asked for; never a stack trace."""
from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ...errors import ViewerError
from ...sizes import format_size


def init_app(app):
    app.register_error_handler(ViewerError, _viewer_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


def error_response(message, status, *, line=None, column=None, excerpt=None, title=None, refresh=None):
    """`refresh`: seconds after which the page reloads itself (a document that will be ready)."""
    if wants_json():
        response = jsonify({"error": message, "line": line, "column": column})
    else:
        response = render_template("error.html", message=message, status=status, line=line, column=column,
                                   excerpt=excerpt, title=title or _TITLES.get(status, "Something went wrong"),
                                   refresh=refresh)
    return response, status


_TITLES = {400: "This is not a JSON document the viewer can show", 403: "Refused", 404: "Not found",
           405: "Method not allowed", 413: "Too large", 421: "Wrong host name", 503: "Busy",
           507: "No room to store it"}


def _viewer_error(error: ViewerError):
    retry_after = getattr(error, "retry_after", None)
    body, status = error_response(str(error), error.status, line=getattr(error, "line", None),
                                  column=getattr(error, "column", None), excerpt=getattr(error, "excerpt", None),
                                  title=getattr(error, "title", None),
                                  refresh=retry_after if error.status == 503 and request.method == "GET" else None)
    return (body, status, {"Retry-After": str(retry_after)}) if retry_after is not None else (body, status)


def _http_error(error: HTTPException):
    if isinstance(error, RequestEntityTooLarge):
        from flask import current_app
        limit = current_app.config["MAX_BYTES"]
        return error_response(f"The request is too large; the viewer accepts documents up to {format_size(limit)} "
                              "(start it with --max-bytes to change the limit).", 413)
    return error_response(error.description or error.name, error.code or 500)


def _unexpected(error: Exception):
    from flask import current_app

    from ...store import budget
    if budget.is_disk_full(error):
        return _viewer_error(budget.disk_full(error, budget.on_disk(current_app.config["DATABASE"]),
                                              budget.budget(current_app.config)))
    current_app.logger.exception("Unexpected error while answering %s %s", request.method, request.path)
    return error_response("The viewer hit an unexpected error; the details are in its terminal output.", 500,
                          title="Internal error")
