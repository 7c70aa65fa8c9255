"""Shift swaps between teammates: propose, respond, approve (rules and cover
permitting); and the swap board: offer a shift, take an offer, withdraw it.

Every check of a swap is `selectors.swaps.exchange_problems`, the same one the
lead's queue and the associate's list of choices show, run here under the team lock.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sdc_ops.celery import enqueue_on_commit
from teams.models import Associate, User

from .. import tasks
from ..models import (
    CompDay,
    EntryKind,
    PublishedEntry,
    ScheduleEntry,
    ShiftSwap,
    SwapOffer,
    WeekendDuty,
    monday_of,
)
from ..selectors.swaps import (
    SWAP_HORIZON_DAYS,
    Pair,
    busy_days,
    duties_changing_hands,
    exchange_problems,
    swap_context,
)
from .calendar import site_days
from .schedule import (
    PROTECTED_KINDS,
    Change,
    ScheduleConflict,
    check_and_write,
    lock_team,
    published_weeks,
    sync_published,
)

# Which form field a refusal is about: my shift, the teammate and day I picked,
# the offered shift on the board, or (None) the request as a whole.
MINE, THEIRS, OFFERED = "mine", "theirs", "on"


class SwapRefused(ScheduleConflict):
    """A swap or offer refused; `by_field` files each reason under the form field it is about."""

    def __init__(self, by_field: dict[str | None, list[str]]):
        self.by_field = {key: reasons for key, reasons in by_field.items() if reasons}
        super().__init__([r for reasons in self.by_field.values() for r in reasons])


def _who(person: Associate, me: Associate) -> tuple[str, str, str]:
    """How a message names someone to the person acting: ("You", "have", "are")."""
    return ("You", "have", "are") if person.pk == me.pk else (str(person), "has", "is")


def _day_problems(day: dt.date, today: dt.date) -> list[str]:
    if day <= today:
        return [f"{day:%a %-d %b %Y} has started or passed: pick a later shift."]
    if day > today + dt.timedelta(days=SWAP_HORIZON_DAYS):
        return ["Pick a shift in the next six weeks."]
    return []


def _pair_problems(
    *, pair: Pair, requester: Associate, partner: Associate, me: Associate, today: dt.date
) -> dict[str | None, list[str]]:
    """What is wrong with swapping these two people's days, filed by field: the
    requester's side ("mine"), the partner's side ("theirs")."""
    if partner.pk == requester.pk or partner.team_id != requester.team_id or not partner.is_active:
        return {THEIRS: ["Swap with someone on your own team."]}
    mine = _day_problems(pair.requester_day, today)
    theirs = (
        _day_problems(pair.partner_day, today) if pair.partner_day != pair.requester_day else []
    )
    if pair.is_hand_over and pair.partner_day != pair.requester_day:
        theirs.append("A shift is handed over on its own day.")
    if mine or theirs:
        return {MINE: mine, THEIRS: theirs}
    published = {
        (e.associate_id, e.on): e
        for e in PublishedEntry.objects.filter(
            associate__in=[requester, partner], on__in=pair.days
        ).select_related("template")
    }
    given = published.get((requester.pk, pair.requester_day))
    taken = published.get((partner.pk, pair.partner_day))
    name, has, is_ = _who(requester, me)
    if given is None or not given.is_shift:
        mine.append(f"{name} {has} no published shift on {pair.requester_day:%a %-d %b}.")
    name, has, is_ = _who(partner, me)
    if pair.is_hand_over:
        if taken is None or taken.kind != EntryKind.DAY_OFF:
            theirs.append(
                f"{name} {is_} not off on {pair.partner_day:%a %-d %b}, "
                "so cannot take the shift over."
            )
    elif taken is None or not taken.is_shift:
        theirs.append(f"{name} {has} no published shift on {pair.partner_day:%a %-d %b}.")
    elif given is not None and given.is_shift and given.same_as(taken):
        theirs.append("You both work the same shift that day: there is nothing to swap.")
    if mine or theirs:
        return {MINE: mine, THEIRS: theirs}
    ctx = swap_context(requester.team, pair.days[0], pair.days[-1], today=today)
    return {THEIRS: exchange_problems(ctx, pair)}


@transaction.atomic
def propose_swap(
    *,
    actor: User,
    requester: Associate,
    requester_day: dt.date,
    partner: Associate,
    partner_day: dt.date,
    note: str = "",
) -> ShiftSwap:
    """An associate offers their published shift for a teammate's. Refused (with
    the field each reason is about) if approving it now would be refused."""
    team = requester.team
    lock_team(team)  # one open swap or offer per shift, even on a double submit
    same = ShiftSwap.objects.filter(
        requester=requester,
        requester_day=requester_day,
        partner=partner,
        partner_day=partner_day,
        status__in=ShiftSwap.OPEN,
    ).first()
    if same is not None:
        return same  # a double submit
    today = team.site.local_today()
    pair = Pair(requester.pk, requester_day, partner.pk, partner_day)
    problems = _pair_problems(
        pair=pair, requester=requester, partner=partner, me=requester, today=today
    )
    if not any(problems.values()) and requester_day in busy_days(requester):
        problems[MINE] = [
            f"Your shift on {requester_day:%a %-d %b} is already in an open swap or on the "
            "swap board."
        ]
    if any(problems.values()):
        raise SwapRefused(problems)
    swap = ShiftSwap(
        requester=requester,
        requester_day=requester_day,
        partner=partner,
        partner_day=partner_day,
        note=note,
    )
    swap._history_user = actor  # type: ignore[attr-defined]
    swap.save()
    enqueue_on_commit(tasks.notify_swap, swap_id=swap.pk, event="proposed")
    return swap


def _set_swap_status(swap: ShiftSwap, *, actor: User, status: str, note: str = "") -> None:
    swap.status = status
    swap.decided_at = timezone.now()
    swap.decided_by = actor
    if note:
        swap.decision_note = note
    swap._history_user = actor  # type: ignore[attr-defined]
    swap.save()


def _locked_swap(swap: ShiftSwap, *, expected: tuple[str, ...] | list[str]) -> ShiftSwap | None:
    """The swap, row-locked; None if it is already past this step (a double submit)."""
    locked = (
        ShiftSwap.objects.select_for_update(of=("self",))
        .select_related("requester__user", "partner__user", "requester__team__site")
        .get(pk=swap.pk)
    )
    if locked.status in expected:
        return locked
    return None


@transaction.atomic
def respond_to_swap(*, actor: User, swap: ShiftSwap, accept: bool) -> ShiftSwap:
    locked = _locked_swap(swap, expected=[ShiftSwap.Status.PROPOSED])
    if locked is None:
        return ShiftSwap.objects.get(pk=swap.pk)
    status = ShiftSwap.Status.ACCEPTED if accept else ShiftSwap.Status.DECLINED
    _set_swap_status(locked, actor=actor, status=status)
    event = "accepted" if accept else "declined"
    enqueue_on_commit(tasks.notify_swap, swap_id=locked.pk, event=event)
    return locked


def _exchanged_cells(swap: ShiftSwap) -> list[Change]:
    """Each person gets the other's cell on each of the swap's days; refused where
    either has leave or a comp day (those move through their own requests)."""
    people = [swap.requester, swap.partner]
    cells = {
        (e.associate_id, e.on): e
        for e in ScheduleEntry.objects.filter(
            associate__in=people, on__in=swap.days
        ).select_related("template")
    }
    protected = [e for e in cells.values() if e.kind in PROTECTED_KINDS]
    if protected:
        raise ScheduleConflict(
            [
                f"{e.associate} has {e.get_kind_display().lower()} on {e.on:%a %-d %b}."
                for e in protected
            ]
        )
    return [
        Change.like(cells.get((other.pk, day)), associate=me, on=day, note=f"Swapped with {other}")
        for day in swap.days
        for me, other in ((swap.requester, swap.partner), (swap.partner, swap.requester))
    ]


@transaction.atomic
def approve_swap(*, actor: User, swap: ShiftSwap, note: str = "") -> ShiftSwap:
    """Exchange both people's cells on the swap's days, in the plan and, for
    published weeks, in what they see. Refused if any rule, coverage or the
    weekend ledger breaks, or if the cells are no longer what was agreed."""
    team = swap.requester.team
    lock_team(team)
    locked = _locked_swap(swap, expected=[ShiftSwap.Status.ACCEPTED])
    if locked is None:
        current = ShiftSwap.objects.get(pk=swap.pk)
        if current.status == ShiftSwap.Status.APPROVED:
            return current
        raise ScheduleConflict([f"This swap is {current.get_status_display().lower()}."])
    people = {locked.requester.pk: locked.requester, locked.partner.pk: locked.partner}
    days = locked.days
    pair = Pair.of(locked)
    ctx = swap_context(team, days[0], days[-1], today=team.site.local_today())
    problems = exchange_problems(ctx, pair)
    if problems:
        raise ScheduleConflict(problems)
    changes = _exchanged_cells(locked)
    moves = duties_changing_hands(ctx, pair)
    freed: list[dt.date] = []
    for duty, _to in moves:
        comp = getattr(duty, "comp_day", None)
        if comp is not None and comp.on is not None:
            # The comp day goes with the duty, unscheduled: its old date was
            # chosen for the other person's week.
            changes.append(Change(associate=people[duty.associate_id], on=comp.on, kind=None))
            freed.append(comp.on)
    check_and_write(actor=actor, team=team, changes=changes)
    for duty, to in moves:
        _move_duty(duty, to=people[to], actor=actor)
    _set_swap_status(locked, actor=actor, status=ShiftSwap.Status.APPROVED, note=note)
    published = published_weeks(team, [*days, *freed])
    now = timezone.now()
    for day in sorted({*days, *freed}):
        if monday_of(day) in published:
            sync_published(people, day, day, now=now)
    _close_stale_offers(locked, actor=actor)
    enqueue_on_commit(tasks.notify_swap, swap_id=locked.pk, event="approved")
    return locked


def _close_stale_offers(swap: ShiftSwap, *, actor: User) -> None:
    """Offers of the two people on the swapped days no longer describe their shifts."""
    stale = SwapOffer.objects.filter(
        offerer__in=[swap.requester_id, swap.partner_id],
        on__in=swap.days,
        status=SwapOffer.Status.OPEN,
    )
    for offer in stale:
        _set_offer_status(offer, actor=actor, status=SwapOffer.Status.CLOSED)


def _move_duty(duty: WeekendDuty, *, to: Associate, actor: User) -> None:
    """The ledger follows a swapped weekend shift: the duty and its comp day move
    to the person who now works it; the comp day is owed until scheduled again."""
    duty.associate = to
    duty.reason = f"swapped in for {duty.reason or 'a teammate'}"[:200]
    duty._history_user = actor  # type: ignore[attr-defined]
    duty.save()
    comp = getattr(duty, "comp_day", None)
    if comp is not None:
        comp.associate = to
        comp.on = None
        comp.status = CompDay.Status.OWED
        comp.reason = "moved with a swapped weekend shift; to be scheduled"
        comp._history_user = actor
        comp.save()


@transaction.atomic
def close_swap(*, actor: User, swap: ShiftSwap, status: str, note: str = "") -> ShiftSwap:
    """Deny (lead) or cancel (either person, or a lead) a swap that is still open.
    A swap taken from the board puts its offer back on the board, unless the
    person who offered it is the one cancelling."""
    locked = _locked_swap(swap, expected=ShiftSwap.OPEN)
    if locked is None:
        return ShiftSwap.objects.get(pk=swap.pk)
    _set_swap_status(locked, actor=actor, status=status, note=note)
    if locked.offer_id is not None:
        offer = SwapOffer.objects.select_for_update().get(pk=locked.offer_id)
        if offer.status == SwapOffer.Status.TAKEN:
            by_offerer = locked.requester.user_id == actor.pk
            today = locked.requester.team.site.local_today()
            reopen = not by_offerer and offer.on > today
            _set_offer_status(
                offer,
                actor=actor,
                status=SwapOffer.Status.OPEN if reopen else SwapOffer.Status.WITHDRAWN,
            )
    enqueue_on_commit(tasks.notify_swap, swap_id=locked.pk, event=status)
    return locked


# The swap board --------------------------------------------------------------


def _set_offer_status(offer: SwapOffer, *, actor: User, status: str) -> None:
    offer.status = status
    offer._history_user = actor  # type: ignore[attr-defined]
    offer.save()


@transaction.atomic
def offer_shift(*, actor: User, offerer: Associate, on: dt.date, note: str = "") -> SwapOffer:
    """Put one of my published shifts on the team's swap board."""
    lock_team(offerer.team)
    same = SwapOffer.objects.filter(offerer=offerer, on=on, status=SwapOffer.Status.OPEN).first()
    if same is not None:
        return same  # a double submit
    today = offerer.team.site.local_today()
    problems = _day_problems(on, today)
    if not problems:
        shift = PublishedEntry.objects.filter(
            associate=offerer, on=on, kind=EntryKind.SHIFT
        ).exists()
        if not shift:
            problems.append(f"You have no published shift on {on:%a %-d %b}.")
        elif on in busy_days(offerer):
            problems.append(
                f"Your shift on {on:%a %-d %b} is already in an open swap or on the swap board."
            )
    if problems:
        raise SwapRefused({OFFERED: problems})
    offer = SwapOffer(offerer=offerer, on=on, note=note)
    offer._history_user = actor  # type: ignore[attr-defined]
    offer.save()
    return offer


