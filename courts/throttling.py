"""The court endpoint's rate limit: per credential, so one runaway or stolen client cannot flood the
message store or the workers. Fixed windows counted in Redis (the one at settings.REDIS_URL, shared
by every web process): settings.COURT_RATE_PER_MINUTE a minute and settings.COURT_QUOTA_PER_DAY a
day (UTC). A refused request still counts, so a client that ignores Retry-After stays refused.

When Redis does not answer within settings.COURT_REDIS_TIMEOUT_MS the request is let through and the
outage logged: the courts' messages are never refused because our Redis is down. For a few seconds
afterwards Redis is not asked again, so an outage costs one wait per process, not one per request.
"""

import logging
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from courts.models import CourtApiCredential

logger = logging.getLogger(__name__)

# After Redis failed to answer, the limiter lets requests through without asking it for this long.
SKIP_AFTER_FAILURE_SECONDS = 5.0
# (name, seconds, setting holding its limit)
WINDOWS = (("minute", 60, "COURT_RATE_PER_MINUTE"), ("day", 86_400, "COURT_QUOTA_PER_DAY"))

_clients: dict[tuple[str, int], redis.Redis] = {}
_skip_until: dict[tuple[str, int], float] = {}  # per Redis (URL, timeout): when to ask it again
_lock = threading.Lock()


@dataclass(frozen=True)
class RateVerdict:
    allowed: bool
    retry_after: int = 0  # seconds until the window that refused it ends
    limit: str = ""  # the limit it went over, in words
    first_refusal: bool = False  # the first request refused in this window (audited once)


def _client(key: tuple[str, int]) -> redis.Redis:
    with _lock:
        client = _clients.get(key)
        if client is None:
            seconds = settings.COURT_REDIS_TIMEOUT_MS / 1000
            # No retries: redis-py retries a failed command three times by default, which would
            # make one outage cost the caller four timeouts.
            client = _clients[key] = redis.Redis.from_url(
                settings.REDIS_URL,
                socket_connect_timeout=seconds,
                socket_timeout=seconds,
                retry=Retry(NoBackoff(), 0),
            )
    return client


def _key(credential: CourtApiCredential, name: str, window: int) -> str:
    # The credential's issue time as well as its pk: a pk is reused by a fresh database (tests, a
    # restored copy) whose counts must not be mixed with the old one's.
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "ioms")
    issued = int(credential.created_at.timestamp())
    return f"{prefix}:court-rate:{credential.pk}-{issued}:{name}:{window}"


def court_rate_check(credential: CourtApiCredential) -> RateVerdict:
    """Count one request of `credential` and say whether it is within its limits."""
    now = time.time()
    redis_key = (settings.REDIS_URL, settings.COURT_REDIS_TIMEOUT_MS)
    if now < _skip_until.get(redis_key, 0.0):
        return RateVerdict(allowed=True)
    windows = [(name, seconds, int(now // seconds)) for name, seconds, _ in WINDOWS]
    try:
        pipeline = _client(redis_key).pipeline(transaction=False)
        for name, seconds, window in windows:
            key = _key(credential, name, window)
            pipeline.incr(key)
            pipeline.expire(key, seconds + 60)
        counts = pipeline.execute()[0::2]
    except redis.RedisError as error:
        _skip_until[redis_key] = now + SKIP_AFTER_FAILURE_SECONDS
        logger.warning(
            "Court rate limit not applied: Redis did not answer (%s: %s). Court messages are let "
            "through unlimited for the next %s s.",
            type(error).__name__,
            error,
            SKIP_AFTER_FAILURE_SECONDS,
        )
        return RateVerdict(allowed=True)
    for (name, seconds, window), (_, _, setting), count in zip(windows, WINDOWS, counts, strict=True):
        limit = getattr(settings, setting)
        if count > limit:
            return RateVerdict(
                allowed=False,
                retry_after=max(1, int((window + 1) * seconds - now + 0.999)),
                limit=f"{limit:,} messages a {name}",
                first_refusal=count == limit + 1,
            )
    return RateVerdict(allowed=True)
