"""Rounds: every worker that crawls a site joins one round, and all leave when it is done.

scrapy-redis closes a worker as soon as it finds the frontier empty, while other workers
may still add to it. Here a site's crawl on the cluster is a round (``keys.round_``):

- the first worker to start a site when no round is running opens one: it empties the
  frontier, the seen-set and the leases of the last round, and becomes the seeder;
- the seeder puts the site's start requests into the frontier and the round into
  "running" in one script, so a seeder killed halfway leaves no half-seeded round (a
  worker that finds the seeder dead takes the seeding over);
- an idle worker asks ``finish``: the round ends only when the frontier is empty and no
  request is leased by anyone (after the leases of dead workers went back), checked in
  one script, so a worker that is still busy keeps all the others;
- the next round (the next night) starts afresh; the archive's known URLs, which the
  ingest publishes, keep it incremental.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crawler.cluster import keys

# KEYS: round, frontier, seen, leases, incomplete, progress. ARGV: holder, now.
# Returns {role, round id, full walk (0/1)}.
_JOIN = """
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'seeding' or state == 'running' then
  return {'join', redis.call('HGET', KEYS[1], 'id'), redis.call('HGET', KEYS[1], 'full_walk')}
end
local id = redis.call('HINCRBY', KEYS[1], 'id', 1)
local full = '0'
if redis.call('EXISTS', KEYS[5]) == 1 then full = '1' end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
redis.call('HSET', KEYS[1], 'state', 'seeding', 'seeder', ARGV[1], 'full_walk', full, 'started', ARGV[2])
redis.call('HDEL', KEYS[1], 'finished')
return {'seed', tostring(id), full}
"""

# KEYS: round, frontier. ARGV: holder, round id, then score and data of each start request.
_SEED = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'seeder') ~= ARGV[1]
   or redis.call('HGET', KEYS[1], 'state') ~= 'seeding' then
  return 0
end
for i = 3, #ARGV, 2 do redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'state', 'running')
return 1
"""

# KEYS: round, frontier, leases. ARGV: now. Returns the round's state after the check.
_FINISH = """
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'running' then return state or 'none' end
if redis.call('ZCARD', KEYS[2]) > 0 or redis.call('HLEN', KEYS[3]) > 0 then return 'busy' end
redis.call('HSET', KEYS[1], 'state', 'done', 'finished', ARGV[1])
return 'done'
"""

# KEYS: round. ARGV: the dead seeder, the new one. Returns 1 when the new one seeds.
_TAKE_OVER = """
if redis.call('HGET', KEYS[1], 'state') == 'seeding' and redis.call('HGET', KEYS[1], 'seeder') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'seeder', ARGV[2])
  return 1
end
return 0
"""


@dataclass
class Round:
    id: str
    seeder: bool
    full_walk: bool


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def join(redis: Any, site: str, holder: str) -> Round:
    """Join the site's running round, or open a new one (then this worker seeds it)."""
    role, round_id, full = redis.eval(
        _JOIN,
        6,
        keys.round_(site),
        keys.frontier(site),
        keys.seen(site),
        keys.leases(site),
        keys.incomplete(site),
        keys.progress(site),
        holder,
        _now(),
    )
    redis.sadd(keys.SITES, site)
    return Round(id=_text(round_id), seeder=_text(role) == "seed", full_walk=_text(full) == "1")


def seed(redis: Any, site: str, holder: str, round_id: str, requests: list[tuple[int, bytes]]) -> bool:
    """Put the start requests (score, data) in the frontier and start the round, all at once."""
    args: list[Any] = [holder, round_id]
    for score, data in requests:
        args += [score, data]
    return bool(redis.eval(_SEED, 2, keys.round_(site), keys.frontier(site), *args))


def finish(redis: Any, site: str) -> str:
    """ "done" when the round is over (ending it if nobody has work left), else why not."""
    state = redis.eval(_FINISH, 3, keys.round_(site), keys.frontier(site), keys.leases(site), _now())
    return _text(state)


def take_over_seeding(redis: Any, site: str, holder: str) -> bool:
    """When the round's seeder died before seeding it, make ``holder`` the seeder."""
    seeder = redis.hget(keys.round_(site), "seeder")
    if seeder is None or redis.exists(keys.alive(_text(seeder))):
        return False
    return bool(redis.eval(_TAKE_OVER, 1, keys.round_(site), _text(seeder), holder))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
