"""Reads for interviews and scorecards (to be built: the hiring issue, stem `interviews`)."""

from typing import Any

from ..models import Application, User


def interview_panel(*, user: User, application: Application) -> dict[str, Any]:
    """Context for templates/teams/interviews/_panel.html on the application page."""
    return {}
