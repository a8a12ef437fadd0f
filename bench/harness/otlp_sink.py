"""An OTLP/HTTP trace sink for the observability bench: takes POST /v1/traces (protobuf), answers
200 with an empty ExportTraceServiceResponse, and counts the spans by walking the protobuf's
length-delimited fields (resource_spans=1 > scope_spans=2 > spans=2); GET /count gives the total."""

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

count = 0
lock = threading.Lock()


def fields(data):
    """(field number, value bytes) of the length-delimited fields of one protobuf message."""
    i = 0
    while i < len(data):
        key, i = varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 2:
            length, i = varint(data, i)
            yield number, data[i:i + length]
            i += length
        elif wire == 0:
            _, i = varint(data, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError(f"wire type {wire}")


def varint(data, i):
    shift = result = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def spans(body):
    n = 0
    for number, resource in fields(body):
        if number == 1:
            for number2, scope in fields(resource):
                if number2 == 2:
                    n += sum(1 for number3, _ in fields(scope) if number3 == 2)
    return n


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        with lock:
            count += spans(body)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def do_GET(self):
        text = str(count).encode()
        self.send_response(200)
        self.send_header("content-length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
