"""The document core: index a JSON text once, then render, fold, find and locate its lines from the original bytes."""
