#!/usr/bin/env python3
"""A small RingCX gRPC sender in Python (grpcio's asyncio client): an independent, non-Java client for
tests of callstream's gRPC receiver. Each call is its own channel (connection) and sends, as RingCX
does: DialogInit; SegmentStart for a contact and an agent (PCMU, 8000 Hz, 100 ms); SegmentMedia of
both (seq from 1 per segment, 800 bytes per chunk); one SegmentStop per segment; then it half-closes
the stream and waits for the server's answer.

Faults, chosen per call from random.Random(f"{seed}/{call}") so a seed repeats them:
  drop, duplicate, reorder   each hits about --fault-rate of the chunks per segment
  abort                      the call is cancelled at a chunk between 25 % and 75 % of the call, no stops
  garbage                    one event with unknown fields only (an unknown oneof case) and one
                             SegmentMedia for an unknown segment id, at random chunks

Output: one JSON line per call (status, chunks sent, what was injected, per segment), then the summary
line {"calls": N, "failedCalls": F, "mediaSent": M, "seconds": S, "mediaPerSecond": R}. Exit 0 when
every call ended with status OK (or was aborted on purpose), 1 otherwise.

--dump DIR writes each segment's audio as planned (every chunk in seq order, dropped ones included) as
DIR/<dialog id>-<segment id>.ul (raw G.711 mu-law), for bit-exact comparison with a recording.

Usage: grpc_sender.py --target 127.0.0.1:10443 [--tls --ca cert.pem | --tls --trust-server-certificate]
           [--secret S] [--calls N] [--duration S] [--agent F] [--contact F] [--realtime | --flood]
           [--fault drop,duplicate,reorder,abort,garbage] [--fault-rate 0.05] [--seed N] [--dump DIR]
           [--dialog-prefix P] [--proto FILE] [--gen-dir DIR]
Audio files: WAV (8 kHz mono 16-bit PCM) or raw mu-law (.ul); default: a tone per segment.
"""
import argparse
import asyncio
import json
import math
import os
import random
import ssl
import sys
import time
import warnings
import wave

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

import grpc
from google.protobuf import empty_pb2

import ringcx_proto

CHUNK_MS = 100
CHUNK_BYTES = 800
SILENCE = b"\xff"


def read_audio(path):
    if path.lower().endswith((".ul", ".ulaw", ".mulaw", ".raw")):
        with open(path, "rb") as f:
            return f.read()
    with wave.open(path, "rb") as w:
        if w.getframerate() != 8000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise SystemExit(f"{path}: need 8 kHz mono 16-bit PCM WAV")
        return audioop.lin2ulaw(w.readframes(w.getnframes()), 2)


def tone(frequency, seconds):
    n = int(8000 * seconds)
    pcm = bytearray()
    for i in range(n):
        pcm += int(8000 * math.sin(2 * math.pi * frequency * i / 8000)).to_bytes(2, "little", signed=True)
    return audioop.lin2ulaw(bytes(pcm), 2)


def chunks_of(mulaw, count):
    out = []
    for k in range(count):
        chunk = mulaw[k * CHUNK_BYTES:(k + 1) * CHUNK_BYTES]
        out.append(chunk + SILENCE * (CHUNK_BYTES - len(chunk)))
    return out


