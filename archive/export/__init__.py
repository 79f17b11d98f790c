"""Dataset releases of the archive (``orgnews export``).

``release.export_release`` writes one release folder; ``resources`` lists its tables,
``reading`` reads them from a snapshot of the archive, ``writers`` writes Parquet, JSON
lines and CSV, ``describe`` and ``card`` write datapackage.json, README.md and SHA256SUMS,
``changelog`` compares with an earlier release and ``captures`` packages the WARC captures
as a WACZ.
"""
