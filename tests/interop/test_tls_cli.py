# SPDX-License-Identifier: MIT
"""Interop: Python's ssl module and the openssl tool against `wire tcp serve`
and `wire tcp send` with TLS.

Run with Debian's /usr/bin/python3; the tool under test is named by $WIRE:
    WIRE=build/tools/wire/wire /usr/bin/python3 tests/interop/test_tls_cli.py

Certificates are made by `openssl` in a temporary directory for each run: a
test CA, a leaf for localhost and 127.0.0.1 signed by it, and a self-signed
leaf. Every peer runs on loopback, on a free port, started and stopped here.
"""

import os
import re
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from wire_interop import MIB, STEP, Peer, WireCase, WireProcess, binary_payload, popen, run, sha
from wire_interop import setUpModule  # noqa: F401 (unittest runs it: checks $WIRE)

OPENSSL = "/usr/bin/openssl"
LISTENING_ANYWHERE = re.compile(rb"wire: listening on (127\.0\.0\.1|\[::1\]):(\d+)\n")


def openssl(*args, cwd):
    run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True, timeout=STEP)


def make_pki(d):
    """ca.pem; leaf.pem/leaf.key for localhost + 127.0.0.1 signed by the CA;
    self.pem/self.key self-signed for localhost."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=wire interop CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost", cwd=d)
    with open(os.path.join(d, "leaf.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
                "basicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "leaf.ext", "-out", "leaf.pem", cwd=d)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "self.key", "-out", "self.pem", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost", cwd=d)


class TlsCliTest(WireCase):
    @classmethod
    def setUpClass(cls):
        cls._dir = tempfile.TemporaryDirectory(prefix="wire-tls-interop-")
        cls.d = cls._dir.name
        make_pki(cls.d)

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def path(self, name):
        return os.path.join(self.d, name)

    def python_tls_server(self, cert, key, reply=b"Hello, client!", close_notify=True):
        """The tutorial's server wrapped in Python's ssl: one connection, reads one
        message, answers, then ends the TLS session. Returns (peer, port)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.path(cert), self.path(key))
        listener, port = self.listener()

        def serve():
            conn, _ = listener.accept()
            conn.settimeout(STEP)
            with ctx.wrap_socket(conn, server_side=True) as tls:
                data = tls.recv(1024)
                tls.sendall(reply)
                if close_notify:
                    try:
                        tls.unwrap()  # sends close_notify, waits for the client's
                    except (ssl.SSLError, OSError):
                        pass
                else:
                    # A TCP FIN with no close_notify before it; then read what the
                    # client still sends until it closes (so the close is no RST).
                    tls.shutdown(socket.SHUT_WR)
                    while tls.recv(4096):
                        pass
            return data

        peer = Peer(serve)
        peer.start()
        return peer, port

    # --- wire tcp send --tls against Python's ssl server

    def test_send_verifies_with_cacert(self):
        peer, port = self.python_tls_server("leaf.pem", "leaf.key")
        r = self.run_wire("tcp", "send", "--tls", "--cacert", self.path("ca.pem"),
                          "localhost", str(port), "Hello, server!")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"Response: Hello, client!\n")
        self.assertEqual(peer.finish(), b"Hello, server!")

    def test_send_verifies_ip_literal(self):
        peer, port = self.python_tls_server("leaf.pem", "leaf.key")
        r = self.run_wire("tcp", "send", "--tls", "--cacert", self.path("ca.pem"),
                          "127.0.0.1", str(port), "Hello, server!")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"Response: Hello, client!\n")
        peer.finish()

    def test_send_refuses_self_signed_by_default(self):
        peer, port = self.python_tls_server("self.pem", "self.key")
        r = self.run_wire("tcp", "send", "--tls", "localhost", str(port), "secret")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"")
        self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
        self.assertRegex(r.stderr, rb"^wire: TLS handshake with localhost:\d+: certificate verify "
                                   rb"failed: self-signed certificate\n$")
        with self.assertRaises(ssl.SSLError):  # the server saw an alert, never "secret"
            peer.finish()

    def test_send_refuses_unknown_ca(self):
        peer, port = self.python_tls_server("leaf.pem", "leaf.key")
        r = self.run_wire("tcp", "send", "--tls", "--cacert", self.path("self.pem"),
                          "localhost", str(port), "secret")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"certificate verify failed: unknown CA", r.stderr)
        with self.assertRaises(ssl.SSLError):
            peer.finish()

    def test_send_refuses_wrong_name(self):
        # self.pem names only localhost: reached as 127.0.0.1 it must not pass.
        peer, port = self.python_tls_server("self.pem", "self.key")
        r = self.run_wire("tcp", "send", "--tls", "--cacert", self.path("self.pem"),
                          "127.0.0.1", str(port), "secret")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"certificate verify failed: IP address mismatch", r.stderr)
        with self.assertRaises(ssl.SSLError):
            peer.finish()

    def test_send_insecure_accepts_self_signed(self):
        peer, port = self.python_tls_server("self.pem", "self.key")
        r = self.run_wire("tcp", "send", "--tls", "--insecure", "localhost", str(port), "Hello, server!")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"Response: Hello, client!\n")
        self.assertEqual(peer.finish(), b"Hello, server!")

    def test_send_warns_when_the_server_skips_close_notify(self):
        peer, port = self.python_tls_server("leaf.pem", "leaf.key", close_notify=False)
        r = self.run_wire("tcp", "send", "--tls", "--cacert", self.path("ca.pem"),
                          "localhost", str(port), "Hello, server!")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"Response: Hello, client!\n")
        self.assertIn(b"without close_notify", r.stderr)
        peer.finish()

    def test_tls_options_need_tls(self):
        for option in (["--insecure"], ["--cacert", self.path("ca.pem")]):
            r = self.run_wire("tcp", "send", *option, "localhost", "1", "x")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(b"--tls", r.stderr)

    # --- wire tcp serve with TLS against Python's ssl client and openssl s_client

    def test_python_client_against_serve_once(self):
        server, port = self.serve("--once", "--host", "127.0.0.1", "--port", "0",
                                  "--tls-cert", self.path("leaf.pem"), "--tls-key", self.path("leaf.key"))
        ctx = ssl.create_default_context(cafile=self.path("ca.pem"))
        with socket.create_connection(("127.0.0.1", port), timeout=STEP) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                self.assertEqual(tls.version(), "TLSv1.3")
                tls.sendall(b"Hello, server!")
                self.assertEqual(tls.recv(1024), b"Hello, client!")
                tls.unwrap()  # close_notify both ways
        self.assertEqual(server.wait(), 0, server.err)
        self.assertEqual(server.out, b"Received: Hello, server!\n")

    def test_serve_tls12_only_client(self):
        server, port = self.serve("--once", "--host", "127.0.0.1", "--port", "0",
                                  "--tls-cert", self.path("leaf.pem"), "--tls-key", self.path("leaf.key"))
        ctx = ssl.create_default_context(cafile=self.path("ca.pem"))
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        with socket.create_connection(("127.0.0.1", port), timeout=STEP) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                self.assertEqual(tls.version(), "TLSv1.2")
                tls.sendall(b"Hello, server!")
                self.assertEqual(tls.recv(1024), b"Hello, client!")
        self.assertEqual(server.wait(), 0, server.err)

    def test_serve_once_reports_a_failed_handshake(self):
        server, port = self.serve("--once", "--host", "127.0.0.1", "--port", "0",
                                  "--tls-cert", self.path("leaf.pem"), "--tls-key", self.path("leaf.key"))
        with socket.create_connection(("127.0.0.1", port), timeout=STEP) as raw:
            raw.sendall(b"GET / HTTP/1.0\r\n\r\n")  # plaintext to a TLS server
        self.assertNotEqual(server.wait(), 0)
        self.assertIn(b"not TLS (\"GET / HTTP/1.0\\x0d\\x0a", server.err)

    def test_openssl_s_client_echo_1mib(self):
        server, port = self.serve("--host", "127.0.0.1", "--port", "0", "--echo", "--quiet",
                                  "--tls-cert", self.path("leaf.pem"), "--tls-key", self.path("leaf.key"))
        payload = binary_payload(MIB, salt=41)
        # -quiet implies -ign_eof: s_client keeps reading after its stdin ends;
        # the echo is complete when all the bytes are back.
        client = popen(
            [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-quiet", "-CAfile",
             self.path("ca.pem"), "-verify_return_error", "-verify_hostname", "localhost"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def cleanup():
            if client.poll() is None:
                client.kill()  # our own child, by its PID
            client.wait(STEP)
            for pipe in (client.stdout, client.stderr):
                pipe.close()
        self.addCleanup(cleanup)
        writer = Peer(lambda: (client.stdin.write(payload), client.stdin.close()))
        writer.start()
        got = bytearray()
        deadline = time.monotonic() + STEP
        while len(got) < len(payload) and time.monotonic() < deadline:
            chunk = os.read(client.stdout.fileno(), 256 * 1024)
            if not chunk:
                break
            got.extend(chunk)
        writer.finish()
        self.assertEqual(len(got), len(payload))
        self.assertEqual(sha(bytes(got)), sha(payload))

    def test_self_signed_server_and_insecure_client_round_trip(self):
        server = WireProcess(["tcp", "serve", "--host", "127.0.0.1", "--port", "0", "--echo",
                              "--quiet", "--tls-self-signed"])
        self.addCleanup(server.stop)
        with server._cond:
            server._cond.wait_for(lambda: LISTENING_ANYWHERE.search(server._err) or server._eof["err"],
                                  STEP)
        m = LISTENING_ANYWHERE.search(server.err)
        self.assertIsNotNone(m, server.err)
        self.assertIn(b"self-signed certificate for 127.0.0.1", server.err)
        port = m.group(2).decode()
        payload = binary_payload(MIB, salt=42)
        refused = self.run_wire("tcp", "send", "--tls", "-f", "-", "127.0.0.1", port, input=payload)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn(b"self-signed certificate", refused.stderr)
        r = self.run_wire("tcp", "send", "--tls", "-k", "-f", "-", "127.0.0.1", port, input=payload)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(b"Response: ") and r.stdout.endswith(b"\n"))
        self.assertEqual(sha(r.stdout[len(b"Response: "):-1]), sha(payload))


if __name__ == "__main__":
    unittest.main(verbosity=2)
