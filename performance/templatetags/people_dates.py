"""`{{ day|short_date }}`: "1 Jan" this year, "1 Jan 2020" any other year, so a
date never reads as if it were this year's. `{{ day|short_date:"D j M" }}` picks
the format; the year is added to it when needed."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter
def short_date(value: dt.date | None, fmt: str = "j M") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)  # as the `date` filter shows it
    day = value.date() if isinstance(value, dt.datetime) else value
    if day.year != timezone.localdate().year and "Y" not in fmt:
        fmt = f"{fmt} Y"
    return date_format(value, fmt)
