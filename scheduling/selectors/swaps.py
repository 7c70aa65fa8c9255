"""Shift swaps as pages read them: what approving a swap would do (cells, coverage,
rules, the weekend ledger), the short list of teammates and days an associate can
swap with, and the team's swap board.

Every check runs over a `SwapContext` loaded once (a fixed number of queries), so
the lead's queue, the associate's list of choices and the services that write a
swap judge a swap with the same code: `exchange_problems`.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from teams.models import Associate, Team

from .. import rules
from ..models import (
    PROTECTED_KINDS,
    CompDay,
    CompDayRequest,
    CoverageRequirement,
    EntryFields,
    EntryKind,
    PublishedEntry,
    ScheduleEntry,
    ShiftSwap,
    SwapOffer,
    TimeOffRequest,
    WeekendDuty,
)
from .calendar import holidays_between
from .coverage import CoverageLine, capable_skills, coverage_for_day, requirements_for

SWAP_HORIZON_DAYS = 42
Cells = dict[tuple[int, dt.date], ScheduleEntry | None]
# Rest and consecutive-day rules look this far either side of a changed day.
RULE_MARGIN = dt.timedelta(days=8)
# Another-day choices per teammate: the nearest few, so the list stays short.
OTHER_DAYS_PER_TEAMMATE = 3


@dataclass(frozen=True)
class Pair:
    """Who gives which day: the requester's shift on requester_day for the partner's
    on partner_day (or, in a hand-over, the partner's day off on the same day)."""

    requester_id: int
    requester_day: dt.date
    partner_id: int
    partner_day: dt.date
    is_hand_over: bool = False

    @classmethod
    def of(cls, swap: ShiftSwap) -> "Pair":
        return cls(
            swap.requester_id,
            swap.requester_day,
            swap.partner_id,
            swap.partner_day,
            swap.is_hand_over,
        )

    @property
    def days(self) -> list[dt.date]:
        return sorted({self.requester_day, self.partner_day})


@dataclass
class SwapContext:
    """Everything a swap's checks read, for one team over a range of days."""

    team: Team
    today: dt.date
    people: dict[int, Associate]
    plan: dict[int, dict[dt.date, ScheduleEntry]]
    requirements: list[CoverageRequirement]
    skills: dict[int, set[int]]
    holidays: set[dt.date]
    time_off: dict[int, set[dt.date]]
    duties: dict[tuple[int, dt.date], WeekendDuty]
    comp_days_asked_to_move: set[int] = field(default_factory=set)

    def name(self, associate_id: int) -> str:
        person = self.people.get(associate_id)
        return str(person) if person is not None else "A former teammate"


def swap_context(team: Team, first: dt.date, last: dt.date, *, today: dt.date) -> SwapContext:
    """Load a team's working plan and rules around [first, last]. Eight queries."""
    people = {
        a.pk: a for a in Associate.objects.filter(team=team, is_active=True).select_related("user")
    }
    plan: dict[int, dict[dt.date, ScheduleEntry]] = defaultdict(dict)
    for entry in (
        ScheduleEntry.objects.filter(associate_id__in=people)
        .between(first - RULE_MARGIN, last + RULE_MARGIN)
        .select_related("template")
    ):
        plan[entry.associate_id][entry.on] = entry
    time_off: dict[int, set[dt.date]] = defaultdict(set)
    for request in TimeOffRequest.objects.filter(
        associate_id__in=people,
        status=TimeOffRequest.Status.APPROVED,
        first_day__lte=last + RULE_MARGIN,
        last_day__gte=first - RULE_MARGIN,
    ):
        time_off[request.associate_id].update(request.days())
    duties = {
        (d.associate_id, d.on): d
        for d in WeekendDuty.objects.filter(
            associate_id__in=people, on__gte=first, on__lte=last
        ).select_related("comp_day")
    }
    asked = set(
        CompDayRequest.objects.filter(
            status=CompDayRequest.Status.PENDING,
            comp_day__duty__in=[d.pk for d in duties.values()],
        ).values_list("comp_day_id", flat=True)
    )
    return SwapContext(
        team=team,
        today=today,
        people=people,
        plan=plan,
        requirements=requirements_for(team),
        skills=capable_skills(people),
        holidays=set(holidays_between(team, first, last)),
        time_off=time_off,
        duties=duties,
        comp_days_asked_to_move=asked,
    )


def _moved(entry: ScheduleEntry | None, to: int) -> ScheduleEntry | None:
    """The same cell in another person's row (unsaved: only for checking)."""
    if entry is None:
        return None
    return ScheduleEntry(associate_id=to, on=entry.on, template=entry.template, **_values(entry))


def _values(entry: EntryFields) -> dict[str, object]:
    values = entry.cell_values()
    values.pop("template_id")
    return values


def exchanged_cells(ctx: SwapContext, pair: Pair) -> Cells:
    """What each of the two people holds on each swap day once it is approved."""
    r, p = pair.requester_id, pair.partner_id
    cells: Cells = {}
    for day in pair.days:
        cells[(r, day)] = _moved(ctx.plan[p].get(day), r)
        cells[(p, day)] = _moved(ctx.plan[r].get(day), p)
    return cells


def _shape_problems(ctx: SwapContext, pair: Pair) -> list[str]:
    """The cells must still be what the two people agreed to exchange."""
    found = []
    for person, day in (
        (pair.requester_id, pair.requester_day),
        (pair.partner_id, pair.partner_day),
    ):
        if person not in ctx.people:
            found.append(f"{ctx.name(person)} is no longer on {ctx.team}.")
            continue
        entry = ctx.plan[person].get(day)
        if entry is not None and entry.kind in PROTECTED_KINDS:
            found.append(
                f"{ctx.name(person)} has {entry.get_kind_display().lower()} on {day:%a %-d %b}."
            )
            continue
        wants_shift = not (pair.is_hand_over and person == pair.partner_id)
        if wants_shift and (entry is None or not entry.is_shift):
            found.append(f"{ctx.name(person)} no longer works {day:%a %-d %b}.")
        elif not wants_shift and (entry is None or entry.kind != EntryKind.DAY_OFF):
            found.append(f"{ctx.name(person)} is no longer off on {day:%a %-d %b}.")
    if found:
        return found
    for day in pair.days:  # the other day of a two-day swap
        for person in (pair.requester_id, pair.partner_id):
            entry = ctx.plan[person].get(day)
            if entry is not None and entry.kind in PROTECTED_KINDS:
                found.append(
                    f"{ctx.name(person)} has {entry.get_kind_display().lower()} on {day:%a %-d %b}."
                )
    return found


def _rule_problems(ctx: SwapContext, pair: Pair, cells: Cells) -> list[str]:
    found: list[str] = []
    for person in (pair.requester_id, pair.partner_id):
        plan: dict[dt.date, EntryFields] = dict(ctx.plan[person])
        for (owner, day), entry in cells.items():
            if owner != person:
                continue
            if entry is None:
                plan.pop(day, None)
            else:
                plan[day] = entry
        for day in pair.days:
            for reason in rules.conflicts(
                name=ctx.name(person),
                plan=plan,
                day=day,
                site=ctx.team.site,
                time_off_days=ctx.time_off.get(person, set()),
            ):
                if reason not in found:
                    found.append(reason)
    return found


def coverage_change(
    ctx: SwapContext, day: dt.date, cells: Cells
) -> list[tuple[CoverageLine, CoverageLine]]:
    """Each coverage line of the day before and after the exchanged cells."""
    before: list[EntryFields] = [e for plan in ctx.plan.values() if (e := plan.get(day))]
    changed = {person for person, on in cells if on == day}
    after = [e for e in before if e.associate_id not in changed]
    after += [e for (_, on), e in cells.items() if on == day and e is not None]
    old = coverage_for_day(day, before, ctx.requirements, ctx.skills, ctx.holidays)
    new = coverage_for_day(day, after, ctx.requirements, ctx.skills, ctx.holidays)
    return list(zip(old, new, strict=True))


def _coverage_problems(ctx: SwapContext, pair: Pair, cells: Cells) -> list[str]:
    return [
        f"{day:%a %-d %b}: {now.label} would drop to {now.scheduled} of {now.required}."
        for day in pair.days
        for was, now in coverage_change(ctx, day, cells)
        if now.is_gap and not was.is_gap
    ]


def duties_changing_hands(ctx: SwapContext, pair: Pair) -> list[tuple[WeekendDuty, int]]:
    """Weekend duties whose shift the swap hands to the other person, with who gets them.
    If both already work that day, each keeps their own duty."""
    other = {pair.requester_id: pair.partner_id, pair.partner_id: pair.requester_id}
    return [
        (duty, other[holder])
        for day in pair.days
        for holder in (pair.requester_id, pair.partner_id)
        if (duty := ctx.duties.get((holder, day))) is not None
        and (other[holder], day) not in ctx.duties
    ]


def _ledger_problems(ctx: SwapContext, pair: Pair) -> list[str]:
    """A weekend shift changes hands with its duty and comp day; not once that comp
    day is taken (the holder already had the day off) or while a move is asked for."""
    found = []
    for duty, _to in duties_changing_hands(ctx, pair):
        comp: CompDay | None = getattr(duty, "comp_day", None)
        if comp is None:
            continue
        name, day = ctx.name(duty.associate_id), f"{duty.on:%a %-d %b}"
        taken = comp.status == CompDay.Status.TAKEN or (
            comp.on is not None and comp.on <= ctx.today
        )
        if taken:
            when = f" on {comp.on:%a %-d %b}" if comp.on else ""
            found.append(
                f"{name} already had the comp day for {day}{when}: that weekend shift stays theirs."
            )
        elif comp.pk in ctx.comp_days_asked_to_move:
            found.append(
                f"{name} has asked to move the comp day earned by {day}: decide that request first."
            )
    return found


def exchange_problems(ctx: SwapContext, pair: Pair) -> list[str]:
    """Every reason approving this exchange now would be refused, in plain words."""
    begun = [day for day in pair.days if day <= ctx.today]
    if begun:
        # A day that has started or passed was worked as planned: it is history.
        return [f"{begun[0]:%a %-d %b %Y} has started or passed: a swap is for days ahead."]
    found = _shape_problems(ctx, pair)
    if found:
        return found
    cells = exchanged_cells(ctx, pair)
    return (
        _rule_problems(ctx, pair, cells)
        + _coverage_problems(ctx, pair, cells)
        + _ledger_problems(ctx, pair)
    )


# The lead's queue -----------------------------------------------------------


@dataclass(frozen=True)
class LineImpact:
    label: str
    required: int | None
    before: int
    after: int

    @property
    def breaks_minimum(self) -> bool:
        return self.required is not None and self.after < self.required <= self.before

    @property
    def was_short(self) -> bool:
        return self.required is not None and self.before < self.required


@dataclass(frozen=True)
class CellChange:
    before: ScheduleEntry | None
    after: ScheduleEntry | None


@dataclass(frozen=True)
class SwapDay:
    day: dt.date
    requester: CellChange
    partner: CellChange
    coverage: list[LineImpact]


@dataclass(frozen=True)
class DutyMove:
    on: dt.date
    to: str
    comp_on: dt.date | None


@dataclass(frozen=True)
class QueuedSwap:
    swap: ShiftSwap
    days: list[SwapDay]
    problems: list[str]
    duty_moves: list[DutyMove] = field(default_factory=list)

    @property
    def can_approve(self) -> bool:
        return self.swap.status == ShiftSwap.Status.ACCEPTED and not self.problems


def open_swaps(team: Team) -> QuerySet[ShiftSwap]:
    """Open swaps that can still happen (none of their days has started)."""
    today = team.site.local_today()
    return (
        ShiftSwap.objects.filter(
            requester__team=team,
            status__in=ShiftSwap.OPEN,
            requester_day__gt=today,
            partner_day__gt=today,
        )
        .select_related("requester__user", "partner__user")
        .order_by("requester_day", "created_at")
    )


def swap_queue(team: Team) -> list[QueuedSwap]:
    """The team's open swaps, each with both people's cells before and after and the
    coverage of every affected day if it were approved now. Nine queries, however
    many swaps."""
    swaps = list(open_swaps(team))
    if not swaps:
        return []
    days = sorted({d for s in swaps for d in s.days})
    ctx = swap_context(team, days[0], days[-1], today=team.site.local_today())
    queued = []
    for swap in swaps:
        pair = Pair.of(swap)
        cells = exchanged_cells(ctx, pair)
        rows = []
        for day in pair.days:
            coverage = [
                LineImpact(was.label, was.required, was.scheduled, now.scheduled)
                for was, now in coverage_change(ctx, day, cells)
                if was.required is not None or was.scheduled != now.scheduled
            ]
            rows.append(
                SwapDay(
                    day=day,
                    requester=CellChange(
                        ctx.plan[swap.requester_id].get(day), cells[(swap.requester_id, day)]
                    ),
                    partner=CellChange(
                        ctx.plan[swap.partner_id].get(day), cells[(swap.partner_id, day)]
                    ),
                    coverage=coverage,
                )
            )
        moves = [
            DutyMove(duty.on, ctx.name(to), getattr(getattr(duty, "comp_day", None), "on", None))
            for duty, to in duties_changing_hands(ctx, pair)
        ]
        queued.append(
            QueuedSwap(
                swap=swap, days=rows, problems=exchange_problems(ctx, pair), duty_moves=moves
            )
        )
    return queued


# The associate's choices ----------------------------------------------------


@dataclass(frozen=True)
class SwapChoice:
    """One thing a teammate can give for my shift: their shift on a day, or (a
    hand-over) nothing, because they are off on my day and work it instead."""

    partner: Associate
    day: dt.date
    theirs: PublishedEntry | None
    mine_that_day: PublishedEntry | None
    is_hand_over: bool = False

    @property
    def heading(self) -> str:
        """What the choice gives, to group the list by: "Wed 9 Dec · Early 07:00–15:30"."""
        if self.theirs is None:
            return f"{self.day:%a %-d %b} · take it over (off that day)"
        name = self.theirs.template.name if self.theirs.template else "Shift"
        return f"{self.day:%a %-d %b} · {name} {self.theirs.label()}"

    @property
    def value(self) -> str:
        return f"{self.partner.pk}:{self.day.isoformat()}" + (
            ":hand-over" if self.is_hand_over else ""
        )


def parse_choice(value: str) -> tuple[int, dt.date, bool] | None:
    """The (partner id, day, is hand-over) a posted choice names; None if it names none."""
    parts = value.split(":")
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "hand-over"):
        return None
    try:
        return int(parts[0]), dt.date.fromisoformat(parts[1]), len(parts) == 3
    except ValueError:
        return None


