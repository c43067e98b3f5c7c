# SPDX-License-Identifier: MIT
"""Interop: `wire http get|request` beside curl, case by case. Every flag of the `wire http`
contract and every exit status runs against a real server (nginx, or a Python peer started
here), and where curl has the flag, curl runs the same case in the same test and must come out
the same: the same exit status, the same bytes, the file left as it was.

Where wire differs from curl on purpose, the test says so and asserts both:
  -C - and a server that ignores Range: wire fetches the whole body again and replaces the
       partial file once it has all of it; curl exits 33 and keeps the partial file.

Run with Debian's /usr/bin/python3; the tool under test is named by $WIRE:
    WIRE=build/tools/wire/wire /usr/bin/python3 tests/interop/test_http_curl.py
"""

import base64
import email.parser
import email.policy
import os
import shutil
import socket
import subprocess
import tempfile
import unittest

import wire_interop
from http_peers import CURL, NGINX, HttpServer, Nginx, Proxy, response
from wire_interop import MIB, STEP, WIRE, ModulePki, WireCase, binary_payload, sha

PKI = ModulePki("wire-http-curl-pki-")


def setUpModule():
    wire_interop.setUpModule()
    PKI.start(CURL, NGINX)


def tearDownModule():
    PKI.stop()


def refused_url(case):
    """A URL nothing listens on: a port bound but not listening, held by the test."""
    s = socket.socket()
    case.addCleanup(s.close)
    s.bind(("127.0.0.1", 0))
    return f"http://127.0.0.1:{s.getsockname()[1]}/"


