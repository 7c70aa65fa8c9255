"""The usual support KPIs. Thresholds are starting points; ops admins tune them.

Used by the data migration that seeds them and by the demo seed (a flushed test
database has lost what migrations wrote), so it takes the model class as an
argument and works with the migration's historical model too.
"""

from typing import Any

USUAL_KPIS = [
    # key, name, unit, aggregation, direction, target, green_at, amber_at, decimals, description
    ("tickets_solved", "Tickets solved", "tickets", "count", "higher", 35, 35, 28, 0,
     "Tickets solved per associate per day."),
    ("csat", "CSAT", "/ 5", "mean", "higher", 4.5, 4.5, 4.0, 2,
     "Average customer satisfaction answer (1 to 5)."),
    ("qa_score", "QA score", "%", "mean", "higher", 90, 90, 80, 1,
     "Average quality review score."),
    ("first_response_time", "First response time (p90)", "min", "p90", "lower", 60, 60, 120, 0,
     "90th percentile of minutes to first reply."),
    ("handle_time", "Handle time (median)", "min", "median", "lower", 12, 12, 18, 1,
     "Median minutes spent per ticket."),
    ("schedule_adherence", "Schedule adherence", "ratio", "ratio", "higher", 0.95, 0.95, 0.9, 2,
     "Minutes in adherence / scheduled minutes."),
]  # fmt: skip


# The values an event of each may carry: (lowest, highest, whole numbers only).
USUAL_RANGES = {
    "tickets_solved": (0, 1_000, True),
    "csat": (1, 5, False),
    "qa_score": (0, 100, False),
    "first_response_time": (0, 525_600, False),  # minutes: up to a year
    "handle_time": (0, 1_440, False),  # minutes: up to a day per ticket
    "schedule_adherence": (0, 1_440, False),  # minutes of a day
}


def range_fields(key: str) -> dict[str, Any]:
    low, high, whole = USUAL_RANGES[key]
    return {"min_value": low, "max_value": high, "whole_numbers": whole}


def ensure_usual_kpis(kpi_model: Any) -> None:
    """Create any of the usual KPIs that is missing; never touches existing ones.
    (Migrations before 0009 pass a model without value ranges.)"""
    has_ranges = any(f.name == "min_value" for f in kpi_model._meta.get_fields())
    for key, name, unit, aggregation, direction, target, green, amber, decimals, text in USUAL_KPIS:
        kpi_model.objects.get_or_create(
            key=key,
            defaults=(range_fields(key) if has_ranges else {})
            | {
                "name": name,
                "unit": unit,
                "aggregation": aggregation,
                "direction": direction,
                "target": target,
                "green_at": green,
                "amber_at": amber,
                "decimals": decimals,
                "description": text,
            },
        )
