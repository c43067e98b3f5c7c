# SPDX-License-Identifier: MIT
# The SMTP client benchmark's Python client (bench/smtp.sh): smtplib.SMTP, COUNT small messages
# over one connection with sendmail(), then QUIT. Prints what bench/smtp_client.cpp prints.
#   python3 smtp_client.py HOST PORT COUNT
import resource
import smtplib
import sys
import time

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
message = b"From: anna@example.com\r\nTo: bob@example.org\r\nSubject: bench\r\n\r\nA small message.\r\n"
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.monotonic()
try:
    with smtplib.SMTP(host, port, timeout=60) as smtp:
        for _ in range(count):
            refused = smtp.sendmail("anna@example.com", ["bob@example.org"], message)
            if refused:
                raise RuntimeError("refused: %r" % refused)
except Exception as e:  # noqa: BLE001 - one line for the script, whatever failed
    print("error=%s" % str(e).replace(" ", "_"))
    sys.exit(1)
seconds = time.monotonic() - t0
r1 = resource.getrusage(resource.RUSAGE_SELF)
print("msgs=%d seconds=%.4f user_us=%.0f sys_us=%.0f" % (
    count, seconds, (r1.ru_utime - r0.ru_utime) * 1e6, (r1.ru_stime - r0.ru_stime) * 1e6))
