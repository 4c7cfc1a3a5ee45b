#!/usr/bin/env python3
"""Summarise a JFR recording: top self frames and top callstream frames of execution samples,
and allocation samples by type and allocating frame.

Usage: jfr_top.py RECORDING.jfr [--top N] [--filter THREAD_SUBSTRING]
Needs the JDK's `jfr` tool on PATH.
"""
import argparse
import collections
import json
import subprocess


def events(path, name):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", name, path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def frame_name(frame):
    method = frame["method"]
    return (method["type"]["name"] + "." + method["name"]).replace("/", ".")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("recording")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--filter", default=None, help="only threads whose name contains this")
    args = parser.parse_args()

    samples = events(args.recording, "jdk.ExecutionSample")
    if args.filter:
        samples = [e for e in samples if args.filter in (e["values"].get("sampledThread") or {}).get("javaName", "")]
    self_count = collections.Counter()
    own_count = collections.Counter()
    for e in samples:
        frames = (e["values"].get("stackTrace") or {}).get("frames") or []
        if not frames:
            continue
        self_count[frame_name(frames[0])] += 1
        seen = set()
        for f in frames:
            n = frame_name(f)
            if n.startswith("dev.callstream.") and "bench" not in n and n not in seen:
                own_count[n] += 1
                seen.add(n)
    total = max(1, len(samples))
    print(f"execution samples: {len(samples)}")
    print("top self frames:")
    for name, n in self_count.most_common(args.top):
        print(f"  {100.0 * n / total:5.1f}%  {name}")
    print("callstream frames on stack (inclusive):")
    for name, n in own_count.most_common(args.top):
        print(f"  {100.0 * n / total:5.1f}%  {name}")

    writes = events(args.recording, "jdk.FileWrite")
    if writes:
        def millis(e):
            d = e["values"].get("duration", "PT0S")  # ISO-8601, e.g. PT0.0171S
            return float(d.replace("PT", "").replace("S", "") or 0) * 1000 if d.endswith("S") and "M" not in d else 0.0
        longest = max(millis(e) for e in writes)
        print(f"file writes over the recording threshold: {len(writes)}, longest {longest:.1f} ms")

    allocs = events(args.recording, "jdk.ObjectAllocationSample")
    if args.filter:
        allocs = [e for e in allocs if args.filter in (e["values"].get("eventThread") or {}).get("javaName", "")]
    by_site = collections.Counter()
    weight_total = 0
    for e in allocs:
        v = e["values"]
        w = v.get("weight", 0)
        weight_total += w
        frames = (v.get("stackTrace") or {}).get("frames") or []
        site = frame_name(frames[0]) if frames else "?"
        caller = next((frame_name(f) for f in frames if frame_name(f).startswith("dev.callstream.")), "-")
        by_site[(v["objectClass"]["name"], site, caller)] += w
    if weight_total:
        print("allocation (sampled weight) by type / allocating frame / first callstream frame:")
        for (cls, site, caller), w in by_site.most_common(args.top):
            print(f"  {100.0 * w / weight_total:5.1f}%  {cls}  at {site}  via {caller}")


if __name__ == "__main__":
    main()
