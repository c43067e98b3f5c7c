#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Python's email package on the other side of wire::mime (driven by python_interop_test.cpp).

  mime_interop.py parse FILE...   reads each message with email.message_from_bytes
                                  (policy=email.policy.default) and prints what it found
  mime_interop.py build DIR       builds messages with email.message.EmailMessage, writes
                                  DIR/<n>.eml, and prints for each what Python reads in it

Every record is one line: a keyword and its fields, each field "~" + base64 of its UTF-8, so
any text (spaces, line breaks, empty) survives the trip:
  message ~<file name>
  from|to|cc|reply-to ~<display name> ~<address>
  subject ~<text>
  text|html ~<body, line breaks as LF>
  attachment ~<file name> ~<content type> ~<sha256 hex>
  defects ~<count of defects in all parts and in the fields read>
  end
"""
import base64
import email
import email.header
import email.policy
import hashlib
import os
import sys
from email.message import EmailMessage


def field(s):
    return "~" + base64.b64encode(s.encode("utf-8", "surrogateescape")).decode("ascii")


def out(*fields):
    print(" ".join(fields))


def summary(name, raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out("message", field(name))
    defects = 0
    for key in ("from", "to", "cc", "reply-to"):
        header = msg[key]
        if header is None:
            continue
        defects += len(header.defects)
        for addr in header.addresses:
            out(key, field(addr.display_name), field(addr.addr_spec))
    if msg["subject"] is not None:
        defects += len(msg["subject"].defects)
        out("subject", field(str(msg["subject"])))
    for kind in ("plain", "html"):
        body = msg.get_body(preferencelist=(kind,))
        if body is not None:
            out("text" if kind == "plain" else "html", field(body.get_content().replace("\r\n", "\n")))
    for part in msg.walk():
        defects += len(part.defects)
        if part.is_multipart() or part.get_filename() is None:
            continue
        data = part.get_payload(decode=True)
        out("attachment", field(part.get_filename()), field(part.get_content_type()),
            field(hashlib.sha256(data).hexdigest()))
    out("defects", field(str(defects)))
    out("end")


def build_messages():
    """The messages Python builds for wire to read: (name, bytes)."""
    messages = []

    m = EmailMessage()
    m["From"] = "Anna Müller <anna@example.com>"
    m["To"] = "Bob <bob@example.org>, \"Smith, Carol\" <carol@example.org>"
    m["Cc"] = "Jörg Bücher <joerg@example.net>"
    m["Subject"] = "Grüße aus Köln — " + "ein recht langer Betreff " * 4
    m.set_content("Hello Bob,\n.\n..\nGrüße\n")
    messages.append(("simple.eml", m.as_bytes(policy=email.policy.SMTP)))

    m = EmailMessage()
    m["From"] = "sender@example.com"
    m["To"] = "team: a@example.org, B <b@example.org>;"
    m["Subject"] = "東京の報告書"
    m.set_content("Plain text with a long line: " + "word " * 60 + "\nand ünïcödé\n")
    m.add_alternative("<p>HTML with ünïcödé</p>\n", subtype="html")
    m.add_attachment(bytes(range(256)) * 40, maintype="application", subtype="octet-stream",
                     filename="Résumé très long nom de fichier pour voir les continuations RFC 2231.bin")
    m.add_attachment("a text attachment\n.\n", filename="notes.txt")
    m.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(1000), maintype="image", subtype="png", filename="東京.png")
    messages.append(("alternative.eml", m.as_bytes(policy=email.policy.SMTP)))

    # Latin-1 everywhere, the way older mailers write: a compat32 message with explicit charsets.
    m = email.message.Message(policy=email.policy.compat32)
    m["From"] = email.header.Header("Grüße", "iso-8859-1").encode() + " <g@example.com>"
    m["To"] = "x@example.org"
    m["Subject"] = email.header.Header("Ça va très bien", "iso-8859-1").encode()
    m["MIME-Version"] = "1.0"
    m.set_payload("Ça va très bien.\n", charset="iso-8859-1")
    messages.append(("latin1.eml", m.as_bytes(policy=email.policy.compat32.clone(linesep="\r\n"))))

    # Nested: mixed > alternative > (plain, related > (html, inline image)), and LF line ends.
    m = EmailMessage()
    m["From"] = "n@example.com"
    m["To"] = "o@example.org"
    m["Subject"] = "nested"
    m.set_content("the plain one\n")
    m.add_alternative("<p>the html one <img src=\"cid:img1\"></p>\n", subtype="html")
    m.get_payload()[1].add_related(b"GIF89a" + bytes(50), maintype="image", subtype="gif", cid="<img1@example.com>",
                                   filename="pic.gif")
    m.add_attachment(b"zip bytes", maintype="application", subtype="zip", filename="a.zip")
    messages.append(("nested.eml", m.as_bytes(policy=email.policy.default)))
    return messages


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "parse":
        for path in sys.argv[2:]:
            with open(path, "rb") as f:
                summary(os.path.basename(path), f.read())
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "build":
        for name, raw in build_messages():
            with open(os.path.join(sys.argv[2], name), "wb") as f:
                f.write(raw)
            summary(name, raw)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
