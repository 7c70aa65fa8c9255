"""The version under which the KPI dashboards cache their rendered figures.

Dashboards cache their figures (views.dashboards) under this version; every
rollup bumps it when its transaction commits, and so does every edit of what
the figures show (KPI definitions, names, sites, teams). With a cache shared
between processes (Redis in production) a new rollup shows at once; with
per-process memory caches, at most KPI_DASHBOARD_CACHE_SECONDS later.
"""

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "kpi-rollups-version"


def rollups_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, None)
    return int(version)


def bump_after_edit(
    sender: type, update_fields: Iterable[str] | None = None, **kwargs: Any
) -> None:
    """post_save/post_delete of what the dashboards show besides rollups (KPI
    definitions, names, sites, teams): their cached figures go once it commits,
    with one bump however many rows the transaction changed. A login's last_login
    stamp changes nothing shown."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    bump_on_commit()


def bump_on_commit() -> None:
    """Bump the version when the current transaction commits (once per transaction
    or savepoint, however many rows it changed; at once outside one). A cache error
    is logged, never raised into the request that committed."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        scope = set(connection.savepoint_ids)  # a bump already due at this level will do
        due = connection.run_on_commit
        if any(fn is bump_rollups_version and sids == scope for sids, fn, *_ in due):
            return
    transaction.on_commit(bump_rollups_version, robust=True)


def bump_rollups_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.set(VERSION_KEY, 2, None)