class Plan:
    """What one call sends, drawn before it starts."""

    def __init__(self, args, index, audio):
        rnd = random.Random(f"{args.seed}/{index}")
        self.index = index
        self.dialog = f"{args.dialog_prefix}-{args.seed}-{index}"
        self.session = str(index + 1)
        self.segments = [(f"{self.dialog}-contact", "contact-" + str(index), 1, "Caller"),
                         (f"{self.dialog}-agent", "agent-" + str(index), 2, "Agent")]
        count = max(len(a) for a in audio.values()) // CHUNK_BYTES if args.files else int(args.duration * 10)
        self.count = max(1, count)
        self.chunks = {seg[0]: chunks_of(audio[role], self.count) for seg, role in zip(self.segments, ("contact", "agent"))}
        faults = set(args.fault)
        # call-level draws first, in a fixed order, so they do not depend on the audio
        self.abort_at = self.count // 4 + rnd.randrange(max(1, self.count // 2)) if "abort" in faults else -1
        self.garbage_at = [rnd.randrange(self.count), rnd.randrange(self.count)] if "garbage" in faults else []
        frame_faults = [f for f in ("drop", "duplicate", "reorder") if f in faults]
        self.fault = {}
        for seg in self.segments:
            for k in range(self.count):
                draw = rnd.random()
                slot = int(draw / args.fault_rate) if args.fault_rate > 0 else len(frame_faults)
                if slot < len(frame_faults):
                    self.fault[(seg[0], k)] = frame_faults[slot]


