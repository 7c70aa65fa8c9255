"""bench/rota.py (issue 12, point 5): its instance has the site's holidays and people
who join or leave, and --out writes all a second program needs to check the plan."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_rota_bench_writes_a_plan_an_outside_checker_can_verify(tmp_path):
    out = tmp_path / "plan.json"
    run = subprocess.run(
        [sys.executable, "bench/rota.py", "--associates", "120", "--weeks", "13", "--out", out],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    assert "violations        0" in run.stdout
    data = json.loads(out.read_text())
    problem = data["problem"]
    holidays = set(problem["holidays"])
    assert {"2027-02-01", "2027-03-17", "2027-03-29"} <= holidays  # Brigid, Patrick, Easter
    people = {p["id"]: p for p in problem["people"]}
    for field in ("hired_on", "left_on", "last_weekend", "off_days", "unavailable"):
        assert all(field in p for p in people.values())
    assert any(p["left_on"] for p in people.values())
    assert any(p["hired_on"] >= "2027-01-04" for p in people.values())
    assert problem["spare_cover"]
    for duty in data["plan"]:
        person = people[duty["person"]]
        assert duty["comp_on"] not in holidays
        assert person["hired_on"] <= duty["on"]
        assert person["hired_on"] <= duty["comp_on"]
        if person["left_on"]:
            assert duty["comp_on"] < person["left_on"]
            assert duty["on"] < person["left_on"]
