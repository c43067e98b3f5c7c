#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Python peer of bench/http_server.sh: http.server's ThreadingHTTPServer (what
# `python3 -m http.server` runs: a thread per connection) with a
# BaseHTTPRequestHandler speaking HTTP/1.1, so connections are kept alive.
#   GET /    200 "Hello, World!" (Content-Type: text/plain)
#   GET /1m  ROOT/1m, copied to the socket with shutil.copyfileobj, as
#            SimpleHTTPRequestHandler sends files
#
#   python_server.py PORT ROOT
#
# Changed from the defaults: TCP_NODELAY on each connection
# (StreamRequestHandler.disable_nagle_algorithm; off by default, and then every
# response, whose head and body are two writes, waits for the client's delayed
# ACK: ~1.4k requests/s), no log line per request on stderr (like nginx's
# access_log off), a listen backlog of 1024 (socketserver's default is 5), and
# "Connection: close" sent back when the request asked for it (http.server
# closes then but does not say so; clients like wrk count that as an error).
# Prints nothing; stops on SIGTERM (the default action).
import http.server
import os
import shutil
import sys

HELLO = b"Hello, World!"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    file = ""

    def log_message(self, format, *args):
        pass

    def _head(self, status, length, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        if self.close_connection:  # the request said Connection: close (or was HTTP/1.0)
            self.send_header("Connection", "close")
        self.end_headers()

    def do_GET(self):
        if self.path == "/":
            self._head(200, len(HELLO), "text/plain")
            self.wfile.write(HELLO)
        elif self.path == "/1m":
            with open(self.file, "rb") as f:
                self._head(200, os.fstat(f.fileno()).st_size, "application/octet-stream")
                shutil.copyfileobj(f, self.wfile)
        else:
            self._head(404, 0, "text/plain")


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 1024


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: python_server.py PORT ROOT")
    Handler.file = os.path.join(sys.argv[2], "1m")
    Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()


if __name__ == "__main__":
    main()
