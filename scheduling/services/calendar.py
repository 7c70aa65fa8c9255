"""The iCal feed's token and the public-holiday calendar."""

import datetime as dt
from collections.abc import Iterable

import holidays as holiday_calendars
from django.db import transaction

from teams.models import Associate, Site

from ..models import CalendarFeed, PublicHoliday


@transaction.atomic
def rotate_calendar_feed(*, associate: Associate) -> CalendarFeed:
    """Create the feed, or replace its token so the old URL stops working."""
    feed, created = CalendarFeed.objects.get_or_create(
        associate=associate, defaults={"token": CalendarFeed.new_token()}
    )
    if not created:
        feed.token = CalendarFeed.new_token()
        feed.save(update_fields=["token", "created_at"])
    return feed


def revoke_calendar_feed(*, associate: Associate) -> bool:
    deleted, _ = CalendarFeed.objects.filter(associate=associate).delete()
    return bool(deleted)


def sync_public_holidays(*, site: Site, years: Iterable[int]) -> int:
    """Add the country's public holidays for the years; edited or removed ones stay as edited."""
    created = 0
    calendar = holiday_calendars.country_holidays(site.country, years=list(years))
    existing = set(PublicHoliday.objects.filter(site=site).values_list("on", flat=True))
    for on, name in sorted(calendar.items()):
        if on not in existing:
            PublicHoliday.objects.create(site=site, on=on, name=name)
            created += 1
    return created


def sync_all_public_holidays() -> int:
    """This and next year's holidays for every site, by the site's own calendar year.
    Idempotent: holidays already there (or edited by an admin) stay as they are."""
    created = 0
    for site in Site.objects.all():
        year = site.local_today().year
        created += sync_public_holidays(site=site, years=[year, year + 1])
    return created


def site_days(today: dt.date | None = None) -> list[tuple[Site, dt.date]]:
    """Each site with the day a daily job works on: `today` if given (tests, replays),
    else the site's own local date, which near midnight is not the server's."""
    return [(site, today or site.local_today()) for site in Site.objects.order_by("pk")]
