#!/usr/bin/env python3
"""An independent Engage Voice sender (Python, Debian's python3-websockets): plays the calls of a
plan concurrently and prints one JSON line per call with how it ended.

The plan (JSON, path in argv[1]) says what to send; this script only speaks the wire format:
  {"calls": [{"url": "ws://127.0.0.1:8080/calls?callId=c1&sessionId=1",
              "headers": {"Authorization": "Bearer s"},
              "callId": "c1", "sessionId": "1",
              "agent": "<base64 mu-law>", "conference": "<base64 mu-law>",
              "order": [["Participant", 1], ["Conference", 1], ...]}]}
Each "order" entry sends frame seq-1 (160 bytes) of that side with sequenceId "seq", so drops,
duplicates and reordering are decided by the plan. Output per call:
  {"callId": "c1", "status": 101, "closeCode": 1000, "error": null}
status is the HTTP status of a refused upgrade (401, 503...), closeCode the server's close code.
"""
import asyncio
import base64
import json
import sys

import websockets

FRAME = 160


async def play(call):
    result = {"callId": call["callId"], "status": None, "closeCode": None, "error": None}
    frames = {"Participant": base64.b64decode(call["agent"]),
              "Conference": base64.b64decode(call["conference"])}
    try:
        ws = await websockets.connect(call["url"], extra_headers=list(call.get("headers", {}).items()),
                                      max_size=None, ping_interval=None, open_timeout=10)
    except websockets.exceptions.InvalidStatusCode as e:
        result["status"] = e.status_code
        return result
    except Exception as e:  # connection refused, timeout...
        result["error"] = repr(e)
        return result
    result["status"] = 101
    try:
        await ws.send(json.dumps({"event": "Connected", "protocol": "AgentSession", "version": "1.0.0"}))
        await ws.send(json.dumps({"event": "Start", "metadata": {
            "callId": call["callId"], "sessionId": call["sessionId"], "ani": "2223334444",
            "dnis": "5556667777", "accountId": "99990000", "subaccountId": "99990001",
            "rcAccountId": "123456789", "agentId": "123", "productType": "Queue", "productId": "1234",
            "contentType": "audio/x-mulaw", "sampleRateHertz": 8000}}))
        for index, (perspective, seq) in enumerate(call["order"]):
            media = frames[perspective][(seq - 1) * FRAME:seq * FRAME]
            await ws.send(json.dumps({"event": "Media", "perspective": perspective, "sequenceId": str(seq),
                                      "media": base64.b64encode(media).decode("ascii")}))
            if index % 50 == 49:
                await asyncio.sleep(0)   # let the other calls interleave
        for _ in range(2):
            await ws.send(json.dumps({"event": "Stop", "metadata": {
                "duration": 2, "end_time": "2026-11-30T00:00:00Z"}}))
    except websockets.exceptions.ConnectionClosed:
        pass
    except Exception as e:
        result["error"] = repr(e)
    try:
        await asyncio.wait_for(ws.wait_closed(), 20)
    except asyncio.TimeoutError:
        result["error"] = "the server did not close within 20 s"
        await ws.close()
    result["closeCode"] = ws.close_code
    return result


async def main(path):
    with open(path, encoding="utf-8") as f:
        plan = json.load(f)
    results = await asyncio.gather(*(play(call) for call in plan["calls"]))
    for result in results:
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
