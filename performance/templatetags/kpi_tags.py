"""`{% rag_cells row.figures %}` and `{% rag_badge rag %}`, built in Python.

The team and cross-team tables hold one cell per person (or team) and KPI; one
template loop per cell costs more than the rest of the page together."""

from collections.abc import Iterable

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from performance.models import Kpi
from performance.selectors.kpis import RAG_LABELS, Figure, fmt, is_fraction

register = template.Library()


def _cell(figure: Figure, labelled: bool) -> str:
    status = (
        f'<span class="visually-hidden"> ({escape(figure.rag_label)})</span>' if figure.rag else ""
    )
    label = f' data-label="{escape(figure.kpi.name)}"' if labelled else ""
    return (
        f'<td class="rag-cell rag-{figure.rag or "none"}"{label}>'
        f"{escape(figure.display)}{status}</td>"
    )


@register.simple_tag
def rag_cells(figures: Iterable[Figure], labelled: bool = False) -> SafeString:
    """Each figure as `<td>`, coloured by its RAG status, which is also spelled
    out for screen readers. `labelled` names the KPI in `data-label`, for tables
    that reflow into cards on a phone."""
    return mark_safe("".join(_cell(f, labelled) for f in figures))  # noqa: S308 -- every value escaped


_BADGES = {
    rag: mark_safe(f'<span class="rag rag-{rag}">{escape(label)}</span>')  # noqa: S308 -- fixed text
    for rag, label in {**RAG_LABELS, "none": "No data"}.items()
}


@register.simple_tag
def rag_badge(rag: str | None) -> SafeString:
    """The RAG status as a coloured label: "On target", "Watch", "Off target" or "No data"."""
    return _BADGES.get(rag or "none", _BADGES["none"])


@register.filter
def kpi_target(kpi: Kpi) -> str:
    """The KPI's target written like its figures (adherence 0.95 reads "95%")."""
    return fmt(kpi, kpi.target)


@register.filter
def kpi_unit(kpi: Kpi) -> str:
    """The unit to print after a figure: none for a fraction shown as a percentage."""
    return "" if is_fraction(kpi) else kpi.unit
