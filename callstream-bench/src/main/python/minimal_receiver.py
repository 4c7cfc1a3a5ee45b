#!/usr/bin/env python3
"""A minimal but correct Engage Voice Call Streaming receiver in Python: the fair peer of the
callstream benchmarks. Per Media message it parses the JSON, decodes the base64 payload and decodes
G.711 mu-law to 16-bit PCM (audioop, table-driven C); it keeps one state per connection, writes
nothing, and logs nothing per message.

For the benchmark it counts Media frames and the delivery latency of probe audio, and answers the
stats/reset/quit commands on stdin: see receiver_stats.py, shared with grpc_receiver.py.

Usage: minimal_receiver.py [--host 127.0.0.1] [--port 3333]   (needs the `websockets` package)
"""
import argparse
import asyncio
import base64
import json
import threading
import time

import websockets

from receiver_stats import STATS, audioop, command_loop


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
                stats.delivered(payload, now)
            elif kind == "Stop":
                channels["stops"] = channels.get("stops", 0) + 1
                if channels["stops"] >= 2:
                    break
    except websockets.ConnectionClosed:
        pass
    finally:
        stats.ended += 1


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