def _horizon(today: dt.date) -> tuple[dt.date, dt.date]:
    return today + dt.timedelta(days=1), today + dt.timedelta(days=SWAP_HORIZON_DAYS)


def published_team_days(team: Team, today: dt.date) -> dict[int, dict[dt.date, PublishedEntry]]:
    """What each active teammate was told about each swappable day. One query."""
    first, last = _horizon(today)
    days: dict[int, dict[dt.date, PublishedEntry]] = defaultdict(dict)
    for entry in PublishedEntry.objects.filter(
        associate__team=team, associate__is_active=True, on__gte=first, on__lte=last
    ).select_related("template"):
        days[entry.associate_id][entry.on] = entry
    return days


def busy_days(associate: Associate) -> set[dt.date]:
    """My days already in an open swap I asked for or on the swap board."""
    asked = ShiftSwap.objects.filter(requester=associate, status__in=ShiftSwap.OPEN).values_list(
        "requester_day", flat=True
    )
    offered = SwapOffer.objects.filter(
        offerer=associate, status__in=[SwapOffer.Status.OPEN, SwapOffer.Status.TAKEN]
    ).values_list("on", flat=True)
    return set(asked) | set(offered)


def my_swappable_shifts(me: Associate, today: dt.date) -> list[PublishedEntry]:
    """My published shifts after today, in the next six weeks, not already in an open
    swap or on the swap board. Three queries."""
    first, last = _horizon(today)
    taken = busy_days(me)
    return [
        e
        for e in PublishedEntry.objects.filter(
            associate=me, kind=EntryKind.SHIFT, on__gte=first, on__lte=last
        )
        .select_related("template")
        .order_by("on")
        if e.on not in taken
    ]


