"""Read-side queries, one module per feature."""
