"""Candidates: added to an open requisition (with their application), changed, and
their CV checked and kept in the private storage.

A CV is refused, and nothing is stored (no row, no file), when it is larger than
HIRING_CV_MAX_BYTES, when its type is not a PDF, DOCX or DOC by both its extension
and its first bytes, or when its name carries a path (`/`, `\\`, `..`) or a control
character. The file is stored under a random name; `cv_name` keeps the (checked)
name it came with, offered again on download.
"""

import logging
import os
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from .. import audit
from ..access import can_change_team, roles_for
from ..models import Application, AuditEvent, Candidate, Requisition, StageChange, User

logger = logging.getLogger(__name__)

# The first bytes each accepted type must start with (its "magic number").
CV_SIGNATURES: dict[str, bytes] = {
    ".pdf": b"%PDF-",
    ".docx": b"PK\x03\x04",  # a DOCX is a zip
    ".doc": bytes.fromhex("D0CF11E0A1B11AE1"),  # OLE compound file
}
CV_NAME_CHARS = 120


class CandidateRefused(Exception):
    """The candidate cannot be added or changed; the message says why."""


def _quoted(name: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in name)
    return shown[:80]


def check_cv_name(raw_name: str) -> str:
    """The name an upload came with, if it is a plain file name; else a ValidationError."""
    if (
        not raw_name
        or "/" in raw_name
        or "\\" in raw_name
        or ".." in raw_name
        or any(unicodedata.category(c) in {"Cc", "Cf"} for c in raw_name)
    ):
        raise ValidationError(
            "A file named %(name)s cannot be taken: give the CV a plain file name "
            "(no folders, no “..”, no control characters).",
            code="cv_name",
            params={"name": _quoted(raw_name) or "(no name)"},
        )
    stem, ext = os.path.splitext(raw_name)
    if len(raw_name) > CV_NAME_CHARS:  # keep the extension, shorten the rest
        raw_name = stem[: CV_NAME_CHARS - len(ext)] + ext
    return raw_name


def check_cv(upload: UploadedFile, *, raw_name: str | None = None) -> str:
    """Check a CV's name, size and type; return the name to keep (`cv_name`).
    Raises ValidationError with a message for the person."""
    name = check_cv_name(raw_name if raw_name is not None else (upload.name or ""))
    limit = settings.HIRING_CV_MAX_BYTES
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            "The CV is %(size)s; the limit is %(limit)s.",
            code="cv_size",
            params={"size": _megabytes(size), "limit": _megabytes(limit)},
        )
    if size == 0:
        raise ValidationError("The CV file is empty.", code="cv_empty")
    ext = os.path.splitext(name)[1].lower()
    signature = CV_SIGNATURES.get(ext)
    if signature is None:
        raise ValidationError(
            "A CV must be a PDF, a Word document (.docx) or an older Word file (.doc).",
            code="cv_type",
        )
    upload.seek(0)
    head = upload.read(len(signature))
    upload.seek(0)
    if head != signature:
        raise ValidationError(
            "This file is not a real %(ext)s: its content does not match its name.",
            code="cv_content",
            params={"ext": ext.lstrip(".").upper()},
        )
    return name


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class CandidateDetails:
    name: str
    email: str = ""
    phone: str = ""
    source: str = Candidate.Source.CAREERS_SITE
    notes: str = ""


def _store_cv(candidate: Candidate, upload: UploadedFile, cv_name: str) -> str:
    """Save the file under a random name (upload_to adds cvs/<year>/<month>/)."""
    ext = os.path.splitext(cv_name)[1].lower()
    upload.seek(0)
    candidate.cv.save(f"{secrets.token_hex(16)}{ext}", upload, save=False)
    candidate.cv_name = cv_name
    return candidate.cv.name or ""


def _delete_file(name: str) -> None:
    if name:
        candidate_storage = Candidate._meta.get_field("cv").storage
        candidate_storage.delete(name)


def delete_cv_after_commit(sender: type[Candidate], instance: Candidate, **kwargs: Any) -> None:
    """post_delete of a candidate, however deleted (the admin, a cascade, the shell):
    its CV leaves the private storage once the delete commits; a delete rolled back
    keeps it. A file that cannot be deleted is logged, never raised into the delete
    that committed. (teams/apps.py connects it.)"""
    name = instance.cv.name if instance.cv else ""
    if not name:
        return
    storage = instance.cv.storage

    def delete() -> None:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("CV file %s of deleted candidate %s not deleted", name, instance.pk)

    transaction.on_commit(delete, using=kwargs.get("using"))


def _refuse_text(value: str, what: str) -> None:
    if "\x00" in value:
        raise CandidateRefused(f"The {what} holds a NUL character.")


