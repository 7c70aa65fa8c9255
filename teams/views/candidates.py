"""Candidates: added to a requisition, changed, their CV downloaded, their data exported.

Django strips the folders from an uploaded file's name before any view sees it
(`../../x.pdf` arrives as `x.pdf`); a name like that is refused here rather than
quietly trimmed, so the two upload views keep the names the upload came with. They
must do so before the CSRF check reads the body, hence `csrf_exempt` outside and
`csrf_protect` inside (as Django's documentation on upload handlers shows).
"""

import json
import logging
from typing import Any

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParser
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from .. import audit
from ..access import (
    get_candidate_for_export,
    get_candidate_for_user,
    get_requisition_for_user,
)
from ..forms.candidates import CandidateForm
from ..http import authenticated_user
from ..models import Application, AuditEvent, Requisition
from ..selectors.applications import candidate_export
from ..services import candidates as services

logger = logging.getLogger(__name__)


class _NameKeepingParser(MultiPartParser):
    def __init__(self, *args: Any, raw_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.raw_names = raw_names

    def sanitize_file_name(self, file_name: str) -> str | None:
        self.raw_names.append(file_name)
        return super().sanitize_file_name(file_name)


def keep_raw_upload_names(request: HttpRequest) -> list[str]:
    """The names of this request's uploads as they were sent (filled when the body is
    parsed, which must not have happened yet)."""
    raw_names: list[str] = []

    def parse_file_upload(meta: Any, post_data: Any) -> tuple[QueryDict, MultiValueDict[str, Any]]:
        parser = _NameKeepingParser(
            meta, post_data, request.upload_handlers, request.encoding, raw_names=raw_names
        )
        return parser.parse()

    request.parse_file_upload = parse_file_upload  # type: ignore[method-assign,assignment]
    return raw_names


def _details(form: CandidateForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "email": data["email"],
        "phone": data["phone"],
        "source": data["source"],
        "notes": data["notes"],
        "cv": data.get("cv"),
        "cv_raw_name": form.cv_raw_name,
    }


@csrf_exempt  # checked by csrf_protect below, once the upload's names are kept
@require_http_methods(["GET", "POST"])
def candidate_add(request: HttpRequest, requisition_id: int) -> HttpResponse:
    raw_names = keep_raw_upload_names(request)
    return _candidate_add(request, requisition_id, raw_names)


@csrf_protect
def _candidate_add(request: HttpRequest, requisition_id: int, raw_names: list[str]) -> HttpResponse:
    user = authenticated_user(request)
    requisition = get_requisition_for_user(user, requisition_id, for_change=True)
    is_open = requisition.status == Requisition.Status.OPEN
    form = CandidateForm(request.POST or None, request.FILES or None, raw_file_names=raw_names)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.add_candidate(
                actor=user, requisition=requisition, **_details(form)
            )
        except services.CandidateRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{application.candidate.name} was added to the board.")
            return redirect("teams:requisition-board", requisition_id=requisition.pk)
    context = {"form": form, "requisition": requisition, "team": requisition.team}
    context["is_open"] = is_open
    return render(request, "teams/candidates/form.html", context)


@csrf_exempt  # checked by csrf_protect below, once the upload's names are kept
@require_http_methods(["GET", "POST"])
def candidate_edit(request: HttpRequest, candidate_id: int) -> HttpResponse:
    raw_names = keep_raw_upload_names(request)
    return _candidate_edit(request, candidate_id, raw_names)


@csrf_protect
def _candidate_edit(request: HttpRequest, candidate_id: int, raw_names: list[str]) -> HttpResponse:
    user = authenticated_user(request)
    candidate = get_candidate_for_user(user, candidate_id, for_change=True)
    form = CandidateForm(
        request.POST or None, request.FILES or None, raw_file_names=raw_names, instance=candidate
    )
    back = (
        Application.objects.filter(candidate=candidate)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_candidate(actor=user, candidate=candidate, **_details(form))
        except services.CandidateRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, f"Saved {candidate.name}." if changed else "Nothing was changed."
            )
            if back is not None:
                return redirect("teams:application-detail", application_id=back)
            return redirect("teams:candidate-edit", candidate_id=candidate.pk)
    context = {"form": form, "candidate": candidate, "back": back}
    return render(request, "teams/candidates/form.html", context)


@require_GET
def candidate_cv(request: HttpRequest, candidate_id: int) -> FileResponse:
    """The CV, for whoever may see the candidate (their interviewers included): always
    an attachment, never rendered by the browser."""
    user = authenticated_user(request)
    candidate = get_candidate_for_user(user, candidate_id)
    if not candidate.cv:
        raise Http404("This candidate has no CV.")
    try:
        handle = candidate.cv.open("rb")
    except FileNotFoundError:
        logger.error("CV file of candidate %s is missing from storage", candidate.pk)
        raise Http404("This candidate has no CV.") from None
    audit.record(
        action=AuditEvent.Action.CV_DOWNLOADED, actor=user, target=candidate, request=request
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=candidate.cv_name or "cv",
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def candidate_export_view(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Everything held about a candidate, as JSON (a data-access request)."""
    user = authenticated_user(request)
    candidate = get_candidate_for_export(user, candidate_id)
    data = candidate_export(candidate, user=user)
    audit.record(
        action=AuditEvent.Action.CANDIDATE_EXPORTED, actor=user, target=candidate, request=request
    )
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="candidate-{candidate.pk}.json"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
