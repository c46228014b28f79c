"""A tiny HTTP proxy on 127.0.0.1 for the integration tests: CONNECT
tunnels and absolute-URI forwarding, to loopback targets only, recording
what passed through. Not a general proxy; never use it for anything else.

    proxy = LoopbackProxy(credentials=("user", "pass")).start()
    ... proxy.port, proxy.records ...
    proxy.stop()
"""

import base64
import json
import select
import socket
import threading

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_HEADER_BYTES = 64 * 1024


class LoopbackProxy:
    """Modes: "forward" (a proper proxy: Proxy-Authorization is consumed),
    "sloppy" (forwards Proxy-Authorization to the server, as a careless
    proxy does), "echo407" (refuses everything with 407 and a JSON body
    that quotes the Proxy-Authorization header it got)."""

    def __init__(self, credentials=None, mode="forward"):
        self.credentials = credentials
        self.mode = mode
        self.records = []  # dicts: method, target, proxy_auth
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port = self._server.getsockname()[1]
        self._stopping = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stopping = True
        try:
            socket.create_connection(("127.0.0.1", self.port), 1).close()
        except OSError:
            pass
        self._thread.join(5)
        self._server.close()

    def url(self, user=None, password=None):
        auth = f"{user}:{password}@" if user is not None else ""
        return f"http://{auth}127.0.0.1:{self.port}"

    def expected_auth(self):
        user, password = self.credentials
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return f"Basic {token}"

    # -- internals ------------------------------------------------------------

    def _accept(self):
        while not self._stopping:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self._stopping:
                client.close()
                return
            threading.Thread(target=self._serve, args=(client,),
                             daemon=True).start()

    def _serve(self, client):
        client.settimeout(30)
        try:
            while self._serve_one(client):
                pass
        except (OSError, ValueError):
            pass
        finally:
            client.close()

    def _serve_one(self, client):
        head, rest = _read_head(client)
        if head is None:
            return False
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = [tuple(h.split(":", 1)) for h in lines[1:] if ":" in h]
        proxy_auth = next((v.strip() for k, v in headers
                           if k.lower() == "proxy-authorization"), None)
        with self._lock:
            self.records.append({"method": method, "target": target,
                                 "proxy_auth": proxy_auth})
        if self.mode == "echo407":
            decoded = ""
            if proxy_auth and proxy_auth.startswith("Basic "):
                decoded = base64.b64decode(proxy_auth[6:]).decode("latin-1")
            body = json.dumps({"message": f"Proxy-Authorization: "
                                          f"{proxy_auth} ({decoded}) was "
                                          f"refused"})
            _respond(client, 407, "Proxy Authentication Required", body,
                     [("Proxy-Authenticate", 'Basic realm="test"')])
            return False
        if self.credentials and proxy_auth != self.expected_auth():
            _respond(client, 407, "Proxy Authentication Required",
                     '{"message":"proxy authentication required"}',
                     [("Proxy-Authenticate", 'Basic realm="test"')])
            return False
        if method == "CONNECT":
            host, port = _split_host_port(target)
            if host not in LOOPBACK_HOSTS:
                _respond(client, 403, "Forbidden", "loopback only")
                return False
            upstream = socket.create_connection((host.strip("[]"), port), 10)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            _pipe(client, upstream)
            return False
        return self._forward(client, method, target, headers, rest)

    def _forward(self, client, method, target, headers, rest):
        if not target.startswith("http://"):
            _respond(client, 400, "Bad Request", "absolute URI expected")
            return False
        authority, _, path = target[len("http://"):].partition("/")
        host, port = _split_host_port(authority, default=80)
        if host not in LOOPBACK_HOSTS:
            _respond(client, 403, "Forbidden", "loopback only")
            return False
        length = int(next((v for k, v in headers
                           if k.lower() == "content-length"), "0"))
        body = rest
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                return False
            body += chunk
        keep = []
        for name, value in headers:
            lower = name.lower()
            if lower in ("connection", "proxy-connection", "keep-alive"):
                continue
            if lower == "proxy-authorization" and self.mode != "sloppy":
                continue
            keep.append(f"{name}:{value}")
        request = (f"{method} /{path} HTTP/1.1\r\n" + "\r\n".join(keep) +
                   "\r\nConnection: close\r\n\r\n").encode("latin-1")
        upstream = socket.create_connection((host.strip("[]"), port), 10)
        try:
            upstream.sendall(request + body[:length])
            response = b""
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                response += chunk
        finally:
            upstream.close()
        client.sendall(response)
        return False  # the upstream answer said Connection: close


def _read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > MAX_HEADER_BYTES:
            raise ValueError("header too large")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _split_host_port(text, default=443):
    if text.startswith("["):
        host, _, port = text.partition("]")
        return host + "]", int(port.lstrip(":") or default)
    host, _, port = text.partition(":")
    return host, int(port or default)


def _respond(sock, status, reason, body, headers=()):
    data = body.encode()
    head = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json",
            f"Content-Length: {len(data)}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in headers]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + data)


def _pipe(a, b):
    try:
        sockets = [a, b]
        while True:
            readable, _, _ = select.select(sockets, [], [], 30)
            if not readable:
                return
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                (b if sock is a else a).sendall(data)
    finally:
        b.close()
