"""What the benchmark's two Python receivers share (minimal_receiver.py for WebSocket, grpc_receiver.py
for gRPC): G.711 decoding through audioop, the frame counters, the delivery latencies of
callstream-bench's probe audio and the stdin command loop LoadRun drives. Each receiver only parses
its own protocol. Imported as a sibling module: Python puts a script's own folder first on sys.path,
and LoadRun starts the receivers as scripts from this folder (--python-dir).

A frame whose payload starts with an 8-byte big-endian CLOCK_MONOTONIC nanosecond timestamp (the
probe audio) gives one latency sample. Commands on stdin, one per line, each answered by one JSON line
on stdout:
  stats  -> {"frames": N, "windowFrames": N, "calls": OPEN, "started": N, "ended": N, "gaps": 0, "latency": {...}}
  reset  -> clears the latency samples and the window counter
  quit   -> ends the loop and resolves the receiver's stop future
"""
import json
import sys
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # noqa: F401 (the receivers' decoder); deprecated in 3.11, removed in 3.13; fine on Debian 12's 3.11

MAX_SAMPLES = 2_000_000
PLAUSIBLE_NS = 60_000_000_000


class Stats:
    """Counters of one receiver process, touched only by its event loop's thread (and read by the
    command thread, which tolerates a stale value)."""

    def __init__(self):
        self.frames = 0
        self.window_frames = 0
        self.started = 0
        self.ended = 0
        self.latencies = []

    def delivered(self, payload, now):
        """Counts one decoded frame whose G.711 bytes are `payload`, decoded at `now` (monotonic ns)."""
        self.frames += 1
        self.window_frames += 1
        if len(payload) >= 8 and len(self.latencies) < MAX_SAMPLES:
            sent = int.from_bytes(payload[:8], "big")
            if 0 <= now - sent < PLAUSIBLE_NS:
                self.latencies.append(now - sent)


STATS = Stats()


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, int(q * len(sorted_values)))
    return sorted_values[index] / 1000.0


def command_loop(loop, stop):
    """Answers stdin's commands until `quit` or end of input, then resolves `stop` on `loop`."""
    for line in sys.stdin:
        command = line.strip()
        stats = STATS
        if command == "stats":
            values = sorted(stats.latencies)
            latency = {"count": len(values), "p50us": percentile(values, 0.5), "p99us": percentile(values, 0.99),
                       "p999us": percentile(values, 0.999), "maxus": values[-1] / 1000.0 if values else None}
            print(json.dumps({"frames": stats.frames, "windowFrames": stats.window_frames,
                              "calls": stats.started - stats.ended, "started": stats.started, "ended": stats.ended,
                              "gaps": 0, "latency": latency}), flush=True)
        elif command == "reset":
            stats.latencies = []
            stats.window_frames = 0
            print(json.dumps({"ok": True}), flush=True)
        elif command == "quit":
            break
    loop.call_soon_threadsafe(stop.set_result, None)
