"""Memory measurement for the benchmarks: peak RSS of this process and of its whole process tree.

`resource.getrusage` gives the peak of this process (`RUSAGE_SELF`) and of the *largest*
waited-for child (`RUSAGE_CHILDREN`), not their sum; `TreeSampler` samples the summed RSS of
this process and all its live descendants (from /proc, Linux) so the table can show the real
peak of a run with worker processes.
"""
from __future__ import annotations

import os
import resource
import threading
from pathlib import Path


def rusage_peaks_mb() -> tuple[float, float]:
    """(peak RSS of this process, peak RSS of the largest finished child) in MiB.

    The own peak is `VmHWM` from /proc/self/status where available: Linux carries
    `ru_maxrss` over fork+exec, so a process started by a big parent would otherwise report
    the parent's size. Children come from `getrusage(RUSAGE_CHILDREN)` (workers are forked
    from this process, so their figure is their own).
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    own = int(line.split()[1]) / 1024
                    break
    except OSError:
        pass
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
        rest = stat[stat.rfind(b")") + 2 :].split()
        if len(rest) > 1:
            children.setdefault(int(rest[1]), []).append(int(entry.name))
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        for child in children.get(pid, []):
            out.append(child)
            stack.append(child)
    return out


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_s(pid: int) -> float:
    """user + system CPU seconds `pid` has used so far (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return 0.0
    rest = stat[stat.rfind(b")") + 2 :].split()
    return (int(rest[11]) + int(rest[12])) / _TICK  # fields 14 and 15: utime, stime


def tree_rss_mb(pid: int | None = None) -> float:
    """Current summed RSS (MiB) of `pid` (default: this process) and all its descendants."""
    pid = pid or os.getpid()
    return sum(_rss_kb(p) for p in [pid, *_descendants(pid)]) / 1024


class TreeSampler:
    """Background thread sampling `tree_rss_mb()`; `peak_mb` is the largest sum seen.

    `marks` records (label, rss) pairs the caller adds (e.g. every 1000 assets) to show growth.
    """

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.peak_mb = 0.0
        self.worker_peak_mb = 0.0  # largest single descendant seen
        self.samples = 0
        self.marks: list[tuple[str, float]] = []
        self._cpu: dict[int, float] = {}  # largest CPU seconds seen per process of the tree
        self._cpu_start = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> float:
        me = os.getpid()
        tree = [me, *_descendants(me)]
        sizes = {pid: _rss_kb(pid) / 1024 for pid in tree}
        for pid in tree:
            self._cpu[pid] = max(self._cpu.get(pid, 0.0), _cpu_s(pid))
        value = sum(sizes.values())
        self.peak_mb = max(self.peak_mb, value)
        others = [v for pid, v in sizes.items() if pid != me]
        if others:  # workers may be grandchildren (forkserver): getrusage(RUSAGE_CHILDREN) misses them
            self.worker_peak_mb = max(self.worker_peak_mb, max(others))
        self.samples += 1
        return value

    @property
    def cpu_s(self) -> float:
        """CPU seconds the tree used while sampled (a worker's last `interval` before it exits is missed).

        Unlike wall time this barely changes with other load on the machine, so it is how a
        change is compared on a shared machine; cores / (cpu_s per image) bounds the img/s."""
        return sum(self._cpu.values()) - self._cpu_start

    def mark(self, label: str) -> None:
        self.marks.append((label, _rss_kb(os.getpid()) / 1024))

    def __enter__(self) -> "TreeSampler":
        self._cpu_start = _cpu_s(os.getpid())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()

