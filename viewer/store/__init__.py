"""Where documents live: the SQLite file and the documents in it."""
