#!/usr/bin/env python3
"""A minimal but correct RingCX gRPC audio streaming receiver in Python (grpcio's asyncio server):
the fair peer of callstream's gRPC benchmarks, doing the work minimal_receiver.py does for WebSocket.
Per SegmentMedia it decodes the G.711 payload to 16-bit PCM (audioop, table-driven C: PCMU or PCMA as
the segment's SegmentStart says); it keeps one state per stream, writes nothing and logs nothing per
message. Protobuf parsing is done by python3-protobuf (its C++/upb backend when present).

For the benchmark it counts SegmentMedia chunks and the delivery latency of probe audio, and answers
the stats/reset/quit commands on stdin: see receiver_stats.py, shared with minimal_receiver.py.

Usage: grpc_receiver.py [--host 127.0.0.1] [--port 10443] [--proto FILE] [--gen-dir DIR]
Prints `listening on grpc://HOST:PORT` when ready (plaintext HTTP/2, loopback benchmarks only).
"""
import argparse
import asyncio
import threading
import time

import grpc
from google.protobuf import empty_pb2

import ringcx_proto
from receiver_stats import STATS, audioop, command_loop

EMPTY = empty_pb2.Empty()


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
                    stats.delivered(payload, now)
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
