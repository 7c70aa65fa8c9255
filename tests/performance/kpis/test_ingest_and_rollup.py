import datetime as dt
import statistics

import pytest
from django.core.management import CommandError, call_command

from performance.models import DailyKpi, Kpi, KpiDirtyDay, KpiEvent
from performance.services import kpis as services
from performance.services import rollups as rollup_service
from tests.factories import AssociateFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 15)  # Irish summer time: UTC+1


@pytest.fixture
def kpis(db):
    specs = [
        ("solved", Kpi.Aggregation.COUNT, "higher", 40, 35),
        ("satisfaction", Kpi.Aggregation.MEAN, "higher", 4.5, 4.0),
        ("handle_median", Kpi.Aggregation.MEDIAN, "lower", 10, 15),
        ("frt_p90", Kpi.Aggregation.P90, "lower", 60, 120),
        ("adherence", Kpi.Aggregation.RATIO, "higher", 0.95, 0.9),
    ]
    return {
        key: Kpi.objects.create(
            key=key,
            name=key,
            aggregation=agg,
            direction=direction,
            target=green,
            green_at=green,
            amber_at=amber,
        )
        for key, agg, direction, green, amber in specs
    }


def row(n, associate, kpi, at, value, denominator=""):
    return {
        "external_id": f"e{n}",
        "associate": associate.user.username,
        "kpi": kpi,
        "occurred_at": at,
        "value": str(value),
        "denominator": str(denominator),
    }


def rollups(kpi):
    return {
        (r.scope, r.team_id, r.associate_id): round(r.value, 6)
        for r in DailyKpi.objects.filter(kpi=kpi, day=DAY)
    }


def figures(kpi):
    """Every stored figure of the day's rows, to compare two ways of computing them."""
    return {
        (r.scope, r.team_id, r.associate_id): (
            round(r.value, 6),
            r.numerator,
            r.denominator,
            r.event_count,
            r.contributors,
        )
        for r in DailyKpi.objects.filter(kpi=kpi, day=DAY)
    }


@pytest.fixture
def data(kpis, associate, teammate):
    values = {associate: [3, 9, 4, 12, 7], teammate: [5, 30, 2]}
    rows = []
    n = 0
    for person, numbers in values.items():
        for v in numbers:
            n += 1
            rows.append(row(n, person, "handle_median", f"2026-06-15T09:{n:02d}:00Z", v))
            rows.append(row(100 + n, person, "frt_p90", f"2026-06-15T10:{n:02d}:00Z", v * 10))
            rows.append(row(200 + n, person, "adherence", f"2026-06-15T11:{n:02d}:00Z", v, 10))
            rows.append(row(300 + n, person, "solved", f"2026-06-15T12:{n:02d}:00Z", 1))
    result = services.ingest_events(rows, source="test")
    assert result.errors == ()
    rollup_service.rollup_dirty_days()
    return values


def test_rollups_match_an_independent_computation(kpis, associate, teammate, data, team):
    everyone = data[associate] + data[teammate]
    median = rollups(kpis["handle_median"])
    assert median[("associate", team.pk, associate.pk)] == statistics.median(data[associate])
    # Team and site medians come from the events, not from the associates' medians.
    assert median[("team", team.pk, None)] == statistics.median(everyone)
    assert median[("site", None, None)] == statistics.median(everyone)
    p90 = rollups(kpis["frt_p90"])
    expected = statistics.quantiles([v * 10 for v in everyone], n=10, method="inclusive")[8]
    assert p90[("team", team.pk, None)] == round(expected, 6)
    ratio = rollups(kpis["adherence"])
    assert ratio[("associate", team.pk, teammate.pk)] == round(sum(data[teammate]) / 30, 6)
    assert rollups(kpis["solved"])[("site", None, None)] == len(everyone)


def test_the_python_fallback_agrees_with_the_database(kpis, data, site):
    compared = 0
    for kpi in kpis.values():
        from_sql = figures(kpi)
        compared += bool(from_sql)
        DailyKpi.objects.filter(kpi=kpi).delete()
        rollup_service._rollup_day_in_python(kpi=kpi, site_id=site.pk, day=DAY)
        assert figures(kpi) == from_sql
    assert compared == 4  # count, median, p90 and ratio have events in the fixture


def test_team_and_site_rows_count_their_contributors_and_events(
    kpis, associate, teammate, data, team
):
    solved = figures(kpis["solved"])
    # (value, numerator, denominator, events, contributors)
    assert solved[("associate", team.pk, associate.pk)] == (5, 5, None, 5, 1)
    assert solved[("team", team.pk, None)] == (8, 8, None, 8, 2)
    assert solved[("site", None, None)] == (8, 8, None, 8, 2)
    adherence = figures(kpis["adherence"])
    assert adherence[("team", team.pk, None)] == (round(72 / 80, 6), 72, 80, 8, 2)


