# The vendor's sample Call Streaming server, copied verbatim (code unchanged, including its trailing
# whitespace) from the "Sample Code" section of RingCentral's "Introduction to Call Streaming" page, as
# kept in this project's shared reference: /work/shared/reference/engage-voice-call-streaming-intro.md
# Used by run-benchmarks.sh as a peer ("python-vendor"). Known behaviour, kept as published: it logs
# every message at INFO (payload included), and its WAV handles are module globals, so concurrent
# calls write into whichever call started last.
import argparse
import asyncio
import json
import logging
import websockets
import wave
import base64
from pathlib import Path


logging.basicConfig(level=logging.INFO)

streaming_sessions = {}

receive = ""
transmit = ""
recording_directory = "./recordings/"

def log_message(message: str) -> None:
    logging.info(f"Message: {message}")

def consumeStartMessage(message, streaming_session) -> None:
    logging.info("Received a START Message for session_id " + streaming_session["id"])
    global transmit
    transmit = wave.open(recording_directory + streaming_session["id"] + "_conference.wav", mode='wb')
    transmit.setnchannels(1)
    transmit.setsampwidth(1)
    transmit.setframerate(11000)

    global receive
    receive = wave.open(recording_directory + streaming_session["id"] + "_agent.wav", mode='wb')
    receive.setnchannels(1)
    receive.setsampwidth(1)
    receive.setframerate(11000)
    log_message(message)

def consumeMediaMessage(message, streaming_session) -> None:
    logging.info("Received MEDIA Message for session_id " + streaming_session["id"])
    media = message["media"]
    logging.info(media)
    media_bytes = base64.b64decode(media)
    logging.info(type(media_bytes))
    if message["perspective"] == "Participant" :
        receive.writeframes(media_bytes)


    if message["perspective"] == "Conference" :
        transmit.writeframes(media_bytes)
    log_message(message)


def consumeStopMessage(message, streaming_session) -> None:
    logging.info("Received STOP Message for session_id " + streaming_session["id"])
    receive.close()
    transmit.close()
    log_message(message)

def build_session(message, websocket) -> None:
    streaming_session = {"metadata": {}, "id": ""}
    streaming_sessions[websocket] = streaming_session
    streaming_session["metadata"] = message["metadata"]
    streaming_session["id"] = str(streaming_session["metadata"]["callId"]) + "-" + str(streaming_session["metadata"]["sessionId"])

async def handle(websocket, path):
    logging.info("we got a message")
    logging.info(path)
    async for messageStr in websocket:
        logging.info(messageStr)
        message = json.loads(messageStr)
        if message["event"] is not None and message["event"] == "Connected":
            logging.info("Consumed ACK")
        elif message["event"] is not None and message["event"] == "Start":
            build_session(message=message, websocket=websocket)
            consumeStartMessage(message, streaming_session=streaming_sessions[websocket])
        elif message["event"] is not None and message["event"] == "Media":
            consumeMediaMessage(message, streaming_session=streaming_sessions[websocket])
        elif message["event"] is not None and message["event"] == "Stop":
            consumeStopMessage(message, streaming_session=streaming_sessions[websocket])
            break


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Starts up a SimpleWebSocket Server, will send messages to all conencted consumers')
    parser.add_argument('--port',"-p", help='port number of the producer sending websocket data')
    parser.add_argument('--hostname',"-n", help='hostname of the producer websocket')

    args = parser.parse_args()

    if args.hostname is None:
        logging.info('No Hostname was supplied, defaulting to 127.0.0.1')
        args.hostname = '127.0.0.1'

    if args.port is None:
        logging.info('No port was supplied, defaulting to 3333')
        args.port = 3333

    Path(recording_directory).mkdir(parents=True, exist_ok=True)
    start_server = websockets.serve(handle, args.hostname, args.port, ping_interval=1, ping_timeout=500000)
    logging.info("Server started on host: " + args.hostname + ":" + str(args.port))
    loop = asyncio.get_event_loop()                                                                                         
    loop.run_until_complete(start_server)
    loop.run_forever()
