"""Volume history in: the CSV upload, the API and the command, one set of rules.

Every bad row is named by its line (or item) and field, and then nothing is written;
local times on DST days are read as the site's clock shows them; a stored interval
is replaced by a corrected file.
"""

import datetime as dt
import json
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from performance.models import ApiToken
from performance.models.api_tokens import new_key
from scheduling.access import VOLUME_SCOPE
from scheduling.api.serializers import MAX_VOLUMES
from scheduling.intervals import day_intervals
from scheduling.models import Queue, QueueVolume
from scheduling.services.volumes import QUOTE_MAX, ingest_csv
from tests.conftest import client_for
from tests.factories import ApiTokenFactory, QueueFactory, SkillFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")
NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # after this year's two DST days
HEADER = "queue,date,time,offered,handled,aht_seconds"
API = reverse("scheduling:api-queue-volumes")


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def chat(team):
    return QueueFactory(team=team, name="Payments chat", skill=SkillFactory(name="Live chat"))


@pytest.fixture
def email(team):
    return QueueFactory(
        team=team,
        name="Payments e-mail",
        channel=Queue.Channel.DEFERRED,
        target_seconds=4 * 3600,
        interval_minutes=15,
        skill=SkillFactory(name="Email queue"),
    )


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *lines]).encode()


def ingest(team, data: bytes, user=None):
    return ingest_csv(data, team=team, source=QueueVolume.Source.UPLOAD, submitted_by=user)


def stored(queue) -> list[tuple[dt.datetime, int, int, int | None]]:
    return list(
        QueueVolume.objects.filter(queue=queue)
        .order_by("starts_at")
        .values_list("starts_at", "offered", "handled", "handle_time_seconds")
    )


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- Good files -----------------------------------------------------------------------


def test_a_good_file_is_stored_by_utc_start_with_who_sent_it(team, lead, chat, email):
    result = ingest(
        team,
        csv_file(
            "Payments chat,2026-06-15,09:00,42,40,352",  # Irish summer time: UTC+1
            "Payments chat,2026-06-15,09:30,47,47,341.5",  # an average: rounded
            "payments E-MAIL,2026-06-15,09:45,18,15,",  # any case; 15-minute intervals
            f"{chat.pk},2026-01-15,09:00,3,0,",  # by number; winter: UTC
        ),
        lead,
    )
    assert result.problems == ()
    assert (result.created, result.replaced, result.unchanged) == (4, 0, 0)
    assert stored(chat) == [
        (at(2026, 1, 15, 9), 3, 0, None),
        (at(2026, 6, 15, 8), 42, 40, 352),
        (at(2026, 6, 15, 8, 30), 47, 47, 342),
    ]
    assert stored(email) == [(at(2026, 6, 15, 8, 45), 18, 15, None)]
    assert set(QueueVolume.objects.values_list("source", "submitted_by")) == {("upload", lead.pk)}


def test_starts_at_with_an_offset_names_the_same_intervals(team, chat):
    data = csv_file(
        "Payments chat,2026-06-15T08:00:00Z,5,5,300",
        "Payments chat,2026-06-15T09:30:00+01:00,6,6,300",
        "Payments chat,2026-06-15 05:00-04:00,7,7,",
        header="queue,starts_at,offered,handled,aht_seconds",
    )
    assert ingest(team, data).problems == ()
    assert [row[0] for row in stored(chat)] == [
        at(2026, 6, 15, 8),
        at(2026, 6, 15, 8, 30),
        at(2026, 6, 15, 9),
    ]


def test_a_dst_fall_back_file_tells_the_two_one_oclocks_apart(team, chat):
    day = "2026-10-25"  # Dublin: 02:00 IST becomes 01:00 GMT
    result = ingest(
        team,
        csv_file(
            f"Payments chat,{day},00:30,1,1,",
            f"Payments chat,{day},01:00 IST,2,2,",
            f"Payments chat,{day},01:30 +01:00,3,3,",  # or by its offset
            f"Payments chat,{day},01:00 GMT,4,4,",
            f"Payments chat,{day},01:30 UTC,5,5,",
            f"Payments chat,{day},02:00,6,6,",
        ),
    )
    assert result.problems == ()
    assert [(start, offered) for start, offered, _h, _s in stored(chat)] == [
        (at(2026, 10, 24, 23, 30), 1),
        (at(2026, 10, 25, 0, 0), 2),
        (at(2026, 10, 25, 0, 30), 3),
        (at(2026, 10, 25, 1, 0), 4),
        (at(2026, 10, 25, 1, 30), 5),
        (at(2026, 10, 25, 2, 0), 6),
    ]


