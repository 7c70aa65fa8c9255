"""Reads for offers (to be built: the hiring issue, stem `offers`)."""

from typing import Any

from ..models import Application, User


def offer_panel(*, user: User, application: Application) -> dict[str, Any]:
    """Context for templates/teams/offers/_panel.html on the application page."""
    return {}
