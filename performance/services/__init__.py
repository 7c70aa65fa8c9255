"""Writes of the performance app, one module per feature."""
