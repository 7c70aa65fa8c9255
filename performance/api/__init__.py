"""The KPI JSON API: its views and the shapes it reads and answers."""
