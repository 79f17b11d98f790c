"""Build the replay site: every profile's lists and details, laid out under the real URL paths.

    python -m crawler.replay.build

Writes ``crawler/replay/site/`` (snapshot 1, with ``_status.json`` for the pages that do not
answer 200) and ``crawler/replay/snapshot2/`` (what changed by the second snapshot: one
article edited, one article added to a list). The output is deterministic, so rebuilding
changes no file unless the templates or the corpus changed.
"""

from __future__ import annotations

from pathlib import Path

from crawler.replay import SITE_DIR, SNAPSHOT_DIRS
from crawler.replay.pages import Output
from crawler.replay.sites import SITE_BUILDERS


def build(site_dir: Path = SITE_DIR, overlay_dir: Path = SNAPSHOT_DIRS[2]) -> Output:
    out = Output()
    for builder in SITE_BUILDERS:
        builder(out)
    out.write(site_dir, overlay_dir)
    return out


def main() -> None:
    out = build()
    print(f"wrote {len(out.files)} pages to {SITE_DIR} and {len(out.overlay)} to {SNAPSHOT_DIRS[2]}")


if __name__ == "__main__":
    main()