def test_every_label_our_pages_write_on_a_dst_day_reads_back_as_its_interval(team, chat):
    """The labels of scheduling.intervals (50 half-hours, "01:00 IST" and "01:00 GMT")
    are what a lead copies into a file: each one names its own interval."""
    day = dt.date(2026, 10, 25)
    intervals = day_intervals(day, DUBLIN, 30)
    assert len(intervals) == 50
    lines = [f"Payments chat,{day},{i.label},1,1," for i in intervals]
    assert ingest(team, csv_file(*lines)).problems == ()
    assert [row[0] for row in stored(chat)] == [i.starts_at for i in intervals]


def test_a_repeated_time_without_its_zone_and_a_skipped_time_are_refused(team, chat):
    result = ingest(
        team,
        csv_file(
            "Payments chat,2026-10-25,01:30,3,3,",  # happens twice
            "Payments chat,2026-03-29,01:30,3,3,",  # the clocks go from 01:00 to 02:00
            "Payments chat,2026-03-29,02:00,3,3,",  # fine: the first IST half-hour
            "Payments chat,2026-06-15,09:00 GMT,3,3,",  # not what Dublin reads in June
        ),
    )
    by_line = {p.row: p for p in result.problems}
    assert set(by_line) == {2, 3, 5}
    assert by_line[2].field == "time"
    assert "happens twice" in by_line[2].message
    assert "“01:30 IST” for the first or “01:30 GMT” for the second" in by_line[2].message
    assert "does not exist: the clocks go forward" in by_line[3].message
    assert "“09:00 IST”" in by_line[5].message
    assert not QueueVolume.objects.exists()


def test_a_stored_interval_is_replaced_by_a_corrected_file_and_the_same_figures_kept(
    team, lead, other_lead, chat
):
    first = csv_file(
        "Payments chat,2026-06-15,09:00,42,40,352",
        "Payments chat,2026-06-15,09:30,47,47,341",
    )
    assert ingest(team, first, lead).created == 2
    corrected = csv_file(
        "Payments chat,2026-06-15,09:00,44,41,350",  # corrected
        "Payments chat,2026-06-15,09:30,47,47,341",  # as before
        "Payments chat,2026-06-15,10:00,50,49,",  # new
    )
    result = ingest(team, corrected, other_lead)
    assert (result.created, result.replaced, result.unchanged) == (1, 1, 1)
    assert stored(chat) == [
        (at(2026, 6, 15, 8), 44, 41, 350),
        (at(2026, 6, 15, 8, 30), 47, 47, 341),
        (at(2026, 6, 15, 9), 50, 49, None),
    ]
    senders = dict(QueueVolume.objects.values_list("starts_at", "submitted_by"))
    assert senders[at(2026, 6, 15, 8)] == other_lead.pk  # who corrected it
    assert senders[at(2026, 6, 15, 8, 30)] == lead.pk  # untouched
    again = ingest(team, corrected, other_lead)
    assert (again.created, again.replaced, again.unchanged) == (0, 0, 3)


# --- Bad rows -------------------------------------------------------------------------