@transaction.atomic
def take_offer(
    *,
    actor: User,
    offer: SwapOffer,
    taker: Associate,
    partner_day: dt.date,
    is_hand_over: bool,
) -> ShiftSwap:
    """A teammate takes a shift from the board: a hand-over (they are off that day)
    or a swap for one of theirs. Both agree, so it goes straight to the lead.

    Two people taking one offer at once: the offer row is locked, so the second
    finds it taken and is told so (and a unique constraint is the last line)."""
    team = taker.team
    lock_team(team)
    locked = (
        SwapOffer.objects.select_for_update().select_related("offerer__team__site").get(pk=offer.pk)
    )
    if locked.status != SwapOffer.Status.OPEN:
        mine = (
            ShiftSwap.objects.filter(offer=locked, partner=taker, status__in=ShiftSwap.OPEN)
            .order_by("-created_at")
            .first()
        )
        if mine is not None:
            return mine  # a double submit of the same take
        winner = (
            ShiftSwap.objects.filter(offer=locked, status__in=ShiftSwap.OPEN)
            .select_related("partner__user")
            .first()
        )
        if locked.status == SwapOffer.Status.TAKEN and winner is not None:
            why = f"{winner.partner} took this shift first; it is no longer on the board."
        else:
            why = f"This offer is {locked.get_status_display().lower()}."
        raise SwapRefused({None: [why]})
    offerer = locked.offerer
    today = team.site.local_today()
    pair = Pair(offerer.pk, locked.on, taker.pk, partner_day, is_hand_over)
    problems = _pair_problems(pair=pair, requester=offerer, partner=taker, me=taker, today=today)
    problems = {None: problems.get(MINE, []), THEIRS: problems.get(THEIRS, [])}
    if any(problems.values()):
        raise SwapRefused(problems)
    swap = ShiftSwap(
        requester=offerer,
        requester_day=locked.on,
        partner=taker,
        partner_day=partner_day,
        is_hand_over=is_hand_over,
        offer=locked,
        note=locked.note,
        status=ShiftSwap.Status.ACCEPTED,
    )
    swap._history_user = actor  # type: ignore[attr-defined]
    swap.save()
    _set_offer_status(locked, actor=actor, status=SwapOffer.Status.TAKEN)
    enqueue_on_commit(tasks.notify_swap, swap_id=swap.pk, event="taken")
    return swap