def test_rolling_up_twice_changes_nothing(kpis, data, site):
    before = {k: figures(kpi) for k, kpi in kpis.items()}
    for kpi in kpis.values():
        rollup_service.rollup_day(kpi=kpi, site_id=site.pk, day=DAY)
    assert {k: figures(kpi) for k, kpi in kpis.items()} == before


def test_days_are_the_sites_local_days_including_dst(kpis, associate):
    rows = [
        row(1, associate, "solved", "2026-06-15T22:30:00Z", 1),  # 23:30 in Dublin: the 15th
        row(2, associate, "solved", "2026-06-15T23:30:00Z", 1),  # 00:30 on the 16th
        row(3, associate, "solved", "2026-03-29T00:30:00Z", 1),  # before the clocks go forward
        row(4, associate, "solved", "2026-03-29T23:30:00Z", 1),  # 00:30 IST on the 30th
    ]
    services.ingest_events(rows, source="test")
    days = dict(KpiEvent.objects.values_list("external_id", "local_date"))
    assert days == {
        "e1": dt.date(2026, 6, 15),
        "e2": dt.date(2026, 6, 16),
        "e3": dt.date(2026, 3, 29),
        "e4": dt.date(2026, 3, 30),
    }


def test_a_late_event_rerolls_only_its_day(kpis, associate, data):
    assert not KpiDirtyDay.objects.exists()
    services.ingest_events(
        [row(999, associate, "solved", "2026-06-15T16:00:00Z", 1)], source="test"
    )
    assert list(KpiDirtyDay.objects.values_list("kpi__key", "local_date")) == [("solved", DAY)]
    assert rollup_service.rollup_dirty_days() == 1
    assert DailyKpi.objects.get(kpi__key="solved", scope="site", day=DAY).value == 9


def test_duplicate_external_ids_count_once(kpis, associate):
    rows = [row(1, associate, "solved", "2026-06-15T09:00:00Z", 1)]
    first = services.ingest_events(rows, source="test")
    again = services.ingest_events(rows, source="test")
    assert (first.created, again.created, again.duplicates) == (1, 0, 1)
    assert KpiEvent.objects.count() == 1
    services.ingest_events(rows, source="another-system")  # ids are per source
    assert KpiEvent.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"external_id,associate,kpi,occurred_at,value\n", "no rows"),
        (b"id,who,what\n1,2,3\n", "Wrong columns"),
        (
            "external_id,associate,kpi,occurred_at,value\nx,associate,solved,2026-06-15T09:00:00Z,1\n".encode(
                "utf-16"
            ),
            "not UTF-8",
        ),
    ],
)
def test_unreadable_files_are_reported(content, message):
    rows, errors = services.parse_csv(content)
    assert rows == []
    assert message in str(errors[0])


def test_every_bad_row_is_reported_with_its_number_and_nothing_is_written(kpis, associate):
    text = (
        "external_id,associate,kpi,occurred_at,value,denominator\n"
        "a1,associate,solved,2026-06-15T09:00:00Z,1,\n"
        "a2,nobody,solved,2026-06-15T09:00:00Z,1,\n"
        "a3,associate,solved,2026-06-15T09:00:00Z,lots,\n"
        "a4,associate,solved,yesterday,1,\n"
        "a1,associate,solved,2026-06-15T09:00:00Z,1,\n"
        "a6,associate,adherence,2026-06-15T09:00:00Z,1,\n"
        "a7,associate,nope,2026-06-15T09:00:00Z,1,\n"
        "a8,associate,solved,2026-06-15T09:00:00,1,\n"
    )
    rows, errors = services.parse_csv(text.encode())
    assert errors == []
    result = services.ingest_events(rows, source="csv")
    messages = [str(e) for e in result.errors]
    assert messages == [
        "Row 2: unknown associate 'nobody'.",
        "Row 3: value 'lots' is not a number.",
        "Row 4: occurred_at 'yesterday' is not a date-time like 2026-11-24T14:05:00Z.",
        "Row 5: external_id 'a1' repeats row 1.",
        "Row 6: adherence is a ratio: denominator is missing.",
        "Row 7: unknown KPI 'nope'.",
        "Row 8: occurred_at needs a time zone (e.g. Z or +01:00).",
    ]
    assert not KpiEvent.objects.exists()
    assert not KpiDirtyDay.objects.exists()