def _choices(
    ctx: SwapContext,
    published: dict[int, dict[dt.date, PublishedEntry]],
    *,
    requester_id: int,
    day: dt.date,
    partners: Iterable[Associate],
    with_hand_over: bool,
) -> list[SwapChoice]:
    mine = published[requester_id]
    my_shift = mine.get(day)
    if my_shift is None or not my_shift.is_shift:
        return []
    found: list[SwapChoice] = []
    for partner in partners:
        theirs = published[partner.pk]
        on_my_day = theirs.get(day)
        options: list[SwapChoice] = []
        if on_my_day is not None and on_my_day.kind == EntryKind.DAY_OFF:
            if with_hand_over:
                options.append(SwapChoice(partner, day, None, my_shift, is_hand_over=True))
            others = sorted(
                (
                    SwapChoice(partner, other, entry, mine.get(other))
                    for other, entry in theirs.items()
                    if other != day
                    and entry.is_shift
                    and (mine_then := mine.get(other)) is not None
                    and mine_then.kind == EntryKind.DAY_OFF
                ),
                key=lambda c: abs((c.day - day).days),
            )
            options += others[: OTHER_DAYS_PER_TEAMMATE * 2]
        elif on_my_day is not None and on_my_day.is_shift and not on_my_day.same_as(my_shift):
            options.append(SwapChoice(partner, day, on_my_day, my_shift))
        valid = [
            o
            for o in options
            if not exchange_problems(
                ctx, Pair(requester_id, day, partner.pk, o.day, o.is_hand_over)
            )
        ]
        hand_over = [o for o in valid if o.is_hand_over]
        found += hand_over + [o for o in valid if not o.is_hand_over][:OTHER_DAYS_PER_TEAMMATE]
    return sorted(
        found,
        key=lambda c: (
            not c.is_hand_over,
            c.day != day,
            abs((c.day - day).days),
            c.day,
            c.heading,
            c.partner.name,
        ),
    )


