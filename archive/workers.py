"""Worker processes that end with the process that started them.

A pool's workers wait on a pipe for their next task; when their parent is killed
(``kill -9``, the out-of-memory killer) nothing closes that pipe, and they would
wait for ever, holding the archive open. Each worker here asks the kernel to kill
it when its parent dies (Linux), or watches its parent (elsewhere).

Workers are started fresh ("spawn"), not forked: a fork copies the parent's locks as
they stand, and a parent with threads (a crawl's reactor, a checkpoint thread, a test's
HTTP server) may hold one at that moment, which leaves the forked worker waiting on it
for ever.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_WATCH_SECONDS = 1.0


def worker_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """A ``ProcessPoolExecutor`` of ``workers`` processes that never outlive this one."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(), initializer, initargs),
    )


def _start_worker(parent: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    _end_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)


def _end_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_watch, args=(parent,), name="orgnews-parent-watch", daemon=True).start()
    # The parent may have died before the request above: this process is then already an orphan.
    if os.getppid() != parent:
        os._exit(1)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        threading.Event().wait(_WATCH_SECONDS)
    os._exit(1)