def add_candidate(
    *,
    actor: User,
    requisition: Requisition,
    name: str,
    email: str = "",
    phone: str = "",
    source: str = Candidate.Source.CAREERS_SITE,
    notes: str = "",
    cv: UploadedFile | None = None,
    cv_raw_name: str | None = None,
) -> Application:
    """A candidate and their application (applied) to an open requisition."""
    if not can_change_team(actor, requisition.team_id):
        raise PermissionDenied("Only the team's lead can add candidates.")
    name, email = name.strip(), email.strip().lower()
    for value, what in ((name, "name"), (email, "e-mail"), (phone, "phone"), (notes, "notes")):
        _refuse_text(value, what)
    if not name:
        raise CandidateRefused("Give the candidate's name.")
    if source not in Candidate.Source.values:
        raise CandidateRefused("Choose where the candidate came from.")
    cv_name = ""
    if cv is not None:
        try:
            cv_name = check_cv(cv, raw_name=cv_raw_name)
        except ValidationError as error:
            raise CandidateRefused(" ".join(error.messages)) from None
    stored = ""
    try:
        with transaction.atomic():
            locked = Requisition.objects.select_for_update().get(pk=requisition.pk)
            if locked.status != Requisition.Status.OPEN:
                raise CandidateRefused(
                    f"The requisition is {locked.get_status_display().lower()}: "
                    "candidates are added only while it is open."
                )
            if (
                email
                and Application.objects.filter(
                    requisition=locked, candidate__email__iexact=email
                ).exists()
            ):
                raise CandidateRefused(
                    f"Someone with the e-mail {email[:80]} has already applied to this requisition."
                )
            candidate = Candidate(
                name=name,
                email=email,
                phone=phone.strip(),
                source=source,
                notes=notes.strip(),
                created_by=actor,
            )
            if cv is not None:
                stored = _store_cv(candidate, cv, cv_name)
            candidate.full_clean(exclude=["cv", "created_by"])
            candidate.save()
            application = Application.objects.create(
                candidate=candidate,
                requisition=locked,
                source=candidate.source,
                stage=Application.Stage.APPLIED,
                stage_changed_at=candidate.created_at,
            )
            StageChange.objects.create(
                application=application,
                from_stage="",
                to_stage=Application.Stage.APPLIED,
                changed_by=actor,
                changed_at=candidate.created_at,
            )
            audit.record(
                action=AuditEvent.Action.CANDIDATE_ADDED,
                actor=actor,
                target=candidate,
                team=locked.team,
                details={"requisition": locked.pk, "application": application.pk},
            )
    except ValidationError as error:
        _delete_file(stored)
        raise CandidateRefused(" ".join(error.messages)) from None
    except BaseException:
        _delete_file(stored)
        raise
    application.candidate = candidate
    return application


CHANGEABLE = ("name", "email", "phone", "source", "notes")


def update_candidate(
    *,
    actor: User,
    candidate: Candidate,
    name: str,
    email: str = "",
    phone: str = "",
    source: str = Candidate.Source.CAREERS_SITE,
    notes: str = "",
    cv: UploadedFile | None = None,
    cv_raw_name: str | None = None,
) -> list[str]:
    """Change a candidate's details (and replace their CV); the changed field names."""
    team_ids = list(
        Application.objects.filter(candidate=candidate).values_list(
            "requisition__team_id", flat=True
        )
    )
    if not (roles_for(actor).is_admin or any(can_change_team(actor, t) for t in team_ids)):
        raise PermissionDenied("Only the team's lead can change this candidate.")
    if candidate.anonymised_at is not None:
        raise CandidateRefused("This candidate was anonymised; there is nothing to change.")
    values = {
        "name": name.strip(),
        "email": email.strip().lower(),
        "phone": phone.strip(),
        "source": source,
        "notes": notes.strip(),
    }
    for field, value in values.items():
        _refuse_text(value, field)
    if not values["name"]:
        raise CandidateRefused("Give the candidate's name.")
    if source not in Candidate.Source.values:
        raise CandidateRefused("Choose where the candidate came from.")
    cv_name = ""
    if cv is not None:
        try:
            cv_name = check_cv(cv, raw_name=cv_raw_name)
        except ValidationError as error:
            raise CandidateRefused(" ".join(error.messages)) from None
    stored = ""
    try:
        with transaction.atomic():
            locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
            if values["email"] and values["email"] != locked.email.lower():
                taken = (
                    Application.objects.filter(
                        requisition__applications__candidate=locked,
                        candidate__email__iexact=values["email"],
                    )
                    .exclude(candidate=locked)
                    .exists()
                )
                if taken:
                    raise CandidateRefused(
                        f"Someone with the e-mail {values['email'][:80]} has already applied "
                        "to one of this candidate's requisitions."
                    )
            changed = [f for f in CHANGEABLE if getattr(locked, f) != values[f]]
            for field in changed:
                setattr(locked, field, values[field])
            old_file = locked.cv.name if locked.cv else ""
            if cv is not None:
                stored = _store_cv(locked, cv, cv_name)
                changed.append("cv")
            if not changed:
                return []
            locked.full_clean(exclude=["cv", "created_by"])
            locked.save()
            audit.record(
                action=AuditEvent.Action.CANDIDATE_CHANGED,
                actor=actor,
                target=locked,
                details={"fields": changed},
            )
            if cv is not None and old_file:
                transaction.on_commit(lambda: _delete_file(old_file))
    except ValidationError as error:
        _delete_file(stored)
        raise CandidateRefused(" ".join(error.messages)) from None
    except BaseException:
        _delete_file(stored)
        raise
    for field in (*CHANGEABLE, "cv", "cv_name"):
        setattr(candidate, field, getattr(locked, field))
    return changed
