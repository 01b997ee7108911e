"""Exit when the worker that started us dies.

The TypeScript worker starts the trainer in its own process group so that cancellation can
kill the whole group. If the worker itself is killed (SIGKILL, OOM, node lost), nothing would
stop the trainer: it would keep the GPU busy while Temporal retries the stage elsewhere, and
two trainers would write checkpoints for one stage. So a started-by-worker trainer watches its
parent and exits as soon as it is re-parented.
"""

from __future__ import annotations

import os
import threading
import time

# Holds the pid of the process that must stay our parent (set by the worker).
ENV_FLAG = "RAG_R1_EXIT_WITH_PARENT"
EXIT_CODE = 3


def start_parent_watchdog(interval_s: float = 1.0) -> None:
    """Starts the watchdog when the worker asked for it (ENV_FLAG=<its pid>)."""
    wanted = os.environ.get(ENV_FLAG, "")
    if not wanted.isdigit():
        return
    # The pid comes from the worker, so a worker that died before we started is caught too.
    parent = int(wanted)

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if os.getppid() != parent:
                os._exit(EXIT_CODE)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()
