"""A loopback port forwarder that runs inside the lab's network namespace.

The host's own namespace must get no lab address or route, yet a notebook (and a student's ``ssh``)
must reach each guest's sshd. The controller binds one listening socket per guest on 127.0.0.1 in the
host's namespace and hands them to this process, which it starts inside the lab namespace: accepted
connections therefore come from the host's loopback, and the onward connections leave from the lab
namespace to the guests' management addresses.

Usage (by the lab only): ``python -m bondkit.lab.forward FD=ADDRESS:PORT ...``
"""

from __future__ import annotations

import socket
import sys
import threading


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock, how in ((sink, socket.SHUT_WR), (source, socket.SHUT_RD)):
            try:
                sock.shutdown(how)
            except OSError:
                pass


def _relay(client: socket.socket, target: tuple[str, int]) -> None:
    try:
        upstream = socket.create_connection(target, timeout=5)
    except OSError:
        client.close()
        return
    upstream.settimeout(None)
    # Commands and their markers are small writes: without this, Nagle's algorithm meets delayed ACKs
    # and every round trip costs 40 ms.
    for sock in (client, upstream):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with client, upstream:
        back = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
        back.start()
        _pipe(client, upstream)
        back.join()


def _serve(listener: socket.socket, target: tuple[str, int]) -> None:
    while True:
        client, _ = listener.accept()
        threading.Thread(target=_relay, args=(client, target), daemon=True).start()


def main(argv: list[str]) -> None:
    threads = []
    for item in argv:
        fd, _, address = item.partition("=")
        host, _, port = address.rpartition(":")
        listener = socket.socket(fileno=int(fd))
        thread = threading.Thread(target=_serve, args=(listener, (host, int(port))), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main(sys.argv[1:])
