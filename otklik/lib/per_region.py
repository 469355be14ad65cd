"""One fitted model per region and process, refitted when its history has grown by a tenth.

The topic classifier and the executor router both learn from the region's appeals; fitting takes
seconds, counting the history a millisecond. So each keeps what it fitted and, at most every
`check_every_s`, counts the history again: once it has grown by a tenth (plus `slack`, so that a
handful of appeals in an empty region do not refit on every check) the model is fitted anew.
"""

import threading
import time
from collections.abc import Callable
from typing import Any


class PerRegion:
    """`get(region_id)` → the dict `train(region_id)` returned (it must carry "history": its size)."""

    def __init__(
        self,
        *,
        train: Callable[[int], dict[str, Any]],
        history_size: Callable[[int], int],
        check_every_s: float = 60.0,
        growth: float = 0.1,
        slack: int = 10,
    ):
        self.train = train
        self.history_size = history_size
        self.check_every_s = check_every_s
        self.growth = growth
        self.slack = slack
        self._lock = threading.Lock()
        self._state: dict[int, dict[str, Any]] = {}

    def get(self, region_id: int) -> dict[str, Any]:
        with self._lock:
            state = self._state.get(region_id)
            now = time.monotonic()
            if state is None:
                state = self._fit(region_id)
            elif now - state["checked"] > self.check_every_s:
                state["checked"] = now
                if self.history_size(region_id) > state["history"] * (1 + self.growth) + self.slack:
                    state = self._fit(region_id)
            return state

    def _fit(self, region_id: int) -> dict[str, Any]:
        state = {**self.train(region_id), "checked": time.monotonic()}
        self._state[region_id] = state
        return state

    def reset(self) -> None:
        with self._lock:
            self._state.clear()
