"""Turn bookmarklet definitions (TOML) into javascript: bookmarklets and a bookmarks file."""
