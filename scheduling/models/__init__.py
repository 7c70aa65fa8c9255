"""Scheduling models, one module per feature, re-exported: `from scheduling.models import X`."""

from .activities import Activity
from .calendar import CalendarFeed, PublicHoliday
from .comp_days import CompDay, CompDayRequest, WeekendDuty
from .coverage import CoverageRequirement
from .forecasts import ForecastInterval, ForecastOverride, QueueForecast
from .queue_plans import QueueAssignment, QueuePlan
from .queues import Queue
from .rota import RotaPreference, RotaProposal, RotaSettings, RotaWish, WeekendSkillNeed
from .schedule import (
    CELL_FIELDS,
    MAX_CONSECUTIVE_DAYS,
    MIN_REST,
    PROTECTED_KINDS,
    DayKind,
    Decided,
    EntryFields,
    EntryKind,
    EntryQuerySet,
    PublishedEntry,
    ScheduleEntry,
    ScheduleWeek,
    ShiftTemplate,
    day_kind_of,
    entry_label,
    local_datetime,
    monday_of,
)
from .swaps import ShiftSwap, SwapOffer
from .time_off import DayPart, LeaveAllowance, TimeOffRequest
from .volumes import QueueVolume

__all__ = [
    "CELL_FIELDS",
    "MAX_CONSECUTIVE_DAYS",
    "MIN_REST",
    "PROTECTED_KINDS",
    "Activity",
    "CalendarFeed",
    "CompDay",
    "CompDayRequest",
    "CoverageRequirement",
    "DayKind",
    "DayPart",
    "Decided",
    "EntryFields",
    "EntryKind",
    "EntryQuerySet",
    "ForecastInterval",
    "ForecastOverride",
    "LeaveAllowance",
    "PublicHoliday",
    "PublishedEntry",
    "Queue",
    "QueueAssignment",
    "QueueForecast",
    "QueuePlan",
    "QueueVolume",
    "RotaPreference",
    "RotaProposal",
    "RotaSettings",
    "RotaWish",
    "ScheduleEntry",
    "ScheduleWeek",
    "ShiftSwap",
    "ShiftTemplate",
    "SwapOffer",
    "TimeOffRequest",
    "WeekendDuty",
    "WeekendSkillNeed",
    "day_kind_of",
    "entry_label",
    "local_datetime",
    "monday_of",
]