async def play(args, pb, plan, credentials, options):
    report = {"index": plan.index, "dialogId": plan.dialog, "sessionId": plan.session, "status": None,
              "aborted": False, "garbageSent": 0, "mediaSent": 0,
              "segments": {s[0]: {"sent": [], "dropped": [], "duplicated": [], "reordered": []} for s in plan.segments}}
    metadata = (("authorization", "Bearer " + args.secret),) if args.secret else None
    target = args.target
    channel = grpc.aio.secure_channel(target, credentials, options) if credentials else grpc.aio.insecure_channel(target, options)
    holder = {}

    def event(**kwargs):
        return pb.StreamEvent(session_id=plan.session, **kwargs)

    def media(segment, k):
        report["segments"][segment]["sent"].append(k + 1)
        report["mediaSent"] += 1
        return event(segment_media=pb.SegmentMediaEvent(
            segment_id=segment,
            audio_content=pb.AudioContent(payload=plan.chunks[segment][k], seq=k + 1, duration=CHUNK_MS)))

    async def events():
        yield event(dialog_init=pb.DialogInitEvent(
            account=pb.Account(id="99990000", sub_account_id="99990001", rc_account_id="123456789"),
            dialog=pb.Dialog(id=plan.dialog, type=pb.INBOUND, ani="6505550100", dnis="6505550199", language="en-US",
                             attributes={"sender": "grpc_sender.py"})))
        for segment_id, participant, ptype, name in plan.segments:
            yield event(segment_start=pb.SegmentStartEvent(
                segment_id=segment_id, product=pb.Product(id="1234", type=pb.QUEUE),
                participant=pb.Participant(id=participant, type=ptype, name=name),
                audio_format=pb.AudioFormat(codec=pb.PCMU, rate=8000, ptime=CHUNK_MS)))
        started = time.monotonic()
        held = {}
        for k in range(plan.count):
            if args.realtime:
                wait = started + k * CHUNK_MS / 1000 - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            if k == plan.abort_at:
                report["aborted"] = True
                holder["call"].cancel()
                return
            for g, at in enumerate(plan.garbage_at):
                if at == k:
                    report["garbageSent"] += 1
                    if g == 0:
                        # a future event type: a oneof case this proto does not know, with unknown fields
                        unknown = pb.StreamEvent(session_id=plan.session).SerializeToString() + bytes([0xA2, 0x06, 0x03, 0x08, 0x96, 0x01])
                        yield pb.StreamEvent.FromString(unknown)
                    else:
                        yield event(segment_media=pb.SegmentMediaEvent(
                            segment_id="no-such-segment",
                            audio_content=pb.AudioContent(payload=SILENCE * CHUNK_BYTES, seq=1, duration=CHUNK_MS)))
            for segment_id, *_ in plan.segments:
                fault = plan.fault.get((segment_id, k))
                seg = report["segments"][segment_id]
                if segment_id in held:
                    yield media(segment_id, k)
                    late = held.pop(segment_id)
                    seg["reordered"].append(late + 1)
                    yield media(segment_id, late)
                elif fault == "drop":
                    seg["dropped"].append(k + 1)
                elif fault == "duplicate":
                    seg["duplicated"].append(k + 1)
                    yield media(segment_id, k)
                    yield media(segment_id, k)
                elif fault == "reorder" and k + 1 < plan.count:
                    held[segment_id] = k
                else:
                    yield media(segment_id, k)
        for segment_id, *_ in plan.segments:
            yield event(segment_stop=pb.SegmentStopEvent(segment_id=segment_id))

    multicallable = channel.stream_unary(ringcx_proto.METHOD, request_serializer=pb.StreamEvent.SerializeToString,
                                         response_deserializer=empty_pb2.Empty.FromString)
    try:
        call = multicallable(events(), metadata=metadata)
        holder["call"] = call
        try:
            await call
            report["status"] = "OK"
        except asyncio.CancelledError:
            report["status"] = "CANCELLED"
        except grpc.aio.AioRpcError as e:
            report["status"] = e.code().name
            report["details"] = e.details()
    finally:
        await channel.close()
    for seg in report["segments"].values():
        seg["sent"] = len(seg["sent"])
    return report


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--ca")
    parser.add_argument("--trust-server-certificate", action="store_true",
                        help="fetch the server's certificate first and trust exactly it (self-signed test servers)")
    parser.add_argument("--server-name", help="TLS name to verify instead of the target's host")
    parser.add_argument("--secret")
    parser.add_argument("--calls", type=int, default=1)
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--agent")
    parser.add_argument("--contact")
    pacing = parser.add_mutually_exclusive_group()
    pacing.add_argument("--realtime", action="store_true")
    pacing.add_argument("--flood", action="store_true")
    parser.add_argument("--fault", default="")
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dump")
    parser.add_argument("--dialog-prefix", default="py")
    parser.add_argument("--proto")
    parser.add_argument("--gen-dir")
    args = parser.parse_args()
    args.realtime = not args.flood
    args.fault = [f for f in args.fault.split(",") if f]
    for f in args.fault:
        if f not in ("drop", "duplicate", "reorder", "abort", "garbage"):
            raise SystemExit("unknown fault " + f)
    args.files = bool(args.agent or args.contact)
    pb = ringcx_proto.load(args.proto, args.gen_dir)

    seconds = args.duration
    audio = {"agent": read_audio(args.agent) if args.agent else None,
             "contact": read_audio(args.contact) if args.contact else None}
    if args.files:
        seconds = max(len(a) for a in audio.values() if a) / 8000
    audio = {"agent": audio["agent"] or tone(440, seconds), "contact": audio["contact"] or tone(660, seconds)}

    credentials, options = None, []
    if args.tls:
        if args.ca:
            with open(args.ca, "rb") as f:
                root = f.read()
        elif args.trust_server_certificate:
            host, port = args.target.rsplit(":", 1)
            root = ssl.get_server_certificate((host, int(port))).encode()
        else:
            root = None
        credentials = grpc.ssl_channel_credentials(root_certificates=root)
        if args.server_name:
            options.append(("grpc.ssl_target_name_override", args.server_name))

    plans = [Plan(args, i, audio) for i in range(args.calls)]
    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
        for plan in plans:
            for segment_id, chunks in plan.chunks.items():
                with open(os.path.join(args.dump, segment_id + ".ul"), "wb") as f:
                    f.write(b"".join(chunks))
    began = time.monotonic()
    reports = await asyncio.gather(*(play(args, pb, plan, credentials, options) for plan in plans))
    elapsed = time.monotonic() - began
    failed = 0
    for report in reports:
        if report["status"] != "OK" and not (report["aborted"] and report["status"] == "CANCELLED"):
            failed += 1
        print(json.dumps(report), flush=True)
    media = sum(r["mediaSent"] for r in reports)
    print(json.dumps({"calls": len(reports), "failedCalls": failed, "mediaSent": media, "seconds": round(elapsed, 3),
                      "mediaPerSecond": round(media / elapsed, 1) if elapsed > 0 else 0}), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
