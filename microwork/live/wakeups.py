"""Wake-ups across threads and processes for the held connections (a requester waiting for
an answer, a worker's page waiting for an offer).

The database is the truth: a waiter registers, reads the state, and only then sleeps, so a
wake-up sent between the read and the sleep is not lost; every sleep is also bounded, so a
lost wake-up costs one short delay, never a wrong answer. On PostgreSQL a change sends
NOTIFY inside its own transaction (delivered on commit, never for a rolled-back change) and
one listener thread per process wakes that process's waiters: one extra database
connection per process, however many pages wait. On SQLite, which has no NOTIFY, waiters in
the same process are woken on commit and other processes' waiters look again every
`SQLITE_POLL` seconds."""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

log = logging.getLogger(__name__)

CHANNEL = "microwork_live"
# How often a waiter looks at the database without being woken: the worst delay of a lost
# wake-up on PostgreSQL, and the delay across processes on SQLite.
PG_POLL = 2.0
SQLITE_POLL = 0.25
# The listener lets its connection go after this long with nobody waiting, so an idle process
# holds none (and a test database can be dropped).
LISTENER_IDLE = 10.0

_lock = threading.Lock()
_waiters: dict[str, set[threading.Event]] = {}
_listener: threading.Thread | None = None
_listening = threading.Event()
_stop = threading.Event()


def task_key(live_task_id: int) -> str:
    return f"t{live_task_id}"


def worker_key(worker_id: int) -> str:
    return f"w{worker_id}"


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def poll_seconds() -> float:
    if not _is_postgres():
        return SQLITE_POLL
    # A listener that let its connection go while idle is started again by the next waiter.
    _ensure_listener()
    return PG_POLL if _listening.is_set() else SQLITE_POLL


def notify(*keys: str) -> None:
    """Call inside the transaction that made the change: waiters are woken once it commits."""
    if _is_postgres():
        with connection.cursor() as cursor:
            for key in keys:
                cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, key])
    transaction.on_commit(lambda: _wake(keys))


def _wake(keys: tuple[str, ...] | list[str]) -> None:
    with _lock:
        events = [event for key in keys for event in _waiters.get(key, ())]
    for event in events:
        event.set()


@contextmanager
def listening(key: str) -> Iterator[threading.Event]:
    """An event set whenever `key` is notified, registered for the block's length. Read the
    state after entering, then `event.wait(...)`, `event.clear()`, read again."""
    if _is_postgres():
        _ensure_listener()
    event = threading.Event()
    with _lock:
        _waiters.setdefault(key, set()).add(event)
    try:
        yield event
    finally:
        with _lock:
            waiting = _waiters.get(key)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del _waiters[key]


def _ensure_listener() -> None:
    global _listener
    with _lock:
        if _listener is not None and _listener.is_alive():
            return
        params = dict(connection.settings_dict)
        _listener = threading.Thread(
            target=_listen, args=(params,), name="live-listener", daemon=True
        )
        _listener.start()


def _listen(settings_dict: dict) -> None:
    """The process's one LISTEN connection; reconnects after an error (waiters poll meanwhile)."""
    import psycopg

    conninfo = {
        "dbname": settings_dict.get("NAME"),
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
    }
    while True:
        try:
            with psycopg.connect(
                **{k: v for k, v in conninfo.items() if v}, autocommit=True
            ) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                _listening.set()
                # Whatever changed while nobody listened: every waiter looks again.
                _wake_all()
                idle_since = time.monotonic()
                while not _stop.is_set():
                    for note in conn.notifies(timeout=1.0):
                        _wake([note.payload])
                    with _lock:
                        anyone = bool(_waiters)
                    if anyone:
                        idle_since = time.monotonic()
                    elif time.monotonic() - idle_since > LISTENER_IDLE:
                        break
                _listening.clear()
                return
        except Exception:  # noqa: BLE001 - the listener must outlive any error
            log.exception("live wake-up listener lost its connection; reconnecting")
        _listening.clear()
        _wake_all()
        if _stop.is_set():
            return
        time.sleep(1.0)


def stop_listener() -> None:
    """Let the listener's connection go now (tests, before their database is dropped)."""
    global _listener
    _stop.set()
    thread = _listener
    if thread is not None:
        thread.join(timeout=5)
    _listener = None
    _stop.clear()


def _wake_all() -> None:
    with _lock:
        events = [event for waiting in _waiters.values() for event in waiting]
    for event in events:
        event.set()