def swap_choices(me: Associate, day: dt.date, today: dt.date) -> list[SwapChoice]:
    """Teammates and days I could swap my shift on `day` for: someone on other hours
    that day, or someone off that day who works a day I am off. Only pairs the
    rules and coverage allow now. Ten queries."""
    published = published_team_days(me.team, today)
    first, last = _horizon(today)
    ctx = swap_context(me.team, first, last, today=today)
    partners = [p for pk, p in ctx.people.items() if pk != me.pk]
    return _choices(
        ctx, published, requester_id=me.pk, day=day, partners=partners, with_hand_over=False
    )


def offer_choices(offer: SwapOffer, taker: Associate, today: dt.date) -> list[SwapChoice]:
    """What `taker` can give for an offered shift: nothing (a hand-over, if they are
    off that day), or one of their shifts the rules allow. Ten queries."""
    published = published_team_days(taker.team, today)
    first, last = _horizon(today)
    ctx = swap_context(taker.team, first, last, today=today)
    return _choices(
        ctx,
        published,
        requester_id=offer.offerer_id,
        day=offer.on,
        partners=[taker],
        with_hand_over=True,
    )


def swaps_of(associate: Associate, *, limit: int = 20) -> QuerySet[ShiftSwap]:
    return (
        ShiftSwap.objects.filter(Q(requester=associate) | Q(partner=associate))
        .select_related("requester__user", "partner__user")
        .order_by("-created_at")[:limit]
    )


