"""Text that people type and that the app writes out again (pages, CSV, e-mail).

- `refuse_control_characters`: a validator for one-line names and titles. A
  control character (NUL, tab, a line break, a bidirectional override…) has no
  place in a name and breaks exports and e-mail headers.
- `refuse_control_characters_in_text`: the same for text of several lines (a
  textarea's): line breaks and tabs are allowed, every other control character not.
- `csv_safe`: one cell of a CSV export, neutralised so that a spreadsheet does not
  run it as a formula (OWASP "CSV injection"); every export writes through it.
"""

import csv
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_WHITESPACE = frozenset("\n\r\t")  # what a textarea sends between words and lines


def refuse_control_characters(value: str) -> None:
    for char in value:
        if unicodedata.category(char) in {"Cc", "Cf"}:
            raise ValidationError(
                "Remove the control character (%(code)s): names and titles are plain text.",
                code="control_character",
                params={"code": f"U+{ord(char):04X}"},
            )


def refuse_control_characters_in_text(value: str) -> None:
    for char in value:
        if char not in TEXT_WHITESPACE and unicodedata.category(char) in {"Cc", "Cf"}:
            raise ValidationError(
                "Remove the control character (%(code)s): line breaks and tabs are fine, "
                "other control characters are not.",
                code="control_character",
                params={"code": f"U+{ord(char):04X}"},
            )


def csv_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula gets a leading
    apostrophe; numbers, dates and empty cells are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(out: Any, rows: Iterable[Iterable[Any]]) -> None:
    """Write rows to a file-like `out` (e.g. an HttpResponse), every cell csv_safe."""
    writer = csv.writer(out)
    writer.writerows([csv_safe(cell) for cell in row] for row in rows)
