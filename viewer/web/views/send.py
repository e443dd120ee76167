"""`GET /send`: the tab Send to viewer opens, which tells the page that opened it that the viewer answers."""
from flask import Blueprint, render_template

bp = Blueprint("send", __name__)


@bp.get("/send")
def receive():
    return render_template("send.html")
