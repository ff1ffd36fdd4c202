"""Peak memory of this process and its children (the JVM of the peer), sampled."""

import contextlib
import threading
import time
from dataclasses import dataclass, field

import psutil

INTERVAL_SECONDS = 0.05


@dataclass
class MemorySampler:
    """Samples the resident memory of this process tree until stopped: (time, bytes)."""

    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "MemorySampler":
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, start: float, end: float) -> int:
        """The highest sample from `start` to `end` (time.time()), or the last one before."""
        inside = [rss for t, rss in self.samples if start <= t <= end]
        before = [rss for t, rss in self.samples if t < start][-1:]
        return max(inside or before or [0])

    def _sample(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            rss = 0
            for p in [process, *process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a child that just ended
                    rss += p.memory_info().rss
            self.samples.append((time.time(), rss))
            time.sleep(INTERVAL_SECONDS)
