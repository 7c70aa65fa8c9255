"""Reads of a team's procedures: the list, one page rendered from markdown safely,
and its versions (each viewable as it was)."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from teams.models import Team

from ..models import Procedure

LINK_SCHEMES = {"http", "https", "mailto"}


def _link_allowed(url: str) -> bool:
    """Links go to http(s) and mailto only: anything else (javascript:, data:, a
    relative path) stays text."""
    return urlsplit(url.strip()).scheme.lower() in LINK_SCHEMES


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})  # raw HTML is shown as text
    md.validateLink = _link_allowed  # type: ignore[method-assign]
    md.disable("image")  # no pictures pulled from elsewhere
    return md


_MARKDOWN = _renderer()


def render_markdown(text: str) -> SafeString:
    """The procedure's markdown as HTML: markdown-it escapes every character of raw
    HTML and refuses links it does not allow, so the output is safe to mark so."""
    return mark_safe(_MARKDOWN.render(text))  # noqa: S308 -- escaped by markdown-it (html off)


def procedures_of(team: Team) -> list[Procedure]:
    return list(
        Procedure.objects.filter(team=team).select_related("updated_by", "adopted_from_idea")
    )


@dataclass(frozen=True)
class Version:
    record: Any  # a HistoricalProcedure
    number: int  # 1 for the first

    @property
    def why(self) -> str:
        return self.record.history_change_reason or ""


def versions(procedure: Procedure) -> list[Version]:
    """Every version, newest first, with who saved it and why."""
    records = list(procedure.history.select_related("history_user").order_by("-history_id"))
    return [Version(r, len(records) - n) for n, r in enumerate(records)]


def version(procedure: Procedure, history_id: int) -> Version | None:
    found = versions(procedure)
    return next((v for v in found if v.record.history_id == history_id), None)
