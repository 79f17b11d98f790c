"""Scale-out: crawl workers on many machines sharing one Redis frontier, one archive writer.

A worker (``orgnews crawl --redis URL``) runs the normal ``news`` spider with scrapy-redis's
scheduler and seen-set, and the pieces scrapy-redis lacks: requests in flight leased per
worker and given back when it dies (``scheduler``), one round per site that every worker
joins and that ends when nobody has work left (``rounds``), per-host politeness across the
whole cluster (``politeness``), and a crawl state that sends finished pages to a Redis stream
instead of opening archive.db (``state``). ``orgnews ingest`` (``ingest``) is the one process
that writes the archive; ``orgnews status`` (``status``) reports on all of it. Every Redis
key is named in ``keys``.
"""
