#!/usr/bin/python3
"""An independent consumer of callstream's Kafka topic (CONTRACTS.md section 7, docs/KAFKA.md).

Reads every partition of TOPIC from the beginning to its current end and rebuilds each call's
audio from the records alone: for every call key, OUT/<key>/agent.s16 and OUT/<key>/conference.s16
(16-bit little-endian PCM at the call's rate, what agent.wav and conference.wav hold after their
header) and OUT/<key>/call-end.json (the call-end record's value, when it came). Prints one JSON
line per call and a summary line. Written from the documented format only: no callstream code.

Usage: rebuild_calls.py BOOTSTRAP TOPIC OUT_DIR [TIMEOUT_SECONDS]
Needs the confluent-kafka module (Debian: python3-confluent-kafka).
"""
import json
import os
import struct
import sys
import time

from confluent_kafka import Consumer, KafkaException, TopicPartition


def mulaw_to_linear(code):
    """ITU-T G.711 mu-law to a 16-bit sample."""
    code = ~code & 0xFF
    t = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
    return (0x84 - t) if (code & 0x80) else (t - 0x84)


def alaw_to_linear(code):
    """ITU-T G.711 A-law to a 16-bit sample."""
    code ^= 0x55
    t = (code & 0x0F) << 4
    segment = (code & 0x70) >> 4
    if segment == 0:
        t += 8
    elif segment == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (segment - 1)
    return t if (code & 0x80) else -t


DECODE = {
    "PCMU": [mulaw_to_linear(c) for c in range(256)],
    "PCMA": [alaw_to_linear(c) for c in range(256)],
}


def header(msg, name):
    for key, value in msg.headers() or []:
        if key == name:
            return value.decode("utf-8")
    return None


class Segment:
    def __init__(self, spec):
        fmt = spec["format"]
        self.codec = fmt["codec"]
        self.rate = int(fmt["rate"])
        self.ptime = int(fmt["ptime"])
        self.channel = spec["channel"]
        self.start_millis = int(spec.get("startMillis", 0))
        self.samples_per_slot = self.rate * self.ptime // 1000
        self.next = 0
        self.samples = []  # decoded 16-bit samples from this segment's slot 0 on

    def silence_to(self, position):
        if position > self.next:
            self.samples.extend([0] * ((position - self.next) * self.samples_per_slot))
            self.next = position

    def audio(self, position, codec, payload):
        if position < self.next:
            return  # a repeat: every slot once
        self.silence_to(position)
        table = DECODE.get(codec)
        if table is None:
            raise ValueError("codec %s is not G.711" % codec)
        self.samples.extend(table[b] for b in payload)
        self.next = position + 1

    def gap(self, position, count):
        self.silence_to(max(self.next, position + count))


class Call:
    def __init__(self, key, start):
        self.key = key
        self.segments = {}
        self.end = None
        self.records = 0
        for spec in start.get("segments", []):
            self.segments[spec["id"]] = Segment(spec)

    def segment(self, msg):
        name = header(msg, "segment") or header(msg, "channel")
        return self.segments.get(name)

    def side(self, channel):
        """The sum of the channel's segments at their start offsets, clipped to 16 bits."""
        mixed = []
        for seg in self.segments.values():
            if seg.channel != channel:
                continue
            offset = seg.start_millis * seg.rate // 1000
            if len(mixed) < offset + len(seg.samples):
                mixed.extend([0] * (offset + len(seg.samples) - len(mixed)))
            for i, s in enumerate(seg.samples):
                mixed[offset + i] += s
        return [max(-32768, min(32767, s)) for s in mixed]


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    bootstrap, topic, out = sys.argv[1], sys.argv[2], sys.argv[3]
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "rebuild-calls-py",  # required by the client; no offsets are committed
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    })
    metadata = consumer.list_topics(topic, timeout=30)
    described = metadata.topics.get(topic)
    if described is None or described.error is not None:
        print("topic %s does not exist at %s" % (topic, bootstrap), file=sys.stderr)
        return 1
    partitions = sorted(described.partitions)
    ends = {}
    for p in partitions:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
        ends[p] = high
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])  # from offset 0, no group join

    calls = {}
    finished = []
    positions = {p: 0 for p in partitions}
    deadline = time.monotonic() + timeout
    while any(positions[p] < ends[p] for p in partitions):
        if time.monotonic() > deadline:
            print("timed out reading %s: at %s of %s" % (topic, positions, ends), file=sys.stderr)
            return 1
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            raise KafkaException(msg.error())
        positions[msg.partition()] = msg.offset() + 1
        key = msg.key().decode("utf-8")
        event = header(msg, "callstream-event")
        if event == "call-start":
            if key in calls:
                finished.append(calls.pop(key))  # ended without its call-end
            calls[key] = Call(key, json.loads(msg.value()))
            continue
        call = calls.get(key)
        if call is None:
            continue  # the call's start is before what this topic keeps
        call.records += 1
        if event == "audio":
            seg = call.segment(msg)
            seg.audio(int(header(msg, "position")), header(msg, "codec") or seg.codec, msg.value())
        elif event == "gap":
            call.segment(msg).gap(int(header(msg, "position")), int(header(msg, "count")))
        elif event == "segment-start":
            spec = json.loads(msg.value())
            call.segments.setdefault(spec["id"], Segment(spec))
        elif event == "call-end":
            call.end = json.loads(msg.value())
            finished.append(calls.pop(key))
        # stop, segment-info and unknown types: nothing to rebuild
    consumer.close()
    finished.extend(calls.values())

    for call in finished:
        folder = os.path.join(out, call.key)
        os.makedirs(folder, exist_ok=True)
        agent, conference = call.side("agent"), call.side("conference")
        length = max(len(agent), len(conference))
        for name, samples in (("agent", agent), ("conference", conference)):
            samples = samples + [0] * (length - len(samples))
            with open(os.path.join(folder, name + ".s16"), "wb") as f:
                f.write(struct.pack("<%dh" % len(samples), *samples))
        if call.end is not None:
            with open(os.path.join(folder, "call-end.json"), "w") as f:
                json.dump(call.end, f)
        print(json.dumps({"call": call.key, "samples": length, "ended": call.end is not None,
                          "kafkaDropped": (call.end or {}).get("kafkaDropped")}))
    print(json.dumps({"calls": len(finished), "partitions": len(partitions),
                      "records": sum(ends.values())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
