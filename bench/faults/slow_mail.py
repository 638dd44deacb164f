"""An email backend for the worker fault test: a mail server that takes its time.

Each message is announced in `sending` (who it is for) and, after BENCH_FAULT_MAIL_SECONDS,
delivered: one line appended (and synced) to `delivered.log` in BENCH_FAULT_MAIL_DIR. The test
kills the worker while a message is being sent, and counts the lines. With
BENCH_FAULT_MAIL_LINGER it waits that long after a delivery, announced in `delivered`, before
the task may mark the notification sent.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class SlowBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(os.environ["BENCH_FAULT_MAIL_DIR"])
        for message in email_messages:
            (folder / "sending").write_text(",".join(message.to))
            time.sleep(float(os.environ.get("BENCH_FAULT_MAIL_SECONDS", "3")))
            with open(folder / "delivered.log", "a") as log:
                log.write(f"{','.join(message.to)}\t{message.subject}\n")
                log.flush()
                os.fsync(log.fileno())
            (folder / "sending").unlink(missing_ok=True)
            linger = float(os.environ.get("BENCH_FAULT_MAIL_LINGER", "0"))
            if linger:
                # Delivered, not yet marked sent: the window a kill resends the message in.
                (folder / "delivered").write_text(",".join(message.to))
                time.sleep(linger)
                (folder / "delivered").unlink(missing_ok=True)
        return len(email_messages)
