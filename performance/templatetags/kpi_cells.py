"""`{% rag_cells row.figures %}`: a table row's KPI cells, built in Python.

The team and cross-team tables hold one cell per person (or team) and KPI; one
template loop per cell costs more than the rest of the page together."""

from collections.abc import Iterable

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from performance.kpi_selectors import Figure

register = template.Library()


def _status(figure: Figure) -> SafeString | str:
    if not figure.rag:
        return ""
    return format_html('<span class="visually-hidden"> ({})</span>', figure.rag_label)


@register.simple_tag
def rag_cells(figures: Iterable[Figure]) -> SafeString:
    """Each figure as `<td>`, coloured by its RAG status, which is also spelled
    out for screen readers."""
    return format_html_join(
        "",
        '<td class="rag-cell rag-{}">{}{}</td>',
        ((f.rag or "none", f.display, _status(f)) for f in figures),
    )
