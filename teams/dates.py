"""Dates people type: each field has a sensible range around today, so a slip of
the keyboard (9999-12-31, 0001-01-01) is a field error, never a 500 later."""

import datetime as dt

from django import forms
from django.utils import timezone

YEAR = dt.timedelta(days=366)


def date_range(
    *, past: dt.timedelta, future: dt.timedelta, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The first and last day allowed, `past` before and `future` after today."""
    today = today or timezone.localdate()
    return today - past, today + future


def check_date(
    day: dt.date,
    *,
    past: dt.timedelta,
    future: dt.timedelta,
    today: dt.date | None = None,
    what: str = "a date",
) -> dt.date:
    """`day`, or a ValidationError naming the range it must be in."""
    first, last = date_range(past=past, future=future, today=today)
    if not first <= day <= last:
        raise forms.ValidationError(
            f"Choose {what} between {first:%-d %b %Y} and {last:%-d %b %Y}.", code="out_of_range"
        )
    return day


def in_range(
    day: dt.date, *, past: dt.timedelta, future: dt.timedelta, today: dt.date | None = None
) -> bool:
    first, last = date_range(past=past, future=future, today=today)
    return first <= day <= last
