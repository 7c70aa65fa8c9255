"""Demo schedules for the demo center (run by `seed_demo`).

Shift templates, coverage needs and public holidays for every site, and for the
three demo teams this week and next published, the week after in draft, a few
time-off requests, and shift swaps at every step (one to answer, one for the
lead to approve, shifts on the swap board). Idempotent: it goes through the same
services as the app, which write nothing when nothing changes.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from scheduling.models import (
    CompDay,
    CoverageRequirement,
    DayKind,
    EntryKind,
    LeaveAllowance,
    PublishedEntry,
    RotaSettings,
    ScheduleEntry,
    ShiftSwap,
    ShiftTemplate,
    SwapOffer,
    TimeOffRequest,
    WeekendDuty,
    WeekendSkillNeed,
    monday_of,
)
from scheduling.services import calendar, rota, schedule, swaps, time_off
from scheduling.services.schedule import Change, ScheduleConflict
from teams.models import Associate, Site, Skill, Team, User
from teams.seeding import nobody_emailed

TEMPLATES = [
    # name, code, start, end, break, applies to
    ("Early", "E", dt.time(7, 0), dt.time(15, 30), 30, ShiftTemplate.Applies.WEEKDAY),
    ("Mid", "M", dt.time(9, 0), dt.time(17, 30), 30, ShiftTemplate.Applies.WEEKDAY),
    ("Late", "L", dt.time(10, 30), dt.time(19, 0), 30, ShiftTemplate.Applies.WEEKDAY),
    ("Weekend", "W", dt.time(9, 0), dt.time(17, 30), 30, ShiftTemplate.Applies.WEEKEND),
]
DEMO_TEAMS = 3


class Command(BaseCommand):
    help = "Create demo shift templates, coverage needs, holidays and schedules."

    def handle(self, *args: Any, **options: Any) -> None:
        for site in Site.objects.all():
            self._site(site)
        for team in Team.objects.select_related("site").order_by("pk")[:DEMO_TEAMS]:
            self._team(team)
        self.stdout.write(
            "Demo schedules ready: this week and next published, the week after in draft."
        )

    def _site(self, site: Site) -> None:
        for name, code, start, end, pause, applies in TEMPLATES:
            ShiftTemplate.objects.update_or_create(
                site=site,
                name=name,
                defaults={
                    "code": code,
                    "starts_at": start,
                    "ends_at": end,
                    "break_minutes": pause,
                    "applies_to": applies,
                },
            )
        year = site.local_today().year
        calendar.sync_public_holidays(site=site, years=[year, year + 1])

    @transaction.atomic
    def _team(self, team: Team) -> None:
        templates = {t.name: t for t in ShiftTemplate.objects.filter(site=team.site)}
        chat = Skill.objects.filter(name="Live chat").first()
        self._coverage(team, templates, chat)
        lead = team.leads.first()
        if lead is None:
            return
        people = list(team.associates.filter(is_active=True).select_related("user").order_by("pk"))
        monday = monday_of(team.site.local_today())
        holidays = set(
            team.site.public_holidays.filter(
                on__gte=monday, on__lte=monday + dt.timedelta(days=13)
            ).values_list("on", flat=True)
        )
        rotation = [templates["Early"], templates["Mid"], templates["Late"]]
        for week in (0, 1, 2):
            start = monday + dt.timedelta(days=7 * week)
            changes = []
            for index, person in enumerate(people):
                template = rotation[(index + week) % 3]
                for offset in range(7):
                    day = start + dt.timedelta(days=offset)
                    taken = ScheduleEntry.objects.filter(
                        associate=person, on=day, kind__in=schedule.PROTECTED_KINDS
                    ).exists()
                    # A weekend duty's shift (from an earlier run's rota) stays.
                    on_duty = (
                        offset >= 5
                        and WeekendDuty.objects.filter(associate=person, on=day).exists()
                    )
                    if taken or on_duty:
                        continue
                    if day in holidays:
                        changes.append(Change(associate=person, on=day, kind=EntryKind.HOLIDAY))
                    elif offset < 5:
                        changes.append(Change.shift(person, day, template))
                    else:
                        # Weekends come from the rota generator below.
                        changes.append(Change(associate=person, on=day, kind=EntryKind.DAY_OFF))
            schedule.apply_changes(actor=lead, team=team, changes=changes)
        self._rota(team, lead, people, monday, chat)
        with nobody_emailed():  # demo data
            for week in (0, 1):
                schedule.publish_week(
                    actor=lead, team=team, monday=monday + dt.timedelta(days=7 * week)
                )

        if len(people) > 6:
            self._swap_offer(offered_by=people[2], to=people[1], monday=monday)
            self._swap_for_the_lead(people[3], people[4], monday=monday)
            self._board_offers([people[5], people[6]], monday=monday)

        if len(people) > 4 and not TimeOffRequest.objects.filter(associate=people[1]).exists():
            asker = people[1]  # "associate" on the first team
            TimeOffRequest.objects.get_or_create(
                associate=asker,
                first_day=monday + dt.timedelta(days=10),  # next week's Thursday and Friday
                last_day=monday + dt.timedelta(days=11),
                defaults={"type": TimeOffRequest.Type.ANNUAL, "note": "Family wedding"},
            )
        if len(people) > 6:
            self._leave_around(team, lead, people, monday)

    @staticmethod
    def _leave_around(team: Team, lead: User, people: list[Associate], monday: dt.date) -> None:
        """Leave that overlaps the associate's request, so the lead's queue shows who
        else is off: an approved day, a pending half day and a pending long weekend
        from Thursday afternoon. Paid-leave allowances differ a little by person."""
        year = monday.year
        for index, person in enumerate(people):
            LeaveAllowance.objects.get_or_create(
                associate=person, year=year, defaults={"paid_days": (20, 22, 25)[index % 3]}
            )
            # Leave already taken this year: a week or so, some weeks ago (before the
            # plan the demo has, so it blocks no cell).
            first = monday - dt.timedelta(days=7 * (8 + index % 5))
            if (
                first.year == year
                and not TimeOffRequest.objects.filter(
                    associate=person, status=TimeOffRequest.Status.APPROVED, first_day__lt=monday
                ).exists()
            ):
                TimeOffRequest.objects.create(
                    associate=person,
                    first_day=first,
                    last_day=first + dt.timedelta(days=min(2 + index % 5, 4)),
                    type=TimeOffRequest.Type.ANNUAL,
                    status=TimeOffRequest.Status.APPROVED,
                    decided_by=lead,
                    decided_at=dt.datetime.combine(
                        first - dt.timedelta(days=14), dt.time(10), tzinfo=team.site.zone
                    ),
                    note="Holiday",
                )
        # Next week, whose draft plan has shifts to count cover from.
        thursday, friday = monday + dt.timedelta(days=10), monday + dt.timedelta(days=11)
        asks = [
            (people[3], friday, friday, "whole", "whole", "Moving house", True),
            (people[4], friday, friday, "whole", "morning", "Dentist", False),
            (people[5], thursday, friday + dt.timedelta(days=3), "afternoon", "whole", "", False),
        ]
        for person, first, last, first_part, last_part, note, approve in asks:
            if TimeOffRequest.objects.filter(associate=person, last_day__gte=monday).exists():
                continue
            request = TimeOffRequest.objects.create(
                associate=person,
                first_day=first,
                last_day=last,
                first_day_part=first_part,
                last_day_part=last_part,
                type=TimeOffRequest.Type.ANNUAL,
                note=note,
            )
            if approve:
                try:
                    with nobody_emailed():  # demo data
                        time_off.approve_time_off(actor=lead, request=request, note="Enjoy")
                except ScheduleConflict:
                    pass  # the demo's cover would not allow it: left pending

    @staticmethod
    def _swap_offer(*, offered_by: Associate, to: Associate, monday: dt.date) -> None:
        """A teammate offers "associate" a swap in the published week, so the home
        page has an offer to answer (none once this week's weekdays have passed)."""
        if ShiftSwap.objects.filter(partner=to).exists():
            return
        today = to.team.site.local_today()
        for offset in range(12):
            day = monday + dt.timedelta(days=offset)
            if day <= today or day.weekday() >= 5:
                continue
            try:
                with nobody_emailed():  # demo data
                    swaps.propose_swap(
                        actor=offered_by.user,
                        requester=offered_by,
                        requester_day=day,
                        partner=to,
                        partner_day=day,
                        note="Dentist in the morning: could we swap shifts that day?",
                    )
            except ScheduleConflict:
                continue
            return

    @staticmethod
    def _swap_for_the_lead(asker: Associate, partner: Associate, *, monday: dt.date) -> None:
        """Two teammates agree to swap hours next week: the lead's queue has one to decide."""
        if ShiftSwap.objects.filter(requester=asker).exists():
            return
        for offset in range(7, 12):
            day = monday + dt.timedelta(days=offset)
            try:
                with nobody_emailed():  # demo data
                    swap = swaps.propose_swap(
                        actor=asker.user,
                        requester=asker,
                        requester_day=day,
                        partner=partner,
                        partner_day=day,
                        note="School run that week: could I have your hours?",
                    )
                    swaps.respond_to_swap(actor=partner.user, swap=swap, accept=True)
            except ScheduleConflict:
                continue
            return

    @staticmethod
    def _board_offers(offerers: list[Associate], *, monday: dt.date) -> None:
        """Shifts on the team's swap board: a weekday next week, and a weekend duty."""
        notes = [
            "Family visit that day: happy to take one of yours.",
            "Anyone fancy my weekend day?",
        ]
        for offerer, note, wants_weekend in zip(offerers, notes, (False, True), strict=True):
            if SwapOffer.objects.filter(offerer=offerer).exists():
                continue
            shifts = PublishedEntry.objects.filter(
                associate=offerer, kind=EntryKind.SHIFT, on__gt=offerer.team.site.local_today()
            ).order_by("-on")
            for shift in shifts:
                if (shift.on.weekday() >= 5) != wants_weekend:
                    continue
                try:
                    swaps.offer_shift(actor=offerer.user, offerer=offerer, on=shift.on, note=note)
                except ScheduleConflict:
                    continue
                break

    def _coverage(
        self, team: Team, templates: dict[str, ShiftTemplate], chat: Skill | None
    ) -> None:
        needs: list[tuple[str, ShiftTemplate | None, Skill | None, int]] = [
            (DayKind.WEEKDAY, None, None, 7),
            (DayKind.WEEKDAY, templates["Early"], None, 2),
            (DayKind.WEEKDAY, templates["Late"], None, 2),
            (DayKind.WEEKEND, None, None, 2),
        ]
        if chat is not None:
            needs.append((DayKind.WEEKDAY, None, chat, 2))
        for day_kind, template, skill, count in needs:
            CoverageRequirement.objects.update_or_create(
                team=team,
                day_kind=day_kind,
                template=template,
                skill=skill,
                defaults={"min_headcount": count},
            )

    def _rota(
        self, team: Team, lead: User, people: list[Associate], monday: dt.date, chat: Skill | None
    ) -> None:
        """A year-like history of weekend duties, then a generated, accepted rota."""
        settings, _ = RotaSettings.objects.get_or_create(team=team)
        capable = sum(
            1
            for p in people
            if chat is not None and p.skill_levels.filter(skill=chat, level__gte=2)
        )
        if chat is not None and capable >= 4:
            WeekendSkillNeed.objects.get_or_create(settings=settings, skill=chat)
        if not WeekendDuty.objects.filter(associate__team=team, on__lt=monday).exists():
            # Twelve past weekends, two people a day in turn; their comp days taken.
            turn = 0
            for week in range(12, 0, -1):
                saturday = monday - dt.timedelta(days=7 * week - 5)
                for day in (saturday, saturday + dt.timedelta(days=1)):
                    for _ in range(2):
                        person = people[turn % len(people)]
                        turn += 1
                        if person.hired_on > day:
                            continue
                        duty = WeekendDuty.objects.create(
                            associate=person, on=day, reason="earlier rota"
                        )
                        CompDay.objects.create(
                            duty=duty,
                            associate=person,
                            on=saturday + dt.timedelta(days=4 + (day.weekday() - 5)),
                            status=CompDay.Status.TAKEN,
                            expires_on=day + dt.timedelta(days=30),
                        )
        if WeekendDuty.objects.filter(associate__team=team, on__gte=monday).exists():
            return
        proposal = rota.generate_rota(
            actor=lead, team=team, first=monday, last=monday + dt.timedelta(days=27)
        )
        if proposal.conflicts:
            self.stderr.write(f"{team}: {' '.join(proposal.conflicts)}")
            return
        rota.accept_rota(actor=lead, proposal=proposal)
