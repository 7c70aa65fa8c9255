"""Change history as people read it: one helper for every audited page.

`changes()` turns django-simple-history records into rows of who, when, why and
each field's before → after; `templates/components/history_table.html` shows
them. The schedule, review and people-record history pages all use these two.
"""

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Record = Any  # a simple-history historical record (a generated model)


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Change:
    """One audited save: who, when, why, and each changed field's before and after."""

    record: Record
    at: dt.datetime
    user: Any
    kind: str  # "+" created, "~" changed, "-" deleted
    reason: str
    fields: list[FieldChange] = field(default_factory=list)
    subject: str = ""  # what changed, where a page lists several records

    @property
    def what(self) -> str:
        return self.reason or {"+": "created", "-": "removed"}.get(self.kind, "changed")


def shown(record: Record, name: str) -> object:
    """A field's value as pages show it (choice labels, not keys)."""
    display = getattr(record, f"get_{name}_display", None)
    return display() if display is not None else getattr(record, name)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def changes(
    records: Sequence[Record],
    fields: Mapping[str, str],
    *,
    limit: int | None = None,
    before: Callable[[int, Record], Record | None] | None = None,
    hide: Callable[[Record, str], bool] | None = None,
    show: Callable[[Record, str], object] = shown,
    reason: Callable[[Record], str] | None = None,
    subject: Callable[[Record], str] | None = None,
) -> list[Change]:
    """Changes of `records` (newest first), each against the version before it.

    - `fields`: {field name: label} of what is audited, in display order.
    - `limit`: rows to return; pass one record more than `limit` so that the
      oldest row shown still has its "before".
    - `before(index, record)`: the version before a record; by default the next
      one in `records` (a single object's history). Pages listing several objects'
      histories pass their own.
    - `hide(record, name)`: a field the viewer may not see in that version is
      left out of its row.
    - `show(record, name)`: how a value reads; `reason(record)`: what the row says
      happened (default: the record's change reason).
    """
    found = []
    shown_records = records if limit is None else records[:limit]
    for index, record in enumerate(shown_records):
        if before is not None:
            older = before(index, record)
        else:
            older = records[index + 1] if index + 1 < len(records) else None
        diffs = []
        for name, label in fields.items():
            if hide is not None and (hide(record, name) or (older and hide(older, name))):
                continue
            new = _text(show(record, name)) if record.history_type != "-" else ""
            old = _text(show(older, name)) if older is not None else ""
            if older is None and new == "":
                continue
            if older is None or old != new:
                diffs.append(FieldChange(label, old, new))
        why = reason(record) if reason is not None else (record.history_change_reason or "")
        found.append(
            Change(
                record=record,
                at=record.history_date,
                user=record.history_user,
                kind=record.history_type,
                reason=why,
                fields=diffs,
                subject=subject(record) if subject is not None else "",
            )
        )
    return found
