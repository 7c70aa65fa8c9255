"""Training reads: an associate's plan, a team's overview, and what the skills matrix
shows beside each level (the target, an expiring or expired certification). Each
reads a fixed number of queries."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from ..models import (
    Associate,
    AssociateSkill,
    Certification,
    RampTarget,
    Skill,
    SkillTarget,
    Team,
    TrainingAssignment,
    TrainingModule,
)

EXPIRY_WARNING_DAYS = 60  # a certification expiring within this is flagged on pages


def level_name(level: int) -> str:
    return str(AssociateSkill.Proficiency(level).label)


@dataclass(frozen=True)
class Target:
    """A level to reach by a day: a lead's SkillTarget, or a new joiner's onboarding
    ramp target ("target Proficient by 3 May" on the matrix and the associate's page)."""

    skill_id: int
    level: int
    by: dt.date
    kind: str  # "target" (SkillTarget) or "ramp" (onboarding ramp target)
    skill_name: str = ""

    @property
    def level_name(self) -> str:
        return level_name(self.level)

    @property
    def label(self) -> str:
        return f"{level_name(self.level)} by {self.by.day} {self.by:%b %Y}"

    def is_reached(self, level: int | None) -> bool:
        return (level or 0) >= self.level


@dataclass(frozen=True)
class CertificationBadge:
    expires_on: dt.date
    state: str  # "valid", "expiring" (within 60 days) or "expired"

    @property
    def label(self) -> str:
        until = f"{self.expires_on.day} {self.expires_on:%b %Y}"
        return f"expired {until}" if self.state == "expired" else f"certified until {until}"


def badge(expires_on: dt.date, today: dt.date) -> CertificationBadge:
    if expires_on < today:
        return CertificationBadge(expires_on, "expired")
    if expires_on <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
        return CertificationBadge(expires_on, "expiring")
    return CertificationBadge(expires_on, "valid")


def targets_of(associate_ids: Sequence[int]) -> dict[tuple[int, int], Target]:
    """Each associate's targets by skill: their SkillTarget, else their onboarding ramp
    target (a new joiner's). Two queries."""
    found: dict[tuple[int, int], Target] = {}
    ramps = RampTarget.objects.filter(plan__associate_id__in=associate_ids)
    for ramp in ramps.select_related("plan", "skill"):
        found[ramp.plan.associate_id, ramp.skill_id] = Target(
            ramp.skill_id, ramp.level, ramp.due_on, "ramp", ramp.skill.name
        )
    targets = SkillTarget.objects.filter(associate_id__in=associate_ids)
    for target in targets.select_related("skill"):
        found[target.associate_id, target.skill_id] = Target(
            target.skill_id, target.level, target.by_date, "target", target.skill.name
        )
    return found


@dataclass(frozen=True)
class MatrixCell:
    level: int | None
    target: Target | None
    certification: CertificationBadge | None

    @property
    def below_target(self) -> bool:
        """A target not reached yet: the matrix shows it beside the level."""
        return self.target is not None and not self.target.is_reached(self.level)


@dataclass(frozen=True)
class MatrixRow:
    associate: Associate
    cells: list[MatrixCell]


def skills_matrix(
    associates: Sequence[Associate], skills: list[Skill], *, today: dt.date
) -> list[MatrixRow]:
    """Associates × skills: the level (expects `skill_levels` prefetched), the target
    (a SkillTarget or an onboarding ramp target) and the certification badge. Three
    queries whatever the number of rows. The one skills matrix: the team page reads it."""
    ids = [a.pk for a in associates]
    targets = targets_of(ids) if ids else {}
    badges = (
        {
            (c.associate_id, c.skill_id): badge(c.expires_on, today)
            for c in Certification.objects.filter(associate_id__in=ids)
        }
        if ids
        else {}
    )
    rows = []
    for associate in associates:
        by_skill = {row.skill_id: row.level for row in associate.skill_levels.all()}
        rows.append(
            MatrixRow(
                associate,
                [
                    MatrixCell(
                        by_skill.get(skill.pk),
                        targets.get((associate.pk, skill.pk)),
                        badges.get((associate.pk, skill.pk)),
                    )
                    for skill in skills
                ],
            )
        )
    return rows


@dataclass(frozen=True)
class TrainingPlan:
    open: list[TrainingAssignment]
    done: list[TrainingAssignment]
    certifications: list[tuple[Certification, CertificationBadge]]
    targets: list[tuple[Skill, Target, int | None]]  # skill, target, current level

    def overdue_count(self, today: dt.date) -> int:
        return sum(1 for a in self.open if a.is_overdue(today))


def training_plan(associate: Associate, *, today: dt.date) -> TrainingPlan:
    """An associate's modules (open by due date, then done), certifications and
    targets. Five queries."""
    assignments = list(
        associate.training_assignments.select_related("module__skill", "done_by").order_by(
            "due_on", "pk"
        )
    )
    certifications = [
        (c, badge(c.expires_on, today))
        for c in associate.certifications.select_related("skill").order_by("expires_on")
    ]
    targets = targets_of([associate.pk])
    skills = {s.pk: s for s in Skill.objects.filter(pk__in={t.skill_id for t in targets.values()})}
    levels = dict(associate.skill_levels.values_list("skill_id", "level"))
    return TrainingPlan(
        open=[a for a in assignments if a.done_at is None],
        done=sorted(
            (a for a in assignments if a.done_at is not None),
            key=lambda a: a.done_at or a.assigned_at,
            reverse=True,
        ),
        certifications=certifications,
        targets=sorted(
            ((skills[t.skill_id], t, levels.get(t.skill_id)) for t in targets.values()),
            key=lambda row: (row[1].by, row[0].name),
        ),
    )


def team_modules(team: Team) -> QuerySet[TrainingModule]:
    """The team's modules and the center-wide ones, with how many of the team's active
    people have each open, overdue and done (one query)."""
    on_team = Q(assignments__associate__team=team, assignments__associate__is_active=True)
    return (
        TrainingModule.objects.filter(Q(team=team) | Q(team__isnull=True))
        .select_related("skill", "team")
        .annotate(
            open_count=Count("assignments", filter=on_team & Q(assignments__done_at__isnull=True)),
            done_count=Count("assignments", filter=on_team & Q(assignments__done_at__isnull=False)),
        )
        .order_by("-is_active", "skill__name", "title")
    )


@dataclass(frozen=True)
class TeamTraining:
    modules: list[TrainingModule]
    overdue: list[TrainingAssignment]
    expiring: list[tuple[Certification, CertificationBadge]]


def team_training(team: Team, *, today: dt.date) -> TeamTraining:
    """A team's modules, who is overdue, and certifications expired or expiring in
    the next 60 days. Three queries."""
    overdue = list(
        TrainingAssignment.objects.overdue_on(today)
        .filter(associate__team=team, associate__is_active=True)
        .select_related("associate__user", "module__skill")
        .order_by("due_on", "associate__user__first_name")
    )
    expiring = [
        (c, badge(c.expires_on, today))
        for c in Certification.objects.filter(
            associate__team=team,
            associate__is_active=True,
            expires_on__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS),
        )
        .select_related("associate__user", "skill")
        .order_by("expires_on")
    ]
    return TeamTraining(list(team_modules(team)), overdue, expiring)
