"""A data-access export: everything held about one associate, as one .zip.

One JSON file per part (teams' own parts and those the other apps register in
`teams.selectors.subject_export_providers`) and a README.txt manifest saying
what is included, what is left out and why. Built in memory: a person's records
are a few megabytes at most.
"""

import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .models import Associate, User
from .selectors import ExportPart, subject_export_parts

ALWAYS_EXCLUDED = (
    "Private 1:1 notes: a private note is its author's alone (not the associate's, not"
    " a manager's, not an ops admin's), so no export contains one.",
    "Private feedback: kept by its author only; feedback shared with the associate is included.",
    "Other people's records, team and site aggregates: they are about the team, not this person.",
)


def export_filename(associate: Associate) -> str:
    return f"sdc-ops-data-export-associate-{associate.pk}.zip"


def build_subject_export(*, associate: Associate, actor: User) -> bytes:
    parts = subject_export_parts(associate)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in parts:
            archive.writestr(
                f"{part.name}.json",
                json.dumps(part.rows, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
            )
        archive.writestr("README.txt", _manifest(associate, actor, parts))
    return buffer.getvalue()


def _manifest(associate: Associate, actor: User, parts: list[ExportPart]) -> str:
    lines = [
        "SDC Ops: data-access export",
        f"Associate #{associate.pk}: {associate.name}",
        f"Made {timezone.now().isoformat(timespec='seconds')} by {actor.username}",
        "",
        "Included (one JSON file each; ids refer to rows in the other files):",
    ]
    for part in parts:
        lines.append(f"- {part.name}.json ({len(part.rows)} rows): {part.description}")
    lines += ["", "Left out, and why:"]
    lines += [f"- {reason}" for reason in ALWAYS_EXCLUDED]
    lines += [f"- {part.name}: {part.excluded}" for part in parts if part.excluded]
    return "\n".join(lines) + "\n"