# The swap board -------------------------------------------------------------


@dataclass(frozen=True)
class BoardOffer:
    offer: SwapOffer
    shift: PublishedEntry | None
    swap: ShiftSwap | None  # the open swap that took it, if taken


def swap_board(team: Team, today: dt.date) -> list[BoardOffer]:
    """Open and taken offers of the team for the days ahead, with the offered shift
    as its people see it. Three queries."""
    offers = list(
        SwapOffer.objects.filter(
            offerer__team=team,
            offerer__is_active=True,
            on__gt=today,
            status__in=[SwapOffer.Status.OPEN, SwapOffer.Status.TAKEN],
        ).select_related("offerer__user")
    )
    if not offers:
        return []
    shifts = {
        (e.associate_id, e.on): e
        for e in PublishedEntry.objects.filter(
            associate_id__in={o.offerer_id for o in offers}, on__in={o.on for o in offers}
        ).select_related("template")
    }
    swaps = {
        s.offer_id: s
        for s in ShiftSwap.objects.filter(
            offer__in=offers, status__in=[*ShiftSwap.OPEN, ShiftSwap.Status.APPROVED]
        ).select_related("partner__user")
    }
    return [BoardOffer(o, shifts.get((o.offerer_id, o.on)), swaps.get(o.pk)) for o in offers]


def board_member(associate_id: int | None, team: Team) -> Associate | None:
    """The viewer's roster record if they are an associate on this team (who may
    offer and take shifts on its board), else None."""
    if associate_id is None:
        return None
    return (
        Associate.objects.select_related("team__site", "user")
        .filter(pk=associate_id, team=team, is_active=True)
        .first()
    )


def offered_shift(offer: SwapOffer) -> PublishedEntry | None:
    return (
        PublishedEntry.objects.filter(associate_id=offer.offerer_id, on=offer.on)
        .select_related("template")
        .first()
    )
