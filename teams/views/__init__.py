"""Views, one module per feature; urls.py imports each."""
