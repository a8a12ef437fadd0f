"""HTTP/2 frames written and read by hand, for clients that must be able to do what a well-behaved
library refuses to (a request without :method, 1,000 streams at once, a reset in the same write as
its HEADERS, a flood of PINGs). Header blocks are encoded without touching the HPACK dynamic table,
so the same bytes may be sent any number of times; answers are decoded with python3-h2's hpack."""

import asyncio
import struct

import hpack

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0, 1, 3, 4, 6, 7, 8, 9
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4
HEADER_TABLE_SIZE, MAX_CONCURRENT_STREAMS, INITIAL_WINDOW_SIZE, MAX_FRAME_SIZE = 1, 3, 4, 5
ERRORS = {0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR", 3: "FLOW_CONTROL_ERROR",
          4: "SETTINGS_TIMEOUT", 5: "STREAM_CLOSED", 6: "FRAME_SIZE_ERROR", 7: "REFUSED_STREAM",
          8: "CANCEL", 9: "COMPRESSION_ERROR", 10: "CONNECT_ERROR", 11: "ENHANCE_YOUR_CALM",
          12: "INADEQUATE_SECURITY", 13: "HTTP_1_1_REQUIRED"}
CANCEL = 8
# Names of HPACK's static table (RFC 7541 appendix A) that a request uses, by index.
STATIC_NAMES = {":authority": 1, ":method": 2, ":path": 4, ":scheme": 6, "accept": 19,
                "content-length": 28, "host": 38, "user-agent": 58}


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + struct.pack(">BBI", kind, flags, stream) + payload


def settings(**values):
    """SETTINGS with values by id, e.g. settings(**{"4": 0}); settings() is an empty one."""
    return frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", int(k), v) for k, v in values.items()))


def settings_ack():
    return frame(SETTINGS, ACK, 0)


def ping(data=b"\0" * 8):
    return frame(PING, 0, 0, data)


def rst(stream, code=CANCEL):
    return frame(RST_STREAM, 0, stream, struct.pack(">I", code))


def window_update(stream, increment):
    return frame(WINDOW_UPDATE, 0, stream, struct.pack(">I", increment))


def header_block(fields):
    """fields as (name, value) pairs, each a literal never added to the dynamic table (name by
    static index where there is one), so the block decodes the same on every connection."""
    out = bytearray()
    for name, value in fields:
        value = value.encode() if isinstance(value, str) else value
        index = STATIC_NAMES.get(name)
        if index is not None:
            out += _integer(index, 4, 0x00)
        else:
            out += b"\x00" + _integer(len(name), 7, 0) + name.encode()
        out += _integer(len(value), 7, 0) + value
    return bytes(out)


def _integer(value, prefix_bits, first):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = bytearray([first | limit])
    value -= limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def headers(stream, fields, end_stream=True):
    return frame(HEADERS, END_HEADERS | (END_STREAM if end_stream else 0), stream, header_block(fields))


def get(stream, path, authority="attack.test", extra=()):
    return headers(stream, [(":method", "GET"), (":scheme", "http"), (":path", path),
                            (":authority", authority), *extra])


def client_start(initial_window=None, connection_window=None):
    """Preface and our SETTINGS (an initial stream window if given), plus a connection WINDOW_UPDATE
    when connection_window is larger than the default 65,535."""
    out = PREFACE + (settings(**{str(INITIAL_WINDOW_SIZE): initial_window}) if initial_window is not None
                     else settings())
    if connection_window and connection_window > 65535:
        out += window_update(0, connection_window - 65535)
    return out


class FrameReader:
    """Reads frames from an asyncio stream; decodes header blocks in order (HPACK state is per
    connection) and acknowledges the peer's SETTINGS when asked to."""

    def __init__(self, reader, writer=None):
        self.reader, self.writer = reader, writer
        self.decoder = hpack.Decoder()
        self.decoder.max_allowed_table_size = 1 << 16

    async def next(self):
        """(type, flags, stream, payload) or None at the end of the connection; HEADERS payloads
        (with their CONTINUATIONs) come back decoded as a dict."""
        try:
            head = await self.reader.readexactly(9)
            length = int.from_bytes(head[:3], "big")
            kind, flags, stream = head[3], head[4], int.from_bytes(head[5:], "big") & 0x7FFFFFFF
            payload = await self.reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        if kind == HEADERS:
            block = _strip_headers_padding(flags, payload)
            while not flags & END_HEADERS:
                more = await self.next_raw()
                if more is None:
                    return None
                block += more[3]
                flags |= more[1] & END_HEADERS
            payload = {k: v for k, v in self.decoder.decode(block, raw=False)}
        elif kind == SETTINGS and not flags & ACK and self.writer is not None:
            self.writer.write(settings_ack())
        return kind, flags, stream, payload

    async def next_raw(self):
        try:
            head = await self.reader.readexactly(9)
            payload = await self.reader.readexactly(int.from_bytes(head[:3], "big"))
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        return head[3], head[4], int.from_bytes(head[5:], "big") & 0x7FFFFFFF, payload


def _strip_headers_padding(flags, payload):
    start, end = 0, len(payload)
    if flags & 0x8:  # PADDED
        start, end = 1, len(payload) - payload[0]
    if flags & 0x20:  # PRIORITY
        start += 5
    return payload[start:end]


def error_name(payload):
    """The error code of a RST_STREAM or GOAWAY payload, by name."""
    code = int.from_bytes(payload[-4:] if len(payload) == 4 else payload[4:8], "big")
    return ERRORS.get(code, str(code))


def settings_values(payload):
    return {int.from_bytes(payload[i:i + 2], "big"): int.from_bytes(payload[i + 2:i + 6], "big")
            for i in range(0, len(payload) - 5, 6)}
