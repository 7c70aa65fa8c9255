"""Read-side queries of the performance app, one module per feature."""
