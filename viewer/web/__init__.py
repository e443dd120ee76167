"""The web layer: the Flask app, its security checks, the intake of posted documents and the pages."""
