#!/usr/bin/env python3
"""A minimal but correct RingCX gRPC audio streaming receiver in Python (grpcio's asyncio server):
the fair peer of callstream's gRPC benchmarks, doing the work minimal_receiver.py does for WebSocket.
Per SegmentMedia it decodes the G.711 payload to 16-bit PCM (audioop, table-driven C: PCMU or PCMA as
the segment's SegmentStart says); it keeps one state per stream, writes nothing and logs nothing per
message. Protobuf parsing is done by python3-protobuf (its C++/upb backend when present).

For the benchmark it counts SegmentMedia chunks and, when a chunk starts with an 8-byte big-endian
CLOCK_MONOTONIC nanosecond timestamp (callstream-bench's probe audio), records the delivery latency.
Commands on stdin, one per line, each answered by one JSON line on stdout:
  stats  -> {"frames": N, "windowFrames": N, "calls": OPEN, "started": N, "ended": N, "latency": {...}}
  reset  -> clears the latency samples and the window counter
  quit   -> exits

Usage: grpc_receiver.py [--host 127.0.0.1] [--port 10443] [--proto FILE] [--gen-dir DIR]
Prints `listening on grpc://HOST:PORT` when ready (plaintext HTTP/2, loopback benchmarks only).
"""
import argparse
import asyncio
import json
import sys
import threading
import time
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # deprecated in 3.11, removed in 3.13; fine on Debian 12's 3.11

import grpc
from google.protobuf import empty_pb2

import ringcx_proto

EMPTY = empty_pb2.Empty()

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


def make_handler(pb):
    pcma = pb.PCMA

    async def stream(request_iterator, context):
        stats = STATS
        stats.started += 1
        decoders = {}  # segment id -> audioop decoder
        samples = {}   # segment id -> PCM bytes decoded (the per-segment state a real receiver keeps)
        try:
            async for event in request_iterator:
                kind = event.WhichOneof("event")
                if kind == "segment_media":
                    media = event.segment_media
                    decode = decoders.get(media.segment_id)
                    if decode is None:
                        continue  # media for a segment that never started: ignored
                    payload = media.audio_content.payload
                    pcm = decode(payload, 2)
                    now = time.monotonic_ns()
                    samples[media.segment_id] += len(pcm)
                    stats.frames += 1
                    stats.window_frames += 1
                    if len(payload) >= 8 and len(stats.latencies) < MAX_SAMPLES:
                        sent = int.from_bytes(payload[:8], "big")
                        if 0 <= now - sent < PLAUSIBLE_NS:
                            stats.latencies.append(now - sent)
                elif kind == "segment_start":
                    start = event.segment_start
                    codec = start.audio_format.codec if start.HasField("audio_format") else pb.PCMU
                    decoders[start.segment_id] = audioop.alaw2lin if codec == pcma else audioop.ulaw2lin
                    samples[start.segment_id] = 0
                elif kind == "segment_stop":
                    decoders.pop(event.segment_stop.segment_id, None)
        finally:
            stats.ended += 1
        return EMPTY

    return stream


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
    parser.add_argument("--port", type=int, default=10443)
    parser.add_argument("--proto")
    parser.add_argument("--gen-dir")
    args = parser.parse_args()
    pb = ringcx_proto.load(args.proto, args.gen_dir)

    handler = grpc.method_handlers_generic_handler(ringcx_proto.SERVICE, {
        "Stream": grpc.stream_unary_rpc_method_handler(
            make_handler(pb), request_deserializer=pb.StreamEvent.FromString,
            response_serializer=empty_pb2.Empty.SerializeToString),
    })
    server = grpc.aio.server(options=[("grpc.max_receive_message_length", 64 * 1024)])
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port(f"{args.host}:{args.port}")
    await server.start()
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    print(f"listening on grpc://{args.host}:{port}", flush=True)
    threading.Thread(target=command_loop, args=(loop, stop), daemon=True).start()
    await stop
    await server.stop(1)


if __name__ == "__main__":
    asyncio.run(main())
