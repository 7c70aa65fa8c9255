"""The scheduling JSON API: volume history in (views.py), its shapes (serializers.py)."""
