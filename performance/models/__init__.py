"""Models of the performance app, one module per area.

KPIs (definitions, events, rollups) live in `kpis`; people records (1:1s,
feedback, goals, career conversations) in `people`; review cycles in `reviews`.
"""

from .kpis import DailyKpi, Kpi, KpiDirtyDay, KpiEvent
from .reviews import Rating, RatingChange, Review, ReviewCycle, ReviewReminder

__all__ = [
    "DailyKpi",
    "Kpi",
    "KpiDirtyDay",
    "KpiEvent",
    "Rating",
    "RatingChange",
    "Review",
    "ReviewCycle",
    "ReviewReminder",
]
