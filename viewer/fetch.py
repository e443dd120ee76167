"""`GET /fetch?url=…`: the viewer fetches an allow-listed API URL with the user's key and shows it."""
from flask import Blueprint

bp = Blueprint("fetch", __name__)
