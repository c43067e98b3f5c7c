# SPDX-License-Identifier: MIT
# aiosmtpd as bench/smtp.sh runs it: on 127.0.0.1:PORT, accepting every recipient, and either
# dropping each message (--discard) or delivering it into MAILDIR as a mail server must before
# its 250: the file written under tmp/, fsync, renamed into new/, new/ fsynced (what
# wire::smtp::Maildir does; Python's mailbox.Maildir does not fsync). Prints "ready".
#   python3 aiosmtpd_sink.py PORT (--discard | MAILDIR)
import asyncio
import os
import socket
import sys
import time

from aiosmtpd.smtp import SMTP

port, target = int(sys.argv[1]), sys.argv[2]
host = socket.gethostname()
count = 0


class Handler:
    async def handle_DATA(self, server, session, envelope):
        global count
        if target == "--discard":
            return "250 OK"
        count += 1
        name = "%d.M%dP%dQ%d.%s" % (time.time(), time.time_ns() // 1000 % 1000000, os.getpid(), count, host)
        tmp = os.path.join(target, "tmp", name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, envelope.original_content)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, os.path.join(target, "new", name))
        d = os.open(os.path.join(target, "new"), os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(d)
        finally:
            os.close(d)
        return "250 OK"


if target != "--discard":
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(target, sub), exist_ok=True)
loop = asyncio.new_event_loop()
server = loop.run_until_complete(loop.create_server(lambda: SMTP(Handler()), "127.0.0.1", port))
print("ready", flush=True)
loop.run_forever()
