"""Loads the RingCX streaming messages for the Python gRPC peers (grpc_receiver.py, grpc_sender.py).

Nothing generated is checked in: the message classes are generated with `protoc --python_out` from
callstream-grpc's .proto into a directory the caller chooses (a target/ folder) when they are missing
or older than the .proto. The service glue is hand-written with grpc's generic handlers
(`stream_unary`), because Debian's python3-grpcio ships no grpc_tools to generate it.

Needs Debian's protobuf-compiler (protoc), python3-protobuf and python3-grpcio.
"""
import importlib
import os
import subprocess
import sys

SERVICE = "ringcentral.ringcx.streaming.v1beta2.Streaming"
METHOD = "/" + SERVICE + "/Stream"

_HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO = os.path.normpath(
    os.path.join(_HERE, "..", "..", "..", "..", "callstream-grpc", "src", "main", "proto", "ringcx_streaming.proto"))


def load(proto=None, gen_dir=None):
    """Generates (when needed) and imports ringcx_streaming_pb2; returns the module."""
    proto = os.path.abspath(proto or DEFAULT_PROTO)
    if not os.path.isfile(proto):
        raise SystemExit("no .proto at " + proto + " (pass --proto)")
    gen_dir = os.path.abspath(gen_dir or os.path.join(os.getcwd(), "target", "python-gen"))
    os.makedirs(gen_dir, exist_ok=True)
    name = os.path.splitext(os.path.basename(proto))[0] + "_pb2"
    generated = os.path.join(gen_dir, name + ".py")
    if not os.path.exists(generated) or os.path.getmtime(generated) < os.path.getmtime(proto):
        # protoc finds google/protobuf/empty.proto in its own include directory (/usr/include)
        subprocess.run(["protoc", "-I", os.path.dirname(proto), "--python_out=" + gen_dir, proto], check=True)
    if gen_dir not in sys.path:
        sys.path.insert(0, gen_dir)
    return importlib.import_module(name)
