"""Writes, one module per feature (HackSoft services)."""
