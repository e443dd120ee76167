"""Start the viewer at login: one module per platform (linux, macos, windows) and the `service` command."""
