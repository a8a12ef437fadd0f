# An HTTP/2 (h2c prior knowledge) WebSocket server for ExtendedConnectIT, on python3-h2 and the
# sans-I/O protocol of python3-websockets (both Debian): an extended CONNECT (RFC 8441) with
# :protocol websocket gets :status 200, then each message is echoed; "close-<code>" makes it close
# with that code; pings are answered, a client's close is echoed. With --no-connect-protocol its
# SETTINGS do not offer extended CONNECT. Prints its port, then one line per event the test reads:
# "open <path>", "reset <stream>", "ended <stream>".
import socket
import sys
import threading

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from websockets.connection import SERVER, Connection
from websockets.frames import Opcode

OFFER = "--no-connect-protocol" not in sys.argv
print_lock = threading.Lock()


def say(line):
    with print_lock:
        print(line, flush=True)


def serve(sock):
    conn = h2.connection.H2Connection(
        h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
    )
    if OFFER:
        # In the first SETTINGS frame: the sidecar decides on the SETTINGS it reads first.
        conn.local_settings = h2.settings.Settings(
            client=False,
            initial_values={h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL: 1},
        )
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    sockets = {}
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return
            for event in conn.receive_data(data):
                handle(conn, sockets, event)
            flush(conn)
            sock.sendall(conn.data_to_send())
    except (OSError, h2.exceptions.ProtocolError):
        return
    finally:
        sock.close()


def handle(conn, sockets, event):
    if isinstance(event, h2.events.RequestReceived):
        headers = dict(event.headers)
        if headers.get(":method") == "CONNECT" and headers.get(":protocol") == "websocket":
            say("open " + headers.get(":path", ""))
            sockets[event.stream_id] = Connection(SERVER, max_size=None)
            conn.send_headers(event.stream_id, [(":status", "200")])
        else:
            conn.send_headers(event.stream_id, [(":status", "404")], end_stream=True)
    elif isinstance(event, h2.events.DataReceived):
        conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        ws = sockets.get(event.stream_id)
        if ws is not None:
            ws.receive_data(event.data)
            pump(conn, event.stream_id, ws)
    elif isinstance(event, h2.events.StreamEnded):
        say("ended %d" % event.stream_id)
        ws = sockets.get(event.stream_id)
        if ws is not None:
            ws.receive_eof()
            pump(conn, event.stream_id, ws)
    elif isinstance(event, h2.events.StreamReset):
        say("reset %d" % event.stream_id)
        sockets.pop(event.stream_id, None)
        OUTBOX.pop((id(conn), event.stream_id), None)


def pump(conn, stream_id, ws):
    for frame in ws.events_received():
        if frame.opcode == Opcode.TEXT:
            text = frame.data.decode("utf-8")
            if text.startswith("close-"):
                ws.send_close(int(text[6:]), "asked to")
            else:
                ws.send_text(frame.data)
        elif frame.opcode == Opcode.BINARY:
            ws.send_binary(frame.data)
    box = OUTBOX.setdefault((id(conn), stream_id), [bytearray(), False])
    for chunk in ws.data_to_send():
        if chunk == b"":
            box[1] = True
        else:
            box[0] += chunk


# What each stream still has to send: (bytes, end after them), sent as flow control allows.
OUTBOX = {}


def flush(conn):
    for (owner, stream_id), box in list(OUTBOX.items()):
        if owner != id(conn):
            continue
        try:
            while box[0]:
                size = min(
                    len(box[0]),
                    conn.max_outbound_frame_size,
                    conn.local_flow_control_window(stream_id),
                )
                if size <= 0:
                    break
                conn.send_data(stream_id, bytes(box[0][:size]))
                del box[0][:size]
            if not box[0] and box[1]:
                conn.end_stream(stream_id)
                del OUTBOX[(owner, stream_id)]
        except h2.exceptions.StreamClosedError:
            del OUTBOX[(owner, stream_id)]


def main():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    say(str(server.getsockname()[1]))
    while True:
        sock, _ = server.accept()
        threading.Thread(target=serve, args=(sock,), daemon=True).start()


main()