LONG = "x" * 5000


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("Payments chat,2026-06-15,09:00,-3,0,", "offered", "negative"),
        ("Payments chat,2026-06-15,09:00,12.5,3,", "offered", "not a whole number"),
        ("Payments chat,2026-06-15,09:00,1_5,3,", "offered", "not a number"),
        ("Payments chat,2026-06-15,09:00,١٢,3,", "offered", "not a number"),
        ("Payments chat,2026-06-15,09:00,,3,", "offered", "offered is missing"),
        ("Payments chat,2026-06-15,09:00,9999999999,3,", "offered", "more than 1,000,000"),
        ("Payments chat,2026-06-15,09:00,3,4,", "handled", "handled (4) is more than offered (3)"),
        ("Payments chat,2026-06-15,09:00,3,abc,", "handled", "'abc' is not a number"),
        ("Payments chat,2026-06-15,09:00,3,3,-1", "aht_seconds", "negative"),
        ("Payments chat,2026-06-15,09:00,3,3,nan", "aht_seconds", "not a number of seconds"),
        ("Payments chat,2026-06-15,09:00,3,3,90000", "aht_seconds", "more than 24 hours"),
        ("Payments chat,2026-06-15,09:00,3,0,300", "aht_seconds", "no contact was handled"),
        ("Payments chat,2026-06-15,09:00,3,3,0", "aht_seconds", "leave it empty"),
        ("Payments chat\x00,2026-06-15,09:00,3,3,", "queue", "NUL byte"),
        (f"{LONG},2026-06-15,09:00,3,3,", "queue", "no queue 'xxxx"),
        ("Payments phone,2026-06-15,09:00,3,3,", "queue", "the team's queues are: Payments chat"),
        (",2026-06-15,09:00,3,3,", "queue", "queue is missing"),
        ("Payments chat,0001-01-01,09:00,3,3,", "date", "more than 5 years ago"),
        ("Payments chat,9999-12-31,23:30,3,3,", "date", "in the future"),
        ("Payments chat,2026-11-03,09:00,3,3,", "date", "in the future"),
        ("Payments chat,2026-11-02,14:00,3,3,", "time", "has not happened yet"),
        ("Payments chat,2026-02-30,09:00,3,3,", "date", "no such day"),
        ("Payments chat,15/06/2026,09:00,3,3,", "date", "not a date like 2026-03-02"),
        ("Payments chat,2026-06-15,25:00,3,3,", "time", "no such time of day"),
        ("Payments chat,2026-06-15,9 am,3,3,", "time", "not a time like 09:30"),
        ("Payments chat,2026-06-15,09:10,3,3,", "time", "not the start of one of"),
        ("Payments chat,2026-06-15,09:15,3,3,", "time", "they start at :00 and :30"),
        ("Payments chat,2026-06-15,,3,3,", "time", "time is missing"),
        ("Payments chat,,,3,3,", "date", "give date and time, or starts_at"),
    ],
)
def test_each_bad_row_is_named_by_line_and_field_and_nothing_is_written(
    team, chat, line, field, message
):
    result = ingest(team, csv_file("Payments chat,2026-06-15,10:00,5,5,300", line))
    assert [(p.row, p.field) for p in result.problems] == [(3, field)], result.problems
    assert message in result.problems[0].message
    # A value is quoted, never whole: ~80 characters at most.
    assert len(result.problems[0].message) < QUOTE_MAX + 200
    assert not QueueVolume.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-06-15T09:00:00", "needs its UTC offset"),
        ("0001-01-01T00:00:00+01:00", "out of range"),
        ("9999-12-31T23:30:00-05:00", "out of range"),
        ("9999-12-31T23:30:00+05:00", "in the future"),
        ("2026-06-15T09:00:00+15:00", "beyond ±14:00"),
        ("2026-06-31T09:00:00Z", "no such date or time"),
        ("yesterday", "not a date-time like"),
        ("2026-06-15T09:05:00Z", "not the start of one of"),
    ],
)
def test_a_bad_starts_at_is_named(team, chat, value, message):
    header = "queue,starts_at,date,time,offered,handled"
    result = ingest(team, csv_file(f"Payments chat,{value},,,3,3", header=header))
    assert [(p.row, p.field) for p in result.problems] == [(2, "starts_at")], result.problems
    assert message in result.problems[0].message


def test_starts_at_and_a_local_time_together_are_refused(team, chat):
    header = "queue,starts_at,date,time,offered,handled"
    result = ingest(
        team, csv_file("Payments chat,2026-06-15T08:00:00Z,2026-06-15,09:00,3,3", header=header)
    )
    assert "either starts_at or date and time, not both" in result.problems[0].message


def test_every_bad_row_of_a_file_is_listed_not_only_the_first(team, chat):
    result = ingest(
        team,
        csv_file(
            "Payments chat,2026-06-15,09:00,-1,0,",
            "Payments chat,2026-06-15,09:30,3,3,",
            "Payments chat,2026-06-15,10:00,x,y,",
        ),
    )
    assert [(p.row, p.field) for p in result.problems] == [
        (2, "offered"),
        (4, "offered"),
        (4, "handled"),
    ]
    assert not QueueVolume.objects.exists()


def test_the_same_interval_twice_in_a_file_names_both_lines(team, chat):
    result = ingest(
        team,
        csv_file(
            "Payments chat,2026-06-15,09:00,3,3,",
            "Payments chat,2026-06-15,09:30,3,3,",
            f"{chat.pk},2026-06-15,09:00,4,4,",  # the same queue by number
        ),
    )
    assert [(p.row, p.field) for p in result.problems] == [(4, "queue")]
    assert "the same interval as line 2 (Payments chat, 2026-06-15 09:00 IST)" in (
        result.problems[0].message
    )
    assert not QueueVolume.objects.exists()


