"""The Redis cache, degraded to a miss while Redis is down or frozen.

Everything this app caches (dashboard fragments, cached_db sessions) can be
rebuilt from PostgreSQL, so a cache that cannot answer must not fail a request:
every operation then behaves as a miss (reads return the default, writes do
nothing), is logged, and Redis is left alone for `RETRY_SECONDS` so that a
frozen server costs one socket timeout per process, not one per cache call.
Sessions on `cached_db` then read and write the database alone.

What the cache missed during the outage (a logout, a dashboards' version bump)
must not come back stale with it: the first call that reaches Redis again first
deletes this cache's keys (by its key prefix; a broker sharing the Redis database
keeps its own), so everything is read afresh from the database.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("sdc_ops.cache")

T = TypeVar("T")
RETRY_SECONDS = 5.0


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        # A frozen Redis answers nothing: give up on it quickly.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0
        self._missed_writes = False
        self._lock = threading.Lock()

    @property
    def is_available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _call(self, name: str, fallback: T, operation: Callable[[], T]) -> T:
        if not self.is_available:
            self._missed_writes = True
            return fallback
        try:
            if self._missed_writes:
                self._forget_everything()
            return operation()
        except (RedisError, OSError) as error:
            with self._lock:
                self._down_until = time.monotonic() + RETRY_SECONDS
                self._missed_writes = True
            logger.warning("cache unavailable (%s failed: %s); serving without it", name, error)
            return fallback

    def _forget_everything(self) -> None:
        client = self._cache.get_client(write=True)
        pattern = self.make_key("*", version=None).rsplit(":", 2)[0] + ":*"
        batch = []
        for key in client.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) >= 500:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        self._missed_writes = False
        logger.warning("cache reachable again: its keys were dropped, to be rebuilt")

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", default, lambda: RedisCache.get(self, key, default, version))

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call("set", None, lambda: RedisCache.set(self, key, value, timeout, version))

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._call("add", False, lambda: RedisCache.add(self, key, value, timeout, version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call("touch", False, lambda: RedisCache.touch(self, key, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call("delete", False, lambda: RedisCache.delete(self, key, version))

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._call("get_many", {}, lambda: RedisCache.get_many(self, keys, version))

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._call(
            "set_many", list(data), lambda: RedisCache.set_many(self, data, timeout, version)
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call("delete_many", None, lambda: RedisCache.delete_many(self, keys, version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call("has_key", False, lambda: RedisCache.has_key(self, key, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A counter that cannot be read is not there: callers handle the ValueError
        # of a missing key already.
        result: int | None = self._call(
            "incr", None, lambda: RedisCache.incr(self, key, delta, version)
        )
        if result is None:
            raise ValueError(f"Key {key!r} not found (cache unavailable).")
        return result

    def clear(self) -> None:
        self._call("clear", None, lambda: RedisCache.clear(self))

    def ping(self) -> bool:
        """Whether Redis answers now (for the health check); ignores the back-off."""
        try:
            client = self._cache.get_client(write=False)
            return bool(client.ping())
        except (RedisError, OSError):
            return False
