"""Models of the performance app, one module per area.

KPIs (definitions, events, rollups) live in `kpis`; the keys of the KPI API in
`api_tokens`; 1:1s (with career conversations, action items and reminders) in
`one_on_ones`; `feedback`; `goals`; review cycles in `reviews`; the improvement
board (ideas, support, trials) in `improvements` and the team playbook in
`procedures`; the team pulse in `pulse`; birthdays and welcome posts in
`recognition`.
"""

from .api_tokens import ApiToken
from .feedback import Feedback
from .goals import Goal, GoalCheckIn
from .improvements import Idea, Support, Trial
from .kpis import DailyKpi, Kpi, KpiDirtyDay, KpiEvent
from .one_on_ones import (
    ActionItem,
    AgendaItem,
    OneOnOne,
    OneOnOneCadence,
    PeopleReminder,
    PrivateNote,
)
from .procedures import Procedure
from .pulse import (
    PulseAnswer,
    PulseParticipation,
    PulseReminder,
    PulseResponse,
    PulseRound,
    PulseSettings,
    PulseTemplate,
)
from .recognition import BirthdayShare, WelcomePost
from .reviews import Rating, RatingChange, Review, ReviewCycle, ReviewReminder

__all__ = [
    "ActionItem",
    "AgendaItem",
    "ApiToken",
    "BirthdayShare",
    "DailyKpi",
    "Feedback",
    "Goal",
    "GoalCheckIn",
    "Idea",
    "Kpi",
    "KpiDirtyDay",
    "KpiEvent",
    "OneOnOne",
    "OneOnOneCadence",
    "PeopleReminder",
    "PrivateNote",
    "Procedure",
    "PulseAnswer",
    "PulseParticipation",
    "PulseReminder",
    "PulseResponse",
    "PulseRound",
    "PulseSettings",
    "PulseTemplate",
    "Rating",
    "RatingChange",
    "Review",
    "ReviewCycle",
    "ReviewReminder",
    "Support",
    "Trial",
    "WelcomePost",
]