def test_another_teams_queue_is_unknown_by_name_and_by_number(team, other_team, chat):
    theirs = QueueFactory(team=other_team, name="Connect chat")
    result = ingest(
        team,
        csv_file("Connect chat,2026-06-15,09:00,3,3,", f"{theirs.pk},2026-06-15,09:00,3,3,"),
    )
    assert [(p.row, p.field) for p in result.problems] == [(2, "queue"), (3, "queue")]
    assert not QueueVolume.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"\n\n", "The file is empty"),
        (HEADER.encode() + b"\n", "a header but no rows"),
        (b"queue,date,time,offered,handled,agent\nx,y,z,1,1,1", "not known: agent"),
        (b"queue,date,time,offered\nx,y,z,1", "missing: handled"),
        (b"queue,date,offered,handled\nx,y,1,1", "missing: time"),
        (b"queue,date,time,offered,handled,handled\nx,y,z,1,1,1", "Each column once"),
        (b"queue,,date,time,offered,handled\nx,,y,z,1,1", "Column 2 of the header has no name"),
        ("queue,date\n".encode("utf-16"), "not UTF-8"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_whole(team, chat, data, message):
    result = ingest(team, data)
    assert len(result.problems) == 1
    assert message in result.problems[0].message
    assert not QueueVolume.objects.exists()


def test_a_cell_over_the_csv_field_limit_and_a_row_with_too_many_cells(team, chat):
    huge = csv_file("Payments chat,2026-06-15,09:00,3,3,", f'"{"9" * 200_000}",x,y,1,1,')
    result = ingest(team, huge)
    assert [p.row for p in result.problems] == [3]
    assert "cannot be read" in result.problems[0].message
    assert len(result.problems[0].message) < 200
    extra = ingest(team, csv_file("Payments chat,2026-06-15,09:00,3,3,,surplus"))
    assert [p.row for p in extra.problems] == [2]
    assert "7 cells, but the header names 6 columns" in extra.problems[0].message
    assert not QueueVolume.objects.exists()


def test_line_numbers_count_the_files_lines_across_quoted_line_breaks_and_blank_lines(team, chat):
    data = csv_file(
        "Payments chat,2026-06-15,09:00,3,3,",
        "",
        '"Payments\nchat",2026-06-15,09:30,3,3,',  # lines 4 and 5
        "Payments chat,2026-06-15,10:00,-1,0,",  # line 6
    )
    problems = ingest(team, data).problems
    assert [(p.row, p.field) for p in problems] == [(4, "queue"), (6, "offered")]


# --- The upload page --------------------------------------------------------------------


def upload_url(team) -> str:
    return reverse("scheduling:volume-upload", kwargs={"team_id": team.pk})


def upload(client, team, data: bytes):
    return client.post(upload_url(team), {"file": SimpleUploadedFile("volumes.csv", data)})


def test_the_lead_uploads_and_sees_what_was_stored(team, lead, chat):
    client = client_for(lead)
    data = csv_file(
        "Payments chat,2026-11-01,09:00,42,40,352", "Payments chat,2026-11-01,09:30,8,8,"
    )
    page = upload(client, team, data)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Imported: 2 intervals added, 0 replaced" in body
    summary = page.context["summary"]
    sunday = summary.queues[0].days[-1]
    assert (sunday.day, sunday.offered, sunday.handled, sunday.intervals) == (
        dt.date(2026, 11, 1),
        50,
        48,
        2,
    )
    assert summary.queues[0].missing_days == 13
    again = upload(client, team, csv_file("Payments chat,2026-11-01,09:00,43,40,352"))
    assert "1 replaced" in again.content.decode()
    assert QueueVolume.objects.get(starts_at=at(2026, 11, 1, 9)).source == "upload"


def test_the_page_lists_every_problem_and_writes_nothing(team, lead, chat):
    page = upload(
        client_for(lead),
        team,
        csv_file("Payments chat,2026-11-01,09:00,42,43,", "Payments chat,2026-11-01,09:10,1,1,"),
    )
    body = page.content.decode()
    assert "Nothing was imported: 2 problems" in body
    assert "Line 2 (handled): handled (43) is more than offered (42)." in body
    assert "Line 3 (time):" in body
    assert not QueueVolume.objects.exists()


def test_the_page_explains_the_columns_and_managers_only_read_it(team, manager, chat):
    client = client_for(manager)
    page = client.get(upload_url(team))
    body = page.content.decode()
    assert page.status_code == 200
    assert "01:00 GMT" in body  # the columns help
    assert "aht_seconds" in body
    assert 'type="file"' not in body
    assert upload(client, team, csv_file("Payments chat,2026-11-01,09:00,1,1,")).status_code == 403
    assert not QueueVolume.objects.exists()


def test_an_upload_without_a_file_is_a_form_error(team, lead):
    page = client_for(lead).post(upload_url(team), {})
    assert "Choose the CSV file to upload." in page.content.decode()


def test_the_upload_page_has_a_fixed_query_budget(team, lead, site, django_assert_max_num_queries):
    queues = [QueueFactory(team=team, name=f"Queue {n}") for n in range(6)]
    start = at(2026, 10, 19, 7)
    QueueVolume.objects.bulk_create(
        QueueVolume(
            queue=queue,
            starts_at=start + dt.timedelta(days=day, minutes=30 * slot),
            offered=10,
            handled=9,
            source="upload",
        )
        for queue in queues
        for day in range(14)
        for slot in range(24)
    )
    client = client_for(lead)
    with django_assert_max_num_queries(7):
        page = client.get(upload_url(team))
    assert [q.offered for q in page.context["summary"].queues] == [10 * 24 * 14] * 6
    lines = [f"Queue 0,2026-10-20,{h:02}:{m:02},5,5,200" for h in range(24) for m in (0, 30)]
    with django_assert_max_num_queries(12):
        page = upload(client, team, csv_file(*lines))
    result = page.context["result"]
    # 07:00–18:30 UTC of that day were stored: replaced; the rest is new.
    assert (result.created, result.replaced) == (24, 24)


# --- The command --------------------------------------------------------------------


def test_the_command_imports_as_a_lead_or_as_the_system(tmp_path, team, lead, chat, capsys):
    path = tmp_path / "volumes.csv"
    path.write_bytes(csv_file("Payments chat,2026-06-15,09:00,42,40,352"))
    call_command("import_volumes", str(path), "--team", str(team.pk), "--as", "lead")
    volume = QueueVolume.objects.get()
    assert (volume.source, volume.submitted_by) == ("command", lead)
    assert "1 interval(s) added, 0 replaced" in capsys.readouterr().out
    path.write_bytes(csv_file("Payments chat,2026-06-15,09:00,44,40,352"))
    call_command("import_volumes", str(path), "--team", team.name)
    volume.refresh_from_db()
    assert (volume.offered, volume.submitted_by) == (44, None)


def test_the_command_lists_every_problem_and_refuses_who_may_not(
    tmp_path, team, manager, chat, capsys
):
    path = tmp_path / "volumes.csv"
    path.write_bytes(csv_file("Payments chat,2026-06-15,09:00,-1,0,", "x,2026-06-15,09:30,1,1,"))
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_volumes", str(path), "--team", str(team.pk))
    err = capsys.readouterr().err
    assert "Line 2: offered '-1' is negative" in err
    assert "Line 3: no queue 'x'" in err
    with pytest.raises(CommandError, match="may not import volumes for Payments"):
        call_command("import_volumes", str(path), "--team", str(team.pk), "--as", "manager")
    with pytest.raises(CommandError, match="No team"):
        call_command("import_volumes", str(path), "--team", "Nowhere")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_volumes", str(tmp_path / "none.csv"), "--team", str(team.pk))
    assert not QueueVolume.objects.exists()


# --- The API ----------------------------------------------------------------------


def api_for(user, **scopes: bool) -> APIClient:
    """A client with a new token of `user` (the volume scope unless `scopes` say)."""
    client = APIClient()
    key = new_key()
    flags = {"has_read_scope": False, "has_write_scope": False, "has_volume_scope": True}
    ApiTokenFactory(user=user, key=key, **(flags | scopes))
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def item(**changes: object) -> dict[str, object]:
    return {
        "queue": "Payments chat",
        "starts_at": "2026-06-15T08:00:00Z",
        "offered": 42,
        "handled": 40,
        "aht_seconds": 352.4,
    } | changes


def test_a_lead_posts_volumes_with_a_token(team, lead, chat):
    body = {
        "team": team.pk,
        "volumes": [
            item(),
            # By number, at the site's time (null is as good as left out).
            item(queue=chat.pk, starts_at=None, date="2026-10-25", time="01:00 GMT"),
        ],
    }
    response = api_for(lead).post(API, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 2, "replaced": 0, "unchanged": 0}
    assert stored(chat) == [(at(2026, 6, 15, 8), 42, 40, 352), (at(2026, 10, 25, 1), 42, 40, 352)]
    assert set(QueueVolume.objects.values_list("source", "submitted_by")) == {("api", lead.pk)}
    again = api_for(lead).post(API, body, format="json")
    assert (again.status_code, again.json()["unchanged"]) == (200, 2)


def test_bad_intervals_are_a_400_naming_each_item_and_field(team, lead, chat):
    body = {
        "team": team.pk,
        "volumes": [
            item(),
            item(offered=12.5),
            item(handled=True),
            "not an object",
            item(agent="Ada", starts_at="2026-06-15T08:00:00"),
            item(starts_at="2026-06-15T08:30:00Z", offered=3, handled=4),
            item(),  # the first again
            item(starts_at="2026-06-15T09:00:00Z", offered="12", handled=3),  # JSON: numbers
        ],
    }
    response = api_for(lead).post(API, body, format="json")
    assert response.status_code == 400
    errors = [(e["row"], e.get("field"), e["message"]) for e in response.json()["errors"]]
    assert [(row, field) for row, field, _m in errors] == [
        (2, "offered"),
        (3, "handled"),
        (4, None),
        (5, "agent"),
        (5, "starts_at"),
        (6, "handled"),
        (7, "queue"),
        (8, "offered"),
    ]
    assert "the same interval as item 1" in errors[6][2]
    assert errors[7][2] == "offered must be a JSON number, not a string."
    assert response.json()["detail"] == "Nothing was written: 8 problems in the intervals."
    assert not QueueVolume.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ({"volumes": [item()]}, "team"),
        ({"team": True, "volumes": [item()]}, "team"),
        ({"team": "1", "volumes": [item()]}, "team"),
        ({"team": 1, "volumes": []}, "volumes"),
        ({"team": 1, "volumes": {"a": 1}}, "volumes"),
        ({"team": 1, "volumes": [item()], "source": "x"}, "source"),
        ({"team": 1, "volumes": [{}] * (MAX_VOLUMES + 1)}, "volumes"),
    ],
)
def test_a_body_of_the_wrong_shape_is_a_400(team, lead, chat, body, field):
    response = api_for(lead).post(API, body, format="json")
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]


