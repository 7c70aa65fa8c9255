"""Scheduling's e-mails: who gets each, and bodies rendered from their templates."""

import datetime as dt

import pytest
from django.core import mail

from scheduling import notifications
from tests.factories import CompDayFactory, RotaProposalFactory

pytestmark = pytest.mark.django_db


def test_an_undraftable_rota_tells_the_leads_each_conflict_on_its_own_line(cast, team):
    proposal = RotaProposalFactory(team=team, conflicts=["Sat 12 Jan: one short", "Ada's leave"])
    assert notifications.notify_rota_draft(proposal_id=proposal.pk)
    [sent] = mail.outbox
    assert sent.to == ["lead@example.com"]
    assert sent.body.startswith(
        "The weekend rota could not be drafted:\nSat 12 Jan: one short\nAda's leave\n\n"
    )
    assert f"/teams/{team.pk}/rota/" in sent.body


def test_a_drafted_rota_counts_its_duties(cast, team):
    proposal = RotaProposalFactory(team=team, duties=[{"on": "2030-01-12"}] * 3)
    notifications.notify_rota_draft(proposal_id=proposal.pk)
    assert "A weekend rota with 3 duties is ready for your review." in mail.outbox[0].body


def test_a_vanished_proposal_sends_nothing(cast):
    assert notifications.notify_rota_draft(proposal_id=0) is False
    assert mail.outbox == []


def test_the_expiry_reminder_goes_to_the_associate_and_their_leads(cast, associate):
    comp = CompDayFactory(duty__associate=associate, expires_on=dt.date(2030, 2, 11))
    assert notifications.remind_comp_day_expiring(comp=comp)
    [sent] = mail.outbox
    assert sorted(sent.to) == ["associate@example.com", "lead@example.com"]
    assert sent.body == (
        "Ada Associate earned a weekday off by working Saturday 12 January. "
        "It is not scheduled yet and expires on Monday 11 February.\n\n— SDC Ops\n"
    )
