"""What the cluster is doing, read from Redis alone: ``orgnews status --redis URL``."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from crawler.cluster import keys
from crawler.cluster.scheduler import holder_of


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def cluster_status(redis: Any) -> dict[str, Any]:
    """Workers (alive, busy), per-site rounds and progress, and what waits for the ingest."""
    sites = sorted(_text(s) for s in redis.smembers(keys.SITES))
    leases_by_holder: Counter[str] = Counter()
    site_rows = []
    for site in sites:
        fields = [_text(f) for f in redis.hkeys(keys.leases(site))]
        leases_by_holder.update(holder_of(f) for f in fields)
        round_info = {_text(k): _text(v) for k, v in redis.hgetall(keys.round_(site)).items()}
        progress = {_text(k): int(v) for k, v in redis.hgetall(keys.progress(site)).items()}
        site_rows.append(
            {
                "site": site,
                "round": round_info.get("id"),
                "state": round_info.get("state", "none"),
                "started": round_info.get("started"),
                "finished": round_info.get("finished"),
                "frontier": redis.zcard(keys.frontier(site)),
                "seen": redis.scard(keys.seen(site)),
                "leased": len(fields),
                "known": redis.hlen(keys.known(site)),
                "settled": redis.hlen(keys.settled(site)),
                "pages_fetched": progress.get("pages_fetched", 0),
                "articles_stored": progress.get("articles_stored", 0),
            }
        )
    workers = []
    for holder, info in sorted(redis.hgetall(keys.WORKERS).items()):
        holder = _text(holder)
        record = json.loads(info)
        alive = bool(redis.exists(keys.alive(holder)))
        state = record.get("state") if alive or record.get("state") in ("finished", "stopped") else "dead"
        workers.append(
            {"holder": holder, **record, "state": state, "alive": alive, "leased": leases_by_holder[holder]}
        )
    stream = {"waiting": redis.xlen(keys.STREAM), "read_not_acknowledged": 0}
    if redis.exists(keys.STREAM):
        groups = [g for g in redis.xinfo_groups(keys.STREAM) if _text(g["name"]) == keys.INGEST_GROUP]
        stream["read_not_acknowledged"] = groups[0]["pending"] if groups else 0
    return {
        "workers_alive": sum(w["alive"] for w in workers),
        "workers_busy": sum(1 for w in workers if w["alive"] and w["leased"]),
        "frontier": sum(row["frontier"] for row in site_rows),
        "seen": sum(row["seen"] for row in site_rows),
        "leased": sum(row["leased"] for row in site_rows),
        "waiting_for_ingest": stream["waiting"],
        "stream": stream,
        "workers": workers,
        "sites": site_rows,
    }
