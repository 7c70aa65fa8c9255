"""Scheduling models, one module per feature, re-exported: `from scheduling.models import X`."""

from .calendar import CalendarFeed, PublicHoliday
from .comp_days import CompDay, CompDayRequest, WeekendDuty
from .coverage import CoverageRequirement
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

__all__ = [
    "CELL_FIELDS",
    "MAX_CONSECUTIVE_DAYS",
    "MIN_REST",
    "PROTECTED_KINDS",
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
    "LeaveAllowance",
    "PublicHoliday",
    "PublishedEntry",
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
