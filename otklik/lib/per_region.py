"""One fitted model per region and process, refitted when its history has grown by a tenth.

The topic classifier and the executor router both learn from the region's appeals; fitting takes
seconds (tens of seconds for a large region), counting the history a millisecond. So each keeps
what it fitted and, at most every `check_every_s`, counts the history again: once it has grown by a
tenth (plus `slack`, so that a handful of appeals in an empty region do not refit on every check)
the model is fitted anew — in a background thread while the old model keeps answering, so no
request waits for a refit. Only the very first fit of a region is made in the caller (the web
process's warm-up thread normally does it before anyone asks). With `background()` false (tests)
refits are made in the caller too. A region's fit holds that region's lock only: other regions
are served meanwhile.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("otklik.models")


class PerRegion:
    """`get(region_id)` → the dict `train(region_id)` returned (it must carry "history": its size).

    `background()` says whether refits run in a thread; `thread_done()` is called at the end of
    such a thread (e.g. to close its database connection).
    """

    def __init__(
        self,
        *,
        train: Callable[[int], dict[str, Any]],
        history_size: Callable[[int], int],
        check_every_s: float = 60.0,
        growth: float = 0.1,
        slack: int = 10,
        background: Callable[[], bool] = lambda: True,
        thread_done: Callable[[], None] = lambda: None,
    ):
        self.train = train
        self.history_size = history_size
        self.check_every_s = check_every_s
        self.growth = growth
        self.slack = slack
        self.background = background
        self.thread_done = thread_done
        self._lock = threading.Lock()  # guards the dicts below, never held while fitting
        self._region_locks: dict[int, threading.Lock] = {}
        self._state: dict[int, dict[str, Any]] = {}
        self._refitting: dict[int, threading.Thread] = {}

    def get(self, region_id: int) -> dict[str, Any]:
        with self._lock:
            state = self._state.get(region_id)
            region_lock = self._region_locks.setdefault(region_id, threading.Lock())
        if state is None:
            with region_lock:  # a second caller waits for the first fit instead of repeating it
                state = self._state.get(region_id) or self._fit(region_id)
            return state
        now = time.monotonic()
        with self._lock:  # one caller a period counts the history; none while a refit runs
            due = now - state["checked"] > self.check_every_s and region_id not in self._refitting
            if due:
                state["checked"] = now
        if due and self.history_size(region_id) > state["history"] * (1 + self.growth) + self.slack:
            if not self.background():
                with region_lock:
                    return self._fit(region_id)
            thread = threading.Thread(
                target=self._refit,
                args=(region_id, region_lock),
                name=f"otklik-refit-{region_id}",
                daemon=True,
            )
            with self._lock:
                self._refitting[region_id] = thread
            thread.start()
        return state

    def _fit(self, region_id: int) -> dict[str, Any]:
        state = {**self.train(region_id), "checked": time.monotonic()}
        with self._lock:
            self._state[region_id] = state
        return state

    def _refit(self, region_id: int, region_lock: threading.Lock) -> None:
        try:
            with region_lock:
                self._fit(region_id)
        except Exception:  # noqa: BLE001 - the old model keeps answering; the next check tries again
            log.warning("refit of region %s failed; the previous model stays", region_id, exc_info=True)
        finally:
            with self._lock:
                self._refitting.pop(region_id, None)
            self.thread_done()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the refits running now (tests, orderly shutdown)."""
        with self._lock:
            threads = list(self._refitting.values())
        for thread in threads:
            thread.join(timeout)

    def reset(self) -> None:
        self.join()
        with self._lock:
            self._state.clear()


def _refit_in_background() -> bool:
    from django.conf import settings

    return getattr(settings, "MODELS_REFIT_IN_BACKGROUND", True)


def _close_connection() -> None:
    from django.db import connection

    connection.close()


def per_region(*, train: Callable[[int], dict[str, Any]], history_size: Callable[[int], int]) -> PerRegion:
    """A `PerRegion` for models fitted from the database: refits in the background unless the
    setting MODELS_REFIT_IN_BACKGROUND is off (tests); the refit thread closes its connection."""
    return PerRegion(
        train=train, history_size=history_size, background=_refit_in_background, thread_done=_close_connection
    )