@transaction.atomic
def withdraw_offer(*, actor: User, offer: SwapOffer) -> SwapOffer:
    """Take a shift off the board; a swap that took it and waits for the lead is
    cancelled with it. Once approved, the shift has changed hands: refused."""
    lock_team(offer.offerer.team)
    locked = SwapOffer.objects.select_for_update().get(pk=offer.pk)
    if locked.status == SwapOffer.Status.TAKEN:
        swap = ShiftSwap.objects.filter(offer=locked).order_by("-created_at").first()
        if swap is not None and swap.status == ShiftSwap.Status.APPROVED:
            raise ScheduleConflict(["The swap that took this shift is already approved."])
        if swap is not None and swap.status in ShiftSwap.OPEN:
            _set_swap_status(swap, actor=actor, status=ShiftSwap.Status.CANCELLED)
            enqueue_on_commit(tasks.notify_swap, swap_id=swap.pk, event="cancelled")
    if locked.status in (SwapOffer.Status.OPEN, SwapOffer.Status.TAKEN):
        _set_offer_status(locked, actor=actor, status=SwapOffer.Status.WITHDRAWN)
    return locked


PASSED = "Closed: its day came before it was agreed and approved."


def expire_past_swaps(today: dt.date | None = None) -> tuple[int, int]:
    """Daily: an open swap with a day that has come (today or past) can no longer
    happen, and a board offer for such a day can no longer be taken; both are closed (each site by
    its own local day, or `today` for all), so homes and queues stop asking about
    them. Row by row, so each closing is in the history. Returns (swaps, offers)."""
    swaps = offers = 0
    with transaction.atomic():
        for site, day in site_days(today):
            for swap in ShiftSwap.objects.select_for_update().filter(
                Q(requester_day__lte=day) | Q(partner_day__lte=day),
                requester__team__site=site,
                status__in=ShiftSwap.OPEN,
            ):
                swap.status, swap.decision_note = ShiftSwap.Status.CANCELLED, PASSED
                swap.save(update_fields=["status", "decision_note"])
                swaps += 1
            for offer in SwapOffer.objects.select_for_update().filter(
                offerer__team__site=site,
                on__lte=day,
                status__in=[SwapOffer.Status.OPEN, SwapOffer.Status.TAKEN],
            ):
                offer.status = SwapOffer.Status.CLOSED
                offer.save(update_fields=["status"])
                offers += 1
    return swaps, offers