class CurlCase(WireCase):
    """Runs wire and curl on the same case."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wire-http-curl-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def run_tool(self, argv, cwd=None, input=b"", timeout=STEP):
        try:
            return subprocess.run(argv, input=input, capture_output=True, cwd=cwd, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise AssertionError(f"{argv} still running after {timeout}s; stderr: {e.stderr!r}")

    def wire(self, *args, cwd=None, input=b""):
        """`wire http ARGS`; `wire http get ARGS` unless ARGS name the command (curl's shape)."""
        command = [] if args and args[0] in ("get", "request", "serve") else ["get"]
        return self.run_tool([os.path.abspath(WIRE), "http", *command, *args], cwd=cwd, input=input)

    def curl(self, *args, cwd=None, input=b"", quiet=True):
        """curl ARGS, without a config file or the environment's proxies; -sS unless quiet=False."""
        noproxy = [] if "-x" in args else ["--noproxy", "*"]
        return self.run_tool([CURL, "-q", *noproxy, *(["-sS"] if quiet else []), *args], cwd=cwd, input=input)

    def file(self, name, data=None):
        path = os.path.join(self.tmp, name)
        if data is not None:
            with open(path, "wb") as f:
                f.write(data)
        return path

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    def assertStatus(self, r, status, tool):
        self.assertEqual(r.returncode, status, f"{tool}: {r.stderr!r}")

    def assertBoth(self, w, c, status):
        self.assertStatus(w, status, "wire")
        self.assertStatus(c, status, "curl")

    def nginx(self):
        return Nginx(self, PKI)


# --- where the body goes: -o, -O, -C -, --max-filesize -------------------------------------------

class OutputTest(CurlCase):
    def test_o_never_destroys_the_file(self):
        nginx = self.nginx()
        data = binary_payload(MIB, salt=1)
        nginx.write("data.bin", data)
        for url, extra, status in ((refused_url(self), (), 7), (nginx.url("/missing"), ("-f",), 22)):
            for tool in (self.wire, self.curl):
                d = tempfile.mkdtemp(dir=self.tmp)
                keep = os.path.join(d, "keep.bin")
                with open(keep, "wb") as f:
                    f.write(b"precious")
                r = tool("-o", keep, *extra, url)
                self.assertStatus(r, status, tool.__name__)
                self.assertEqual(self.read(keep), b"precious", tool.__name__)
                self.assertEqual(os.listdir(d), ["keep.bin"], tool.__name__)  # no temporary file left
        w, c = self.wire("-o", self.file("w.bin"), nginx.url("/data.bin")), self.curl("-o", self.file("c.bin"), nginx.url("/data.bin"))
        self.assertBoth(w, c, 0)
        self.assertEqual(sha(self.read(self.file("w.bin"))), sha(data))
        self.assertEqual(sha(self.read(self.file("c.bin"))), sha(data))

    def test_O_names_the_file_after_the_url(self):
        nginx = self.nginx()
        data = binary_payload(MIB // 2, salt=2)
        nginx.write("named.bin", data)
        for tool in (self.wire, self.curl):
            d = tempfile.mkdtemp(dir=self.tmp)
            r = tool("-O", nginx.url("/named.bin"), cwd=d)
            self.assertStatus(r, 0, tool.__name__)
            self.assertEqual(os.listdir(d), ["named.bin"])
            self.assertEqual(sha(self.read(os.path.join(d, "named.bin"))), sha(data))
            # No name at the end of the path: nothing to write to (curl's 23).
            empty = tempfile.mkdtemp(dir=self.tmp)
            self.assertStatus(tool("-O", nginx.url("/"), cwd=empty), 23, tool.__name__)
            self.assertEqual(os.listdir(empty), [])

    def test_C_resumes_from_the_partial_file(self):
        nginx = self.nginx()
        data = binary_payload(MIB, salt=3)
        nginx.write("data.bin", data)
        # The partial file's bytes differ from the server's: only a Range request keeps them.
        partial = b"X" * 1000
        for tool, flag in ((self.wire, ("-C", "-")), (self.wire, ("--continue",)), (self.curl, ("-C", "-"))):
            path = self.file("part.bin", partial)
            self.assertStatus(tool(*flag, "-o", path, nginx.url("/data.bin")), 0, tool.__name__)
            self.assertEqual(sha(self.read(path)), sha(partial + data[1000:]), tool.__name__)
            # Already whole: the server answers 416, and that is success with the file as it is.
            path = self.file("whole.bin", data)
            self.assertStatus(tool(*flag, "-o", path, nginx.url("/data.bin")), 0, tool.__name__)
            self.assertEqual(sha(self.read(path)), sha(data))

    def test_C_with_a_server_that_ignores_range(self):
        body = binary_payload(200_000, salt=4)
        server = HttpServer(self, lambda req: response(200, body), connections=2)
        w_path, c_path = self.file("w.bin", b"old partial"), self.file("c.bin", b"old partial")
        w = self.wire("-C", "-", "-o", w_path, server.url("/f"))
        c = self.curl("-C", "-", "-o", c_path, server.url("/f"))
        requests = server.finish()
        self.assertEqual([r.get("Range") for r in requests], ["bytes=11-", "bytes=11-"])
        # wire starts over and replaces the partial file once the whole body is in ...
        self.assertStatus(w, 0, "wire")
        self.assertEqual(sha(self.read(w_path)), sha(body))
        # ... where curl refuses to go on (a deliberate difference).
        self.assertStatus(c, 33, "curl")
        self.assertEqual(self.read(c_path), b"old partial")

    def test_max_filesize(self):
        nginx = self.nginx()
        nginx.write("2000.bin", binary_payload(2000, salt=5))
        for limit, status in (("1999", 63), ("1k", 63), ("2000", 0), ("1M", 0)):
            for tool in (self.wire, self.curl):
                path = self.file("keep.bin", b"precious")
                r = tool("--max-filesize", limit, "-o", path, nginx.url("/2000.bin"))
                self.assertStatus(r, status, f"{tool.__name__} --max-filesize {limit}")
                self.assertEqual(len(self.read(path)), 8 if status else 2000)

    def test_max_filesize_without_a_length(self):
        # A chunked body has no Content-Length to judge by: wire counts as it arrives. (curl
        # 7.88 lets such a body through, so wire alone here.)
        body = b"x" * 3000
        server = HttpServer(self, lambda req: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
        path = self.file("keep.bin", b"precious")
        self.assertStatus(self.wire("--max-filesize", "1000", "-o", path, server.url("/")), 63, "wire")
        self.assertEqual(self.read(path), b"precious")
        server.finish()


# --- what is shown: -I, -i, -v, -s, -f -------------------------------------------------------------

HEAD = [b"HTTP/1.1 200 OK", b"Content-Type: text/plain", b"X-Server: test peer", b"Content-Length: 6"]


def fixed_answer(req):
    head = b"\r\n".join(HEAD) + b"\r\n\r\n"
    return head if req.method == "HEAD" else head + b"hello\n"


class ShowTest(CurlCase):
    def test_I_writes_the_head_of_a_HEAD(self):
        server = HttpServer(self, fixed_answer, connections=2)
        w, c = self.wire("-I", server.url("/h")), self.curl("-I", server.url("/h"))
        self.assertBoth(w, c, 0)
        self.assertEqual(w.stdout, c.stdout)
        self.assertEqual(w.stdout, b"\r\n".join(HEAD) + b"\r\n\r\n")
        self.assertEqual([r.method for r in server.finish()], ["HEAD", "HEAD"])

    def test_i_writes_every_head_before_the_body(self):
        def answer(req):
            if req.target == "/a":
                return response(302, fields=["Location: /b"])
            return fixed_answer(req)
        server = HttpServer(self, answer, connections=2)
        w, c = self.wire("-i", server.url("/a")), self.curl("-i", "-L", server.url("/a"))
        self.assertBoth(w, c, 0)
        self.assertEqual(w.stdout, c.stdout)
        self.assertTrue(w.stdout.startswith(b"HTTP/1.1 302 Found\r\n"), w.stdout)
        self.assertTrue(w.stdout.endswith(b"\r\n\r\nhello\n"), w.stdout)
        server.finish()

    def test_v_shows_the_request_the_response_and_the_connection(self):
        server = HttpServer(self, fixed_answer, connections=2)
        w, c = self.wire("-v", server.url("/v")), self.curl("-v", server.url("/v"))
        self.assertBoth(w, c, 0)
        self.assertEqual(w.stdout, c.stdout)
        lines = {tool: r.stderr.replace(b"\r", b"").split(b"\n") for tool, r in (("wire", w), ("curl", c))}
        received = {tool: [l for l in ls if l.startswith(b"< ")] for tool, ls in lines.items()}
        self.assertEqual(received["wire"], received["curl"])
        self.assertEqual(received["wire"], [b"< " + l for l in HEAD] + [b"< "])
        for tool, ls in lines.items():
            self.assertIn(b"> GET /v HTTP/1.1", ls, tool)
            self.assertIn(f"> Host: 127.0.0.1:{server.port}".encode(), ls, tool)
            self.assertTrue(any(l.startswith(b"* ") for l in ls), tool)
        self.assertEqual(lines["wire"][0], f"* Connected to 127.0.0.1:{server.port}".encode())
        server.finish()
        # Over TLS, the handshake's facts.
        nginx = self.nginx()
        nginx.write("t.txt", b"tls\n")
        w = self.wire("-v", "--cacert", PKI["ca.pem"], nginx.url("/t.txt", tls=True))
        c = self.curl("-v", "--cacert", PKI["ca.pem"], nginx.url("/t.txt", tls=True))
        self.assertBoth(w, c, 0)
        self.assertEqual(w.stdout, c.stdout)
        self.assertRegex(w.stderr, rb"\n\* TLSv1\.[23], [\w-]+\n\* ALPN: http/1\.1\n\* server certificate: CN ?= ?localhost\n")
        self.assertIn(b"\n* server certificate verified, and its name\n", w.stderr)
        self.assertIn(b"* SSL connection using TLSv1.", c.stderr)

    def test_s_is_silent_and_S_shows_the_error(self):
        url = refused_url(self)
        w, c = self.wire("-s", url), self.curl("-s", url, quiet=False)
        self.assertBoth(w, c, 7)
        self.assertEqual((w.stdout, w.stderr, c.stdout, c.stderr), (b"", b"", b"", b""))
        w, c = self.wire("-sS", url), self.curl("-sS", url, quiet=False)
        self.assertBoth(w, c, 7)
        for r in (w, c):
            self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
            self.assertIn(b"127.0.0.1", r.stderr)

    def test_f_writes_nothing_for_a_status_of_400_or_more(self):
        nginx = self.nginx()
        w, c = self.wire("-f", nginx.url("/missing")), self.curl("-f", nginx.url("/missing"))
        self.assertBoth(w, c, 22)
        self.assertEqual((w.stdout, c.stdout), (b"", b""))
        self.assertEqual(w.stderr, f"wire: {nginx.url('/missing')}: the server answered 404 Not Found\n".encode())
        # Without -f a 404 is an answer like any other.
        w, c = self.wire(nginx.url("/missing")), self.curl(nginx.url("/missing"))
        self.assertBoth(w, c, 0)
        self.assertEqual(w.stdout, c.stdout)
        self.assertEqual(w.stdout, b"not here\n")


# --- what is sent: -H, -u, methods, -d, --data-urlencode, -G, --json, -F ---------------------------

def echo(req):
    return response(200, f"{req.method} {req.target}\n".encode() + req.body)


class SendTest(CurlCase):
    def both_sent(self, wire_args, curl_args, handler=echo):
        """Runs wire and curl; both exit 0 with the same output. Returns (wire's request, curl's)."""
        server = HttpServer(self, handler, connections=2)
        w = self.wire(*[a.replace("URL", server.url()) for a in wire_args])
        c = self.curl(*[a.replace("URL", server.url()) for a in curl_args])
        self.assertBoth(w, c, 0)
        self.assertEqual(w.stdout, c.stdout)
        requests = server.finish()
        self.assertEqual(len(requests), 2)
        return requests

    def test_H_and_u(self):
        w, c = self.both_sent(["-H", "X-Test: one two", "-u", "user:p@ss:word", "URLh"],
                              ["-H", "X-Test: one two", "-u", "user:p@ss:word", "URLh"])
        for req in (w, c):
            self.assertEqual(req.get("X-Test"), "one two")
            self.assertEqual(req.get("Authorization"), "Basic " + base64.b64encode(b"user:p@ss:word").decode())

    def test_methods_are_upper_cased(self):
        for method in ("delete", "Patch", "options"):
            w, c = self.both_sent(["request", method, "URLm"], ["-X", method.upper(), "URLm"])
            self.assertEqual((w.method, c.method), (method.upper(), method.upper()))
        r = self.wire("request", "GE T", "http://127.0.0.1:9/")
        self.assertStatus(r, 2, "wire")
        self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
        self.assertIn(b"'GE T' is not an HTTP method", r.stderr)

    def test_url_without_a_scheme_is_http(self):
        server = HttpServer(self, echo, connections=2)
        bare = f"127.0.0.1:{server.port}/x?y=1"
        w, c = self.wire(bare), self.curl(bare)
        self.assertBoth(w, c, 0)
        self.assertEqual(w.stdout, c.stdout)
        self.assertEqual(w.stdout, b"GET /x?y=1\n")
        server.finish()

    def test_d_sends_a_form(self):
        path = self.file("form.txt", b"x=1\ny=2\r\n")
        w, c = self.both_sent(["request", "POST", "URL", "-d", "a=1", "-d", "b=two words", "-d", "@" + path],
                              ["URL", "-d", "a=1", "-d", "b=two words", "-d", "@" + path])
        for req in (w, c):
            self.assertEqual((req.method, req.body), ("POST", b"a=1&b=two words&x=1y=2"))
            self.assertEqual(req.get("Content-Type"), "application/x-www-form-urlencoded")

    def test_data_urlencode(self):
        path = self.file("value.txt", b"a&b=c d\n")
        forms = ["plain text", "=a&b", "name=a b+c/d", "@" + path, "f@" + path, "e=caf\u00e9"]
        args = [x for form in forms for x in ("--data-urlencode", form)]
        w, c = self.both_sent(["request", "POST", "URL", *args], ["URL", *args])
        self.assertEqual(w.body, c.body)
        self.assertEqual(w.body, b"plain+text&a%26b&name=a+b%2Bc%2Fd&a%26b%3Dc+d%0A&f=a%26b%3Dc+d%0A&e=caf%C3%A9")
        self.assertEqual(w.get("Content-Type"), c.get("Content-Type"))

    def test_G_puts_the_data_in_the_query(self):
        w, c = self.both_sent(["request", "GET", "-G", "URL?k=v", "-d", "a=1", "--data-urlencode", "q=x y"],
                              ["-G", "URL?k=v", "-d", "a=1", "--data-urlencode", "q=x y"])
        for req in (w, c):
            self.assertEqual((req.method, req.target, req.body), ("GET", "/?k=v&a=1&q=x+y", b""))

    def test_json(self):
        path = self.file("more.json", b'{"b": [1, 2]}')
        w, c = self.both_sent(["request", "POST", "URL", "--json", '{"a": 1}', "--json", "@" + path],
                              ["URL", "--json", '{"a": 1}', "--json", "@" + path])
        for req in (w, c):
            self.assertEqual((req.method, req.body), ("POST", b'{"a": 1}{"b": [1, 2]}'))
            self.assertEqual((req.get("Content-Type"), req.get("Accept")), ("application/json", "application/json"))

    def test_F_sends_multipart_form_data(self):
        big = self.file("big.bin", binary_payload(MIB, salt=6))
        note = self.file("note.txt", b"a note\n")
        args = ["-F", "name=value", "-F", "file=@" + big, "-F", f"doc=@{note};type=text/plain;filename=renamed.txt"]
        w, c = self.both_sent(["request", "POST", "URL", *args], ["URL", *args],
                              handler=lambda req: response(200, b"got it\n"))

        def parts(req):
            self.assertTrue(req.get("Content-Type").startswith("multipart/form-data; boundary="))
            self.assertEqual(int(req.get("Content-Length")), len(req.body))
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + req.get("Content-Type").encode() + b"\r\n\r\n" + req.body)
            return [(p.get_param("name", header="content-disposition"), p.get_filename(), p.get_content_type(),
                     sha(p.get_payload(decode=True))) for p in msg.iter_parts()]

        self.assertEqual(parts(w), parts(c))
        self.assertEqual([p[:3] for p in parts(w)], [("name", None, "text/plain"),
                                                      ("file", "big.bin", "application/octet-stream"),
                                                      ("doc", "renamed.txt", "text/plain")])


# --- cookies: -b, -c, the Netscape file both ways, the public suffix list --------------------------

def cookie_server(case, connections):
    def answer(req):
        if req.target == "/set":
            return response(200, b"set\n", fields=[
                "Set-Cookie: host=1; Path=/", "Set-Cookie: dom=2; Domain=wire.test; Path=/",
                "Set-Cookie: later=3; Path=/; Max-Age=3600", "Set-Cookie: hidden=4; Path=/; HttpOnly",
                "Set-Cookie: gone=5; Path=/; Max-Age=0", "Set-Cookie: sub=6; Path=/sub"])
        if req.target == "/attack":
            return response(200, b"attack\n", fields=["Set-Cookie: sid=evil; Domain=co.uk; Path=/",
                                                       "Set-Cookie: own=1; Path=/"])
        return response(200, (req.get("Cookie") or "").encode())
    return HttpServer(case, answer, connections=connections)


def cookies(body):
    return sorted(body.decode().split("; ")) if body else []


class CookieTest(CurlCase):
    def test_b_with_cookie_text(self):
        server = cookie_server(self, 2)
        w, c = self.wire("-b", "a=1; b=2", server.url("/echo")), self.curl("-b", "a=1; b=2", server.url("/echo"))
        self.assertBoth(w, c, 0)
        self.assertEqual((w.stdout, c.stdout), (b"a=1; b=2", b"a=1; b=2"))
        server.finish()

    def test_cookie_files_go_both_ways_between_wire_and_curl(self):
        server = cookie_server(self, 10)
        port = server.port
        names = [x for host in ("www", "api") for x in ("--resolve", f"{host}.wire.test:{port}:127.0.0.1")]
        www, api = f"http://www.wire.test:{port}", f"http://api.wire.test:{port}"
        jars = {"wire": self.file("wire.jar"), "curl": self.file("curl.jar")}
        self.assertBoth(self.wire(*names, "-c", jars["wire"], www + "/set"),
                        self.curl(*names, "-c", jars["curl"], www + "/set"), 0)
        self.assertTrue(self.read(jars["wire"]).startswith(b"# Netscape HTTP Cookie File\n"))
        # Each tool reads its own jar and the other's, and sends the same cookies.
        for url, expected in ((www + "/", ["dom=2", "hidden=4", "host=1", "later=3"]), (api + "/", ["dom=2"])):
            for jar in jars.values():
                w, c = self.wire(*names, "-b", jar, url), self.curl(*names, "-b", jar, url)
                self.assertBoth(w, c, 0)
                self.assertEqual((cookies(w.stdout), cookies(c.stdout)), (expected, expected), (url, jar))
        server.finish()

    def test_no_cookie_for_a_public_suffix(self):
        """Domain=co.uk from attacker.co.uk is never sent to bank.co.uk (libpsl, as curl uses)."""
        server = cookie_server(self, 6)
        port = server.port
        names = [x for host in ("attacker", "bank") for x in ("--resolve", f"{host}.co.uk:{port}:127.0.0.1")]
        for tool in (self.wire, self.curl):
            jar = self.file(tool.__name__ + ".jar")
            self.assertStatus(tool(*names, "-c", jar, f"http://attacker.co.uk:{port}/attack"), 0, tool.__name__)
            bank = tool(*names, "-b", jar, f"http://bank.co.uk:{port}/echo")
            own = tool(*names, "-b", jar, f"http://attacker.co.uk:{port}/echo")
            self.assertEqual((bank.returncode, bank.stdout), (0, b""), tool.__name__)
            self.assertEqual((own.returncode, own.stdout), (0, b"own=1"), tool.__name__)
            self.assertNotIn(b"evil", self.read(jar), tool.__name__)
        server.finish()


# --- how it gets there: --proxy, --resolve, -k, --cacert, --max-redirects, -m, --connect-timeout,
# --retry --------------------------------------------------------------------------------------------

class ConnectionTest(CurlCase):
    def test_proxy_plain_and_through_a_connect_tunnel(self):
        proxy = Proxy(self, lambda req: response(200, f"proxied {req.target}\n".encode()), connections=2)
        url = "http://origin.test:8080/p?q=1"
        w, c = self.wire("-x", proxy.url(), url), self.curl("-x", proxy.url(), url)
        self.assertBoth(w, c, 0)
        self.assertEqual((w.stdout, c.stdout), (b"proxied " + url.encode() + b"\n",) * 2)
        self.assertEqual([(r.method, r.target, r.get("Host")) for r in proxy.finish()],
                         [("GET", url, "origin.test:8080")] * 2)
        nginx = self.nginx()
        data = binary_payload(MIB // 4, salt=7)
        nginx.write("d.bin", data)
        tunnel = Proxy(self, None, connections=2)
        url = nginx.url("/d.bin", tls=True, host="localhost")
        w = self.wire("-x", tunnel.url().removeprefix("http://"), "--cacert", PKI["ca.pem"], url)
        c = self.curl("-x", tunnel.url(), "--cacert", PKI["ca.pem"], url)
        self.assertBoth(w, c, 0)
        self.assertEqual((sha(w.stdout), sha(c.stdout)), (sha(data), sha(data)))
        self.assertEqual([(r.method, r.target) for r in tunnel.finish()], [("CONNECT", f"localhost:{nginx.tls_port}")] * 2)

    def test_resolve(self):
        nginx = self.nginx()
        url = nginx.url("/host", host="wire.test")
        pin = ("--resolve", f"wire.test:{nginx.port}:127.0.0.1")
        w, c = self.wire(*pin, url), self.curl(*pin, url)
        self.assertBoth(w, c, 0)
        self.assertEqual((w.stdout, c.stdout), (f"wire.test:{nginx.port}".encode(),) * 2)
        # Over TLS the name is verified: localhost is in the certificate.
        url = nginx.url("/host", tls=True, host="localhost")
        pin = ("--resolve", f"localhost:{nginx.tls_port}:127.0.0.1", "--cacert", PKI["ca.pem"])
        w, c = self.wire(*pin, url), self.curl(*pin, url)
        self.assertBoth(w, c, 0)
        self.assertEqual(w.stdout, c.stdout)
        r = self.wire("--resolve", "wire.test:80", url)
        self.assertStatus(r, 2, "wire")
        self.assertIn(b"--resolve wants HOST:PORT:ADDRESS", r.stderr)

    def test_certificates_k_and_cacert(self):
        nginx = self.nginx()
        nginx.write("s.txt", b"secret\n")
        url = nginx.url("/s.txt", tls=True)
        self.assertBoth(self.wire(url), self.curl(url), 60)  # the test CA is not the system's
        for args in (("--cacert", PKI["ca.pem"]), ("-k",), ("--insecure",)):
            w, c = self.wire(*args, url), self.curl(*args, url)
            self.assertBoth(w, c, 0)
            self.assertEqual((w.stdout, c.stdout), (b"secret\n", b"secret\n"))
        # TLS to a port that speaks plain HTTP: the handshake fails.
        self.assertBoth(self.wire(nginx.url("/s.txt").replace("http:", "https:")),
                        self.curl(nginx.url("/s.txt").replace("http:", "https:")), 35)

    def test_max_redirects(self):
        nginx = self.nginx()
        w = self.wire("--max-redirects", "3", nginx.url("/loop"))
        c = self.curl("-L", "--max-redirs", "3", nginx.url("/loop"))
        self.assertBoth(w, c, 47)
        self.assertEqual((w.stdout, c.stdout), (b"", b""))

    def test_max_time_and_connect_timeout(self):
        server = HttpServer(self, lambda req: None, connections=2)  # never answers
        self.assertBoth(self.wire("-m", "0.5", server.url()), self.curl("-m", "1", server.url()), 28)
        server.finish()
        # A listener whose accept queue is full: the handshake's SYN goes unanswered.
        listener, port = self.listener(backlog=0)
        filler = socket.create_connection(("127.0.0.1", port), timeout=STEP)
        self.addCleanup(filler.close)
        url = f"http://127.0.0.1:{port}/"
        self.assertBoth(self.wire("--connect-timeout", "0.5", url), self.curl("--connect-timeout", "1", url), 28)

    def test_retry_waits_out_transient_answers(self):
        seen = {}

        def flaky(req):  # 503 twice, then 200, for each /flaky-...; 404 for anything else
            seen[req.target] = seen.get(req.target, 0) + 1
            if not req.target.startswith("/flaky"):
                return response(404, b"gone\n")
            return response(503, b"busy\n") if seen[req.target] <= 2 else response(200, b"done\n")
        server = HttpServer(self, flaky, connections=8)
        # To a file: curl takes back what a failed try wrote there (to stdout it cannot, and
        # writes every answer; wire writes only the last one).
        w_path, c_path = self.file("w.txt"), self.file("c.txt")
        w = self.wire("--retry", "2", "--retry-delay", "0.01", "-o", w_path, server.url("/flaky-w"))
        c = self.curl("--retry", "2", "--retry-delay", "1", "-o", c_path, server.url("/flaky-c"))
        self.assertBoth(w, c, 0)
        self.assertEqual((self.read(w_path), self.read(c_path)), (b"done\n", b"done\n"))
        self.assertEqual(w.stderr, b"wire: the server answered 503 Service Unavailable; retrying in 0.01 s (2 retries left)\n"
                                   b"wire: the server answered 503 Service Unavailable; retrying in 0.01 s (1 retry left)\n")
        # 404 is not transient: one request each.
        w = self.wire("--retry", "2", "--retry-delay", "0.01", server.url("/other"))
        c = self.curl("--retry", "2", "--retry-delay", "1", server.url("/other"))
        self.assertBoth(w, c, 0)
        targets = [r.target for r in server.finish()]
        self.assertEqual([targets.count(t) for t in ("/flaky-w", "/flaky-c", "/other")], [3, 3, 2])

    def test_retry_after_a_timeout(self):
        def answer(req):
            return None if req.connection in (0, 2) else response(200, b"second time\n")
        server = HttpServer(self, answer, connections=4)
        w = self.wire("--retry", "1", "--retry-delay", "0.01", "-m", "0.5", server.url("/w"))
        c = self.curl("--retry", "1", "--retry-delay", "1", "-m", "1", server.url("/c"))
        self.assertBoth(w, c, 0)
        self.assertEqual((w.stdout, c.stdout), (b"second time\n", b"second time\n"))
        self.assertEqual([r.target for r in server.finish()], ["/w", "/w", "/c", "/c"])


# --- the remaining exit statuses ------------------------------------------------------------------------

class ExitStatusTest(CurlCase):
    def test_statuses_by_cause(self):
        cases = [
            (3, ["http://exa mple.com/"]),                   # malformed URL
            (6, ["http://nosuch.invalid/"]),                 # could not resolve
            (7, [refused_url(self)]),                        # could not connect
            (1, ["foo://127.0.0.1/"]),                       # anything else: a scheme neither speaks here
            (2, ["--no-such-option", "http://127.0.0.1/"]),  # usage
        ]
        for status, args in cases:
            w, c = self.wire(*args), self.curl(*args)
            self.assertBoth(w, c, status)
            self.assertEqual(w.stderr.count(b"\n"), 1, w.stderr)
        nginx = self.nginx()
        nginx.write("w.txt", b"data\n")
        path = os.path.join(self.tmp, "no-such-dir", "out.txt")  # 23: the output cannot be written
        self.assertBoth(self.wire("-o", path, nginx.url("/w.txt")), self.curl("-o", path, nginx.url("/w.txt")), 23)

    def test_help_lists_the_statuses(self):
        r = self.wire("get", "--help")
        self.assertStatus(r, 0, "wire")
        for line in (b"Exit status (curl's numbers):", b"6  could not resolve", b"47 too many redirects",
                     b"63 body larger than --max-filesize"):
            self.assertIn(line, r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