def test_malformed_json_is_a_400_never_a_500(team, lead, chat):
    client = api_for(lead)
    bad = client.post(API, "{not json", content_type="application/json")
    assert bad.status_code == 400
    deep = client.post(API, "[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert deep.status_code == 400
    assert client.post(API, "team=1", content_type="text/plain").status_code == 415


def test_who_may_post_and_with_which_token(team, other_team, lead, manager, associate, chat):
    body = {"team": team.pk, "volumes": [item()]}
    assert APIClient().post(API, body, format="json").status_code == 401
    kpi_only = api_for(lead, has_write_scope=True, has_volume_scope=False)
    refused = kpi_only.post(API, body, format="json")
    assert refused.status_code == 403
    assert "does not have the write_volumes scope" in refused.json()["detail"]
    assert api_for(manager).post(API, body, format="json").status_code == 403
    assert api_for(associate.user).post(API, body, format="json").status_code == 403
    theirs = api_for(lead).post(API, {"team": other_team.pk, "volumes": [item()]}, format="json")
    assert theirs.status_code == 404
    assert not QueueVolume.objects.exists()
    # A lead who only manages a team reads it but posts nothing to it.
    other_team.manager = lead
    other_team.save()
    assert (
        api_for(lead)
        .post(API, {"team": other_team.pk, "volumes": [item()]}, format="json")
        .status_code
        == 403
    )


def test_the_token_scope_is_the_one_scheduling_asks_for(team, lead):
    assert ApiToken.Scope.WRITE_VOLUMES.value == VOLUME_SCOPE
    page = client_for(lead).get(reverse("performance:api-token")).content.decode()
    assert "Post queue volumes" in page


def test_the_schema_describes_the_volume_endpoint(db):
    schema = APIClient().get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/queue-volumes/"]["post"]
    assert {"200", "201", "400", "401", "403", "404"} <= set(operation["responses"])
    assert "write_volumes" in operation["description"]
    assert json.dumps(operation).count("01:00 GMT") >= 1
