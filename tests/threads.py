"""What the concurrency tests share: a call made in a worker thread, all of them released together."""

import threading

from django.db import connection


def at_once(barrier: threading.Barrier, call):
    """`call()` once every thread of `barrier` is ready; the thread's own database connection closed after, as a
    request's would be (each thread opens its own)."""
    try:
        barrier.wait(timeout=10)
        return call()
    finally:
        connection.close()
