#!/usr/bin/env python3
"""A minimal but correct Engage Voice Call Streaming receiver in Python: the fair peer of the
callstream benchmarks. Per Media message it parses the JSON, decodes the base64 payload and decodes
G.711 mu-law to 16-bit PCM (audioop, table-driven C); it keeps one state per connection, writes
nothing, and logs nothing per message.

For the benchmark it counts Media frames and, when a frame starts with an 8-byte big-endian
CLOCK_MONOTONIC nanosecond timestamp (callstream-bench's probe audio), records the delivery latency.
Commands on stdin, one per line, each answered by one JSON line on stdout:
  stats  -> {"frames": N, "calls": OPEN, "started": N, "ended": N, "latency": {...}}
  reset  -> clears the latency samples and the window frame counter
  quit   -> exits

Usage: minimal_receiver.py [--host 127.0.0.1] [--port 3333]   (needs the `websockets` package)
"""
import argparse
import asyncio
import base64
import json
import sys
import threading
import time
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # deprecated in 3.11, removed in 3.13; fine on Debian 12's 3.11

import websockets

MAX_SAMPLES = 2_000_000
PLAUSIBLE_NS = 60_000_000_000


class Stats:
    def __init__(self):
        self.frames = 0
        self.window_frames = 0
        self.started = 0
        self.ended = 0
        self.latencies = []


STATS = Stats()


async def handle(websocket, path=None):
    stats = STATS
    stats.started += 1
    channels = {}
    try:
        async for message in websocket:
            event = json.loads(message)
            kind = event.get("event")
            if kind == "Media":
                payload = base64.b64decode(event["media"])
                pcm = audioop.ulaw2lin(payload, 2)
                now = time.monotonic_ns()
                side = event.get("perspective")
                channels[side] = channels.get(side, 0) + len(pcm)
                stats.frames += 1
                stats.window_frames += 1
                if len(payload) >= 8 and len(stats.latencies) < MAX_SAMPLES:
                    sent = int.from_bytes(payload[:8], "big")
                    if 0 <= now - sent < PLAUSIBLE_NS:
                        stats.latencies.append(now - sent)
            elif kind == "Stop":
                channels["stops"] = channels.get("stops", 0) + 1
                if channels["stops"] >= 2:
                    break
    except websockets.ConnectionClosed:
        pass
    finally:
        stats.ended += 1


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, int(q * len(sorted_values)))
    return sorted_values[index] / 1000.0


def command_loop(loop, stop):
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


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3333)
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    async with websockets.serve(handle, args.host, args.port, max_size=64 * 1024, ping_interval=None):
        print(f"listening on ws://{args.host}:{args.port}/", flush=True)
        threading.Thread(target=command_loop, args=(loop, stop), daemon=True).start()
        await stop


if __name__ == "__main__":
    asyncio.run(main())
