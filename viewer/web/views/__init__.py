"""The viewer's pages, one module per area."""
