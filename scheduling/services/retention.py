"""Scheduling's part of retention (registered from SchedulingConfig.ready() in
teams.selectors.retention_providers and history_retention_providers).

A leaver's free text is blanked, live rows and every history version alike —
versions of rows since deleted too (history is found by the person's own column,
not by the ids of live rows): notes on time-off requests, swaps and swap-board
offers, the notes on their schedule cells (plan and published copy), the reasons
on their weekend duties and comp days, and their name and reasons in saved rota
proposals. The
rows themselves stay: dates and kinds are not personal text, and coverage history
and the ledger's counts depend on them.

For everyone, a history version's text is blanked once a later version replaced
it before the history cutoff (the latest version always stays).
"""

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Exists, Model, OuterRef, Q

from teams.models import Associate
from teams.retention import former_name

from ..models import (
    CompDay,
    PublishedEntry,
    RotaProposal,
    ScheduleEntry,
    ShiftSwap,
    SwapOffer,
    TimeOffRequest,
    WeekendDuty,
)

# Each model's people text, and the columns naming the person it is about (present
# on the model and on its history table alike).
TEXTS: list[tuple[type[Model], tuple[str, ...], tuple[str, ...]]] = [
    (TimeOffRequest, ("note", "decision_note"), ("associate_id",)),
    (ShiftSwap, ("note", "decision_note"), ("requester_id", "partner_id")),
    (SwapOffer, ("note",), ("offerer_id",)),
    (ScheduleEntry, ("note",), ("associate_id",)),
    (PublishedEntry, ("note",), ("associate_id",)),
    (WeekendDuty, ("reason",), ("associate_id",)),
    (CompDay, ("reason",), ("associate_id",)),
]


def _history(model: type[Model]) -> type[Model] | None:
    manager = getattr(model, "history", None)
    return manager.model if manager is not None else None


def anonymise_associate(associate: Associate) -> None:
    for model, fields, columns in TEXTS:
        about = reduce(or_, (Q(**{column: associate.pk}) for column in columns))
        blank = dict.fromkeys(fields, "")
        model._default_manager.filter(about).update(**blank)
        history = _history(model)
        if history is not None:
            history._default_manager.filter(about).update(**blank)
    _anonymise_proposals(associate)


def _anonymise_proposals(associate: Associate) -> None:
    """Rota proposals keep each person's name and the solver's reasons as JSON."""
    name = " ".join(former_name(associate.pk))
    periods = RotaProposal.objects.filter(last_day__gte=associate.hired_on)
    if associate.left_on is not None:
        periods = periods.filter(first_day__lte=associate.left_on)
    for proposal in periods.only("duties", "fairness"):
        changed = False
        for duty in proposal.duties or []:
            if duty.get("associate_id") == associate.pk:
                duty.update(
                    name=name, **{key: "" for key in ("reason", "comp_reason") if key in duty}
                )
                changed = True
        mine = (proposal.fairness or {}).get(str(associate.pk))
        if mine is not None:
            mine["name"] = name
            changed = True
        if changed:
            proposal.save(update_fields=["duties", "fairness"])


def scrub_old_history(cutoff: dt.datetime) -> int:
    """Blank the text of history versions that a later version replaced before
    `cutoff`; rows already blank are not written again."""
    changed = 0
    for model, fields, _columns in TEXTS:
        history = _history(model)
        if history is None:
            continue
        rows = history._default_manager
        replaced = rows.filter(
            id=OuterRef("id"), history_id__gt=OuterRef("history_id"), history_date__lt=cutoff
        )
        not_blank = reduce(or_, (~Q(**{field: ""}) for field in fields))
        changed += (
            rows.filter(Exists(replaced)).filter(not_blank).update(**dict.fromkeys(fields, ""))
        )
    return changed
