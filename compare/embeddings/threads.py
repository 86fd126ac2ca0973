"""How many threads the encoder should run with, given what else the machine is doing.

Torch splits each operation of the model over its threads and waits for the
slowest at the end of it. When another program holds one of the cores, that
wait is a scheduler time slice per operation: on the shared 2-core machine this
was measured on, encoding with two threads while the other core was busy ran at
50 to 60 passages a second against 130 to 195 with one thread; with the
machine idle, two threads ran about 1.5 times faster than one (180 to 200
against 130). Neither fixed choice is right, so :class:`CoreWatch` measures,
between two calls, how much CPU time *other* programs took on the cores this
process may use (the machine's busy time in ``/proc/stat`` less this process's
own), and :meth:`CoreWatch.threads` offers every core they left free. Where
``/proc/stat`` cannot be read (not Linux), it keeps one core free, the choice
that never stalls.

(The trained judge's trees stay on one thread: predicted batch by batch
between the features, two threads made the 100 x 100 judging slower, 13.5 s
against 9.7 s for 40,000 pairs.)
"""

from __future__ import annotations

import os
import time


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def fallback_threads() -> int:
    """Every usable core but one, at least one: what to use when the load cannot be measured."""
    return max(1, usable_cores() - 1)


def _snapshot() -> tuple[float, float, float] | None:
    """(wall clock, busy CPU seconds of this process's cores, this process's CPU seconds), or None."""
    try:
        cpus = {f"cpu{i}" for i in os.sched_getaffinity(0)}
        with open("/proc/stat", encoding="ascii") as f:
            lines = [line.split() for line in f if line.startswith("cpu")]
        busy = 0
        for fields in lines:
            if fields[0] in cpus:
                # user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait
                ticks = [int(x) for x in fields[1:9]]
                busy += sum(ticks) - ticks[3] - ticks[4]
    except (AttributeError, OSError, ValueError, IndexError):  # not Linux, or a /proc/stat of another shape
        return None
    own = os.times()
    return time.monotonic(), busy / os.sysconf("SC_CLK_TCK"), own.user + own.system


class CoreWatch:
    """Measures the cores other programs keep busy between one call of :meth:`threads` and the next.

    ``warm_up`` seconds are measured before the first answer (the process
    sleeps meanwhile, so all it sees is the others' work); with ``warm_up=0``
    the first answer is :func:`fallback_threads`.
    """

    #: A core counts as free when others used less than this share of it.
    FREE_BELOW = 0.25

    def __init__(self, warm_up: float = 0.0) -> None:
        self._last = _snapshot()
        self.chosen: list[int] = []
        if warm_up > 0 and self._last is not None:
            time.sleep(warm_up)

    def others(self) -> float | None:
        """Cores' worth of CPU time other programs used since the last call (None if unknown)."""
        now, last = _snapshot(), self._last
        if now is None or last is None:
            self._last = now
            return None
        wall = now[0] - last[0]
        if wall < 0.05:  # too short to tell (a tick is 10 ms): measure on from the same start
            return None
        self._last = now
        return max(0.0, ((now[1] - last[1]) - (now[2] - last[2])) / wall)

    def threads(self) -> int:
        """Threads for the next step: the usable cores that others left free, at least one."""
        others = self.others()
        if others is None:
            count = self.chosen[-1] if self.chosen else fallback_threads()
        else:
            usable = usable_cores()
            count = max(1, min(usable, int(usable - others + self.FREE_BELOW)))
        self.chosen.append(count)
        return count
