"""Models of the performance app, one module per area.

KPIs (definitions, events, rollups) live in `kpis`; people records (1:1s,
feedback, goals, career conversations) in `people`; review cycles in `reviews`.
"""

from .kpis import DailyKpi, Kpi, KpiDirtyDay, KpiEvent
from .people import (
    ActionItem,
    AgendaItem,
    Feedback,
    Goal,
    GoalCheckIn,
    OneOnOne,
    OneOnOneCadence,
    PeopleReminder,
    PrivateNote,
)
from .reviews import Rating, RatingChange, Review, ReviewCycle, ReviewReminder

__all__ = [
    "ActionItem",
    "AgendaItem",
    "DailyKpi",
    "Feedback",
    "Goal",
    "GoalCheckIn",
    "Kpi",
    "KpiDirtyDay",
    "KpiEvent",
    "OneOnOne",
    "OneOnOneCadence",
    "PeopleReminder",
    "PrivateNote",
    "Rating",
    "RatingChange",
    "Review",
    "ReviewCycle",
    "ReviewReminder",
]