def test_the_import_command(kpis, associate, tmp_path, capsys, django_capture_on_commit_callbacks):
    good = tmp_path / "good.csv"
    good.write_text(
        "external_id,associate,kpi,occurred_at,value\n"
        "c1,associate,solved,2026-06-15T09:00:00Z,1\n"
        "c2,associate,solved,2026-06-15T10:00:00Z,1\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_kpi_events", str(good))
    assert "Imported 2 events" in capsys.readouterr().out
    assert DailyKpi.objects.filter(kpi__key="solved", scope="site").get().value == 2  # eager task

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "external_id,associate,kpi,occurred_at,value\nc3,ghost,solved,2026-06-15T09:00:00Z,1\n"
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_kpi_events", str(bad))
    assert KpiEvent.objects.count() == 2


def test_large_import_is_one_bulk_write(kpis, team, django_assert_max_num_queries):
    people = [AssociateFactory(team=team) for _ in range(5)]
    rows = [
        row(n, people[n % 5], "solved", f"2026-06-15T{9 + n % 8:02d}:{n % 60:02d}:00Z", 1)
        for n in range(5000)
    ]
    with django_assert_max_num_queries(12):
        result = services.ingest_events(rows, source="bulk")
    assert result.created == 5000


def test_the_usual_kpis_are_there_from_the_start():
    assert set(Kpi.objects.values_list("key", flat=True)) >= {
        "tickets_solved",
        "csat",
        "qa_score",
        "first_response_time",
        "handle_time",
        "schedule_adherence",
    }
    assert Kpi.objects.get(key="first_response_time").aggregation == Kpi.Aggregation.P90


def test_backfill_command_rolls_up_a_range_with_progress(kpis, associate, capsys):
    services.ingest_events(
        [
            row(1, associate, "solved", "2026-06-14T10:00:00Z", 1),
            row(2, associate, "solved", "2026-06-15T10:00:00Z", 1),
        ],
        source="test",
    )
    call_command("rollup_kpis", "--from", "2026-06-14", "--to", "2026-06-15")
    out = capsys.readouterr().out
    assert "[1/2] 2026-06-14 rolled up" in out
    assert "[2/2] 2026-06-15 rolled up" in out
    assert DailyKpi.objects.filter(kpi__key="solved", scope="site").count() == 2
    with pytest.raises(CommandError, match="before --from"):
        call_command("rollup_kpis", "--from", "2026-06-15", "--to", "2026-06-14")


def test_yesterday_is_rolled_up_just_after_the_sites_midnight(kpis, associate):
    services.ingest_events([row(1, associate, "solved", "2026-06-15T10:00:00Z", 1)], source="t")
    KpiDirtyDay.objects.all().delete()
    # 23:15 UTC on the 15th is 00:15 on the 16th in Dublin (summer): time to roll up the 15th.
    assert rollup_service.roll_up_yesterday(dt.datetime(2026, 6, 15, 23, 15, tzinfo=dt.UTC)) > 0
    assert DailyKpi.objects.filter(kpi__key="solved", day=DAY, scope="site").exists()
    # An hour later it is 01:15 there: nothing to do.
    assert rollup_service.roll_up_yesterday(dt.datetime(2026, 6, 16, 0, 15, tzinfo=dt.UTC)) == 0


class TestUploadPage:
    URL = "/kpis/import/"

    def upload(self, user, text, source="csv"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.conftest import client_for

        return client_for(user).post(
            self.URL, {"file": SimpleUploadedFile("events.csv", text.encode()), "source": source}
        )

    def test_lead_imports_a_good_file(self, cast, kpis, lead, associate):
        response = self.upload(
            lead,
            "external_id,associate,kpi,occurred_at,value\n"
            "u1,associate,solved,2026-06-15T09:00:00Z,1\n",
        )
        assert "Imported 1 event" in response.content.decode()
        assert KpiEvent.objects.count() == 1

    def test_a_bad_file_lists_every_problem_and_writes_nothing(self, cast, kpis, lead, associate):
        response = self.upload(
            lead,
            "external_id,associate,kpi,occurred_at,value\n"
            "u1,associate,solved,2026-06-15T09:00:00Z,1\n"
            "u2,associate,solved,2026-06-15T09:00:00Z,x\n",
        )
        html = response.content.decode()
        assert "Nothing was imported: 1 problem" in html
        assert "Row 2: value &#x27;x&#x27; is not a number." in html
        assert not KpiEvent.objects.exists()

    def test_a_lead_cannot_upload_for_another_team(self, cast, kpis, other_lead, associate):
        response = self.upload(
            other_lead,
            "external_id,associate,kpi,occurred_at,value\n"
            "u1,associate,solved,2026-06-15T09:00:00Z,1\n",
        )
        assert "unknown associate" in response.content.decode()
        assert not KpiEvent.objects.exists()
