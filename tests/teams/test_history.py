"""teams.history.changes: the one helper behind every change-history page."""

import datetime as dt

import pytest

from performance.models import Goal
from teams.history import changes

pytestmark = pytest.mark.django_db

FIELDS = {"title": "title", "status": "status"}


def _history(goal):
    return list(goal.history.order_by("-history_date", "-history_id"))


@pytest.fixture
def edited(associate, lead):
    goal = Goal(
        associate=associate,
        title="Lift CSAT",
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2026, 12, 31),
        target_value=4.6,
        created_by=lead,
    )
    goal.save()
    for title in ("Lift CSAT to 4.6", "Lift CSAT to 4.7"):
        goal.title = title
        goal._history_user = lead
        goal._change_reason = f"now {title}"
        goal.save()
    return goal


def test_each_row_holds_the_fields_that_changed_against_the_version_before(edited, lead):
    rows = changes(_history(edited), FIELDS)
    assert [r.what for r in rows] == ["now Lift CSAT to 4.7", "now Lift CSAT to 4.6", "created"]
    assert rows[0].user == lead
    assert [(f.label, f.before, f.after) for f in rows[0].fields] == [
        ("title", "Lift CSAT to 4.6", "Lift CSAT to 4.7")
    ]
    # The first version lists what it was created with, and choices read as labels.
    assert [(f.label, f.before, f.after) for f in rows[-1].fields] == [
        ("title", "", "Lift CSAT"),
        ("status", "", "On track"),
    ]


def test_limit_keeps_the_before_of_the_oldest_row_shown(edited):
    rows = changes(_history(edited), FIELDS, limit=1)
    assert len(rows) == 1
    assert rows[0].fields[0].before == "Lift CSAT to 4.6"


def test_a_field_hidden_in_a_version_is_left_out_of_its_rows(edited):
    def hide(record, name):
        return name == "title" and record.title == "Lift CSAT to 4.6"

    rows = changes(_history(edited), FIELDS, hide=hide)
    # Hidden in the middle version: neither the change to it nor the one from it shows.
    assert [len(r.fields) for r in rows] == [0, 0, 2]


def test_a_page_of_several_records_names_each_rows_subject(edited):
    rows = changes(_history(edited), FIELDS, subject=lambda record: f"goal {record.id}")
    assert {r.subject for r in rows} == {f"goal {edited.pk}"}
