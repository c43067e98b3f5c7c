#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Seeds tests/fuzz/corpus/<target>/ with the inputs of the unit tests: the C++ string
literals of the test files each target's parser is tested by (adjacent literals joined, escapes
decoded), filtered to the ones that look like that parser's input and given the option bytes
the target reads first (corpus/<short>/ for fuzz_<short>[_parser]). Files are named by the SHA-1 of their bytes, as libFuzzer names its
own, so running this again adds only what is new and never removes a crash input.

    /usr/bin/python3 tests/fuzz/seed_corpus.py        # from the repository's top
"""

import hashlib
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(TOP, "tests", "fuzz", "corpus")

# A C++ string literal: optional prefix, "..." with escapes, or R"delim(...)delim".
LITERAL = re.compile(r'(?:u8|u|U|L)?(?:R"(?P<delim>[^(\s]*)\((?P<raw>.*?)\)(?P=delim)"|"(?P<text>(?:[^"\\\n]|\\.)*)")',
                     re.S)
ESCAPE = re.compile(r'\\(x[0-9a-fA-F]+|[0-7]{1,3}|.)', re.S)
SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\", '"': '"', "'": "'", "a": "\a",
          "b": "\b", "f": "\f", "v": "\v", "?": "?"}


def unescape(text):
    def one(m):
        e = m.group(1)
        if e[0] == "x":
            return chr(int(e[1:], 16) & 0xFF)
        if e[0] in "01234567":
            return chr(int(e, 8) & 0xFF)
        return SIMPLE.get(e, e)
    return ESCAPE.sub(one, text)


# What the scan steps over: comments and character literals (a '"' would open a string).
SKIP = re.compile(r"//[^\n]*|/\*.*?\*/|'(?:[^'\\\n]|\\.)+'", re.S)
TOKEN = re.compile(f"(?P<skip>{SKIP.pattern})|(?P<lit>{LITERAL.pattern})", re.S)


def literals(path):
    """Every string literal of the file, adjacent ones ("a" "b") joined, as bytes."""
    with open(path, encoding="utf-8") as f:
        source = f.read()
    out, current, last_end = [], None, -1
    for m in TOKEN.finditer(source):
        if m.group("skip") is not None:
            continue
        value = m.group("raw") if m.group("raw") is not None else unescape(m.group("text"))
        if current is not None and source[last_end:m.start()].strip() == "":
            current += value
        else:
            if current is not None:
                out.append(current)
            current = value
        last_end = m.end()
    if current is not None:
        out.append(current)
    return [s.encode("latin-1", "replace") for s in out]


def tests(*names):
    return [os.path.join(TOP, "tests", n) for n in names]


def chunked_bodies(text):
    """The bytes after the head of a message with Transfer-Encoding: chunked."""
    if b"chunked" not in text.lower() or b"\r\n\r\n" not in text:
        return []
    return [text.split(b"\r\n\r\n", 1)[1]]


METHODS = re.compile(rb"^(\r\n)*[A-Z]+ \S* HTTP/")

# target: (source files, keep(literal) -> list of inputs, option bytes before each input)
TARGETS = {
    "url": (tests("text/url_test.cpp", "http/client_test.cpp", "http/pooled_client_test.cpp"),
            lambda s: [s] if 0 < len(s) < 512 and b"\r" not in s and b"\n" not in s else [], b""),
    # Limits large enough for the test inputs (see fuzz_request.cpp), EOF at the end.
    "request": (tests("http/request_parser_test.cpp", "http/server_test.cpp", "http/server_limits_test.cpp"),
                lambda s: [s] if METHODS.match(s) else [], b"\xff\xff\x0f"),
    "response": (tests("http/response_parser_test.cpp", "http/client_test.cpp"),
                 lambda s: [s] if s.startswith(b"HTTP/1.") else [], b"\xff\xff\x0f\x00"),
    "chunked": (tests("http/request_parser_test.cpp", "http/response_parser_test.cpp", "http/client_test.cpp"),
                chunked_bodies, b""),
    "headers": (tests("http/headers_test.cpp", "http/request_parser_test.cpp"),
                lambda s: [s.split(b"\r\n", 1)[1]] if METHODS.match(s) and s.count(b"\r\n") > 1 else [], b"\x00"),
    # A URL byte and a clock byte, then the Set-Cookie value.
    "cookies": (tests("http/cookies_test.cpp", "http/client_test.cpp"),
                lambda s: [s] if b"=" in s and b"\r" not in s and b"\n" not in s and len(s) < 512 else [],
                b"\x00\x00"),
    # Flags (GET), a target, and the literal as the Range line.
    "range": (tests("http/static_files_test.cpp"),
              lambda s: [b"/f.txt\n" + s] if s.lower().startswith(b"bytes") else
              [b"/f.txt\n\n\n\n" + s] if re.search(rb"\d\d:\d\d:\d\d", s) else
              [s + b"\n"] if s.startswith(b"/") and b"\n" not in s and b"\r" not in s else [], b"\x00"),
    # HTTP, cookie and mail dates, FTP time-vals: anything with a time of day or 14 digits.
    "dates": (tests("text/date_test.cpp", "http/static_files_test.cpp", "http/cookies_test.cpp"),
              lambda s: [s] if (re.search(rb"\d\d:\d\d", s) or re.fullmatch(rb"\d{14}(\.\d+)?", s))
              and len(s) < 80 else [], b""),
    # Line length 76 (4 + 72), then the literal as data and as text to decode.
    "base64": (tests("text/base64_test.cpp"), lambda s: [s] if len(s) < 1024 else [], b"\x48"),
    # Limit 64, CRLF only; the same with LF.
    "line": (tests("net/line_reader_test.cpp", "tls/line_reader_test.cpp"),
             lambda s: [b"\x40\x00" + s, b"\x40\x01" + s] if b"\n" in s or b"\r" in s else [], b""),
    "net_address": (tests("net/address_test.cpp", "net/tcp_test.cpp", "net/socket_test.cpp"),
                lambda s: [s] if 0 < len(s) < 128 and b"\n" not in s else [], b""),
}


def main():
    only = sys.argv[1:]
    for target, (files, keep, prefix) in TARGETS.items():
        if only and target not in only:
            continue
        directory = os.path.join(CORPUS, target)
        os.makedirs(directory, exist_ok=True)
        added = 0
        for path in files:
            for literal in literals(path):
                for seed in keep(literal):
                    data = prefix + seed
                    name = os.path.join(directory, hashlib.sha1(data).hexdigest())
                    if not os.path.exists(name):
                        with open(name, "wb") as f:
                            f.write(data)
                        added += 1
        print(f"{target}: {added} new seed(s), {len(os.listdir(directory))} in corpus/{target}/")


if __name__ == "__main__":
    main()
