"""The weekend rota as pages read it: the latest proposal, its grid, wishes."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from teams.models import Associate, Team

from ..models import RotaPreference, RotaProposal, RotaWish


def latest_proposal(team: Team) -> RotaProposal | None:
    return RotaProposal.objects.filter(team=team).first()


def proposal_grid(proposal: RotaProposal | None) -> dict[str, object]:
    """People x weekend days of a proposal, each cell marked new, kept or removed."""
    if proposal is None or proposal.conflicts:
        return {"days": [], "rows": []}
    first, last = proposal.first_day, proposal.last_day
    days = [
        first + dt.timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + dt.timedelta(days=n)).weekday() >= 5
    ]
    marks: dict[int, dict[str, str]] = {}
    names: dict[int, str] = {}
    for item in proposal.duties:
        names[item["associate_id"]] = item["name"]
        mark = "removed" if item.get("removed") else ("new" if item.get("is_new") else "kept")
        marks.setdefault(item["associate_id"], {})[item["on"]] = mark
    rows = [
        (names[pid], [marks[pid].get(d.isoformat(), "") for d in days])
        for pid in sorted(marks, key=lambda pid: names[pid])
    ]
    return {"days": days, "rows": rows}


def fairness_rows(proposal: RotaProposal | None) -> list[dict[str, Any]]:
    """The proposal's fairness table, most weekend days first."""
    return sorted(
        (proposal.fairness or {}).values() if proposal else [],
        key=lambda row: (-row["total"], row["name"]),
    )


def explained_duties(proposal: RotaProposal | None) -> list[dict[str, Any]]:
    """The proposal's duties (not the removed ones) with their days as dates, by date
    and then name."""
    rows = [
        d
        | {
            "day": dt.date.fromisoformat(d["on"]),
            "comp_day": dt.date.fromisoformat(d["comp_on"]),
        }
        for d in (proposal.duties if proposal else [])
        if not d.get("removed")
    ]
    return sorted(rows, key=lambda row: (row["day"], row["name"]))


def wishes_of(associate: Associate, since: dt.date) -> QuerySet[RotaWish]:
    return RotaWish.objects.filter(associate=associate, on__gte=since)


def preference_of(associate: Associate) -> RotaPreference:
    """The associate's rota preference, or a new unsaved one."""
    return RotaPreference.objects.filter(associate=associate).first() or RotaPreference(
        associate=associate
    )
