#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""SMTP peers that are not wire, for tests/smtp (Debian's /usr/bin/python3: aiosmtpd, smtplib).

  smtp_peers.py aiosmtpd STORE [--cert C --key K] [--require-starttls] [--user U --password P]
                [--refuse ADDRESS]...
      aiosmtpd on 127.0.0.1, a free port, printed as "port N" once listening. Each message is
      stored as STORE/<n>.eml (the bytes as received) and STORE/<n>.env (MAIL FROM, then each
      RCPT TO, then "mail-options ..." one a line). RCPT to a --refuse address gets
      "550 5.1.1 No such user here". Stops at SIGTERM.

  smtp_peers.py smtplib PORT FROM TO[,TO...] MESSAGE_FILE [--count N] [--starttls CAFILE]
                [--user U --password P] [--pipelined-file F]
      Python's smtplib sends MESSAGE_FILE N times over one connection (STARTTLS verified
      against CAFILE, AUTH when asked) and prints, per message, "sent <n> refused <addresses>";
      an exception is printed as "error <class> <code> <text>" and exits 1.
"""
import asyncio
import os
import signal
import smtplib
import ssl
import sys


def arg(args, name, default=None):
    if name in args:
        i = args.index(name)
        value = args[i + 1]
        del args[i:i + 2]
        return value
    return default


def args_all(args, name):
    out = []
    while name in args:
        out.append(arg(args, name))
    return out


def run_aiosmtpd(args):
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    store = args[0]
    cert, key = arg(args, "--cert"), arg(args, "--key")
    user, password = arg(args, "--user"), arg(args, "--password")
    refused = set(args_all(args, "--refuse"))
    require_starttls = "--require-starttls" in args
    count = [0]

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in refused:
                return "550 5.1.1 No such user here"
            envelope.rcpt_tos.append(address)
            return "250 2.1.5 OK"

        async def handle_DATA(self, server, session, envelope):
            count[0] += 1
            base = os.path.join(store, str(count[0]))
            with open(base + ".eml.tmp", "wb") as f:
                f.write(envelope.original_content)
            with open(base + ".env", "w", encoding="utf-8") as f:
                f.write(envelope.mail_from + "\n")
                for r in envelope.rcpt_tos:
                    f.write(r + "\n")
                f.write("mail-options " + " ".join(envelope.mail_options) + "\n")
            os.rename(base + ".eml.tmp", base + ".eml")
            return "250 2.0.0 Message accepted"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and user is not None
              and auth_data.login == user.encode() and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)

    context = None
    if cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)

    def factory():
        return SMTP(Handler(), tls_context=context, require_starttls=require_starttls,
                    authenticator=authenticator if user else None, auth_require_tls=True,
                    enable_SMTPUTF8=True, hostname="aiosmtpd.test")

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", 0))
    print("port", server.sockets[0].getsockname()[1], flush=True)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    server.close()


def run_smtplib(args):
    port, sender, to, path = int(args[0]), args[1], args[2].split(","), args[3]
    count = int(arg(args, "--count", "1"))
    cafile = arg(args, "--starttls")
    user, password = arg(args, "--user"), arg(args, "--password")
    with open(path, "rb") as f:
        message = f.read()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            if cafile:
                smtp.starttls(context=ssl.create_default_context(cafile=cafile))
            if user:
                smtp.login(user, password)
            for n in range(1, count + 1):
                refused = smtp.sendmail(sender, to, message)
                print("sent", n, "refused", ",".join(sorted(refused)), flush=True)
    except smtplib.SMTPResponseException as e:
        print("error", type(e).__name__, e.smtp_code, e.smtp_error.decode("utf-8", "replace"), flush=True)
        return 1
    except (smtplib.SMTPException, OSError) as e:
        print("error", type(e).__name__, 0, str(e), flush=True)
        return 1
    return 0


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "aiosmtpd":
        run_aiosmtpd(sys.argv[2:])
        return 0
    if len(sys.argv) >= 6 and sys.argv[1] == "smtplib":
        return run_smtplib(sys.argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
