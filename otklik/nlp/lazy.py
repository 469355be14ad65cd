"""A model loaded on first use, once, by one thread; callers go on without it when loading fails."""

import logging
import threading
from collections.abc import Callable


class LazyModel[T]:
    def __init__(self, load: Callable[[], T], *, logger: logging.Logger, failure: str):
        self._load, self._log, self._failure = load, logger, failure
        self._lock = threading.Lock()
        self._model: T | None = None
        self.failed = False

    def get(self) -> T | None:
        """The model, or None for good after one failed attempt (the failure is logged once)."""
        if self._model is not None or self.failed:
            return self._model
        with self._lock:
            if self._model is None and not self.failed:
                try:
                    self._model = self._load()
                except Exception:  # noqa: BLE001 - the caller has a way to work without the model
                    self._log.warning(self._failure, exc_info=True)
                    self.failed = True
        return self._model
