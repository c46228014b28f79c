#!/usr/bin/python3
"""A loopback stand-in for splunkd's storage/passwords endpoint.

Serves GET /servicesNS/<owner>/<app>/storage/passwords/<realm>:<user>:
as splunkd does (an Atom feed with one entry whose content dictionary
holds clear_password), after checking "Authorization: Splunk <key>".
Binds 127.0.0.1 only. Its secrets come from the environment, never argv:

  SPLUNKD_STANDIN_SESSION_KEY  the one session key it accepts
  SPLUNKD_STANDIN_PASSWORDS    JSON object: entry name -> clear password

Each request is appended to --request-log as one JSON line (method, path,
app, entry, whether the key was right, status); no secret is logged.
With --tls-cert and --tls-key it speaks https. SIGTERM stops it.
"""

import argparse
import http.server
import json
import os
import signal
import ssl
import sys
import threading
import urllib.parse
from xml.sax.saxutils import escape

ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"
      xmlns:s="http://dev.splunk.com/ns/rest"
      xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
  <title>passwords</title>
  <id>{base}/servicesNS/nobody/{app}/storage/passwords</id>
  <opensearch:totalResults>1</opensearch:totalResults>
  <entry>
    <title>{title}</title>
    <id>{base}{path}</id>
    <content type="text/xml">
      <s:dict>
        <s:key name="clear_password">{password}</s:key>
        <s:key name="eai:acl">
          <s:dict>
            <s:key name="app">{app}</s:key>
            <s:key name="clear_password">not-this-one</s:key>
          </s:dict>
        </s:key>
        <s:key name="encr_password">$7$c3RhbmQtaW4=</s:key>
        <s:key name="realm">{realm}</s:key>
        <s:key name="username">{username}</s:key>
      </s:dict>
    </content>
  </entry>
</feed>
"""

MESSAGE = """<?xml version="1.0" encoding="UTF-8"?>
<response><messages><msg type="ERROR">{text}</msg></messages></response>
"""


def split_entry(name):
    """'realm:user:' (colons inside escaped as '\\:') -> (realm, user)."""
    parts, current, i = [], "", 0
    while i < len(name):
        if name[i] == "\\" and i + 1 < len(name):
            current += name[i + 1]
            i += 2
            continue
        if name[i] == ":":
            parts.append(current)
            current = ""
        else:
            current += name[i]
        i += 1
    return (parts + ["", ""])[:2]


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "splunkd-standin"

    def log_message(self, *args):
        pass

    def record(self, **fields):
        with self.server.log_lock, open(self.server.request_log, "a",
                                        encoding="utf-8") as log:
            log.write(json.dumps(fields) + "\n")

    def reply(self, status, body):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        raw_path = self.path.split("?", 1)[0]
        parts = raw_path.split("/")
        # ['', 'servicesNS', owner, app, 'storage', 'passwords', entry]
        shaped = (len(parts) == 7 and parts[1] == "servicesNS" and
                  parts[4:6] == ["storage", "passwords"])
        authorized = (self.headers.get("Authorization") ==
                      "Splunk " + self.server.session_key)
        app = urllib.parse.unquote(parts[3]) if shaped else None
        entry = urllib.parse.unquote(parts[6]) if shaped else None
        if not authorized:
            status, body = 401, MESSAGE.format(
                text="call not properly authenticated")
        elif not shaped:
            status, body = 404, MESSAGE.format(text="no such endpoint")
        elif entry not in self.server.passwords:
            status, body = 404, MESSAGE.format(
                text="Could not find object id=" + escape(entry))
        else:
            realm, username = split_entry(entry)
            status, body = 200, ATOM.format(
                base=self.server.base, app=escape(app), path=escape(raw_path),
                title=escape(entry), realm=escape(realm),
                username=escape(username),
                password=escape(self.server.passwords[entry]))
        self.record(method="GET", path=raw_path, app=app, entry=entry,
                    authorized=authorized, status=status)
        self.reply(status, body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--request-log", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.session_key = os.environ["SPLUNKD_STANDIN_SESSION_KEY"]
    server.passwords = json.loads(os.environ["SPLUNKD_STANDIN_PASSWORDS"])
    server.request_log = args.request_log
    server.log_lock = threading.Lock()
    scheme = "http"
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    port = server.server_address[1]
    server.base = f"{scheme}://127.0.0.1:{port}"

    signal.signal(signal.SIGTERM,
                  lambda *_: threading.Thread(target=server.shutdown).start())
    temporary = args.port_file + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(f"{port}\n")
    os.replace(temporary, args.port_file)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
