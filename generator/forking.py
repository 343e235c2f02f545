"""Share work out to a forked worker per core; the workers inherit what they read.

Forking copies nothing up front, so a worker can read the whole site without it being
sent; only results travel back (pickled). Results come back in the order of the items,
whatever the number of workers, so output never depends on the machine.
"""

from __future__ import annotations

import contextlib
import gc
import io
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from generator.errors import PapersError

Item = TypeVar("Item")
Result = TypeVar("Result")


def can_fork() -> bool:
    """Forking a process that runs threads (the dev server) is not safe: locks held elsewhere
    stay held forever in the child."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def die_with_parent(parent: int) -> None:
    """In a forked worker: be killed when `parent` ends, however it ends. A worker of a
    killed build would otherwise wait forever for its orders, or go on writing pages."""
    killed_with_parent()
    if os.getppid() != parent:  # it ended before the line above took effect
        os._exit(1)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler is for the parent


def killed_with_parent() -> None:
    """Ask the kernel to kill this process when its parent ends (Linux; elsewhere nothing)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def worker_count(items: int, min_per_worker: int) -> int:
    """One worker per core, but none that would get fewer than `min_per_worker` items."""
    if not can_fork():
        return 1
    return max(1, min(os.cpu_count() or 1, items // min_per_worker))


_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def fork_map(function: Callable[[Item], Result], items: Sequence[Item], min_per_worker: int) -> list[Result]:
    """`[function(item) for item in items]`, on every core when there are enough items."""
    global _TASK
    count = worker_count(len(items), min_per_worker)
    if count == 1:
        return [function(item) for item in items]
    _TASK = (function, items)
    try:  # frozen, collections in the workers skip, and so do not copy, the shared objects
        with (
            frozen(),
            multiprocessing.get_context("fork").Pool(count, die_with_parent, (os.getpid(),)) as pool,
        ):
            shares = pool.starmap(_run_share, [(index, count) for index in range(count)])
    finally:
        _TASK = None
    results: list[Any] = [None] * len(items)
    for index, share in enumerate(shares):
        results[index::count] = share
    return results


def _run_share(start: int, step: int) -> list[Any]:
    assert _TASK is not None
    function, items = _TASK
    return [function(item) for item in items[start::step]]


def call_in_child(function: Callable[[], Result], shared: Sequence[object] = ()) -> Result:
    """`function()`, computed in a forked child when this process may fork.

    What the call allocates on the way is the child's, and gone when it exits; here it
    would stay (CPython seldom hands freed memory back), on top of everything later steps
    allocate. The result comes back pickled, objects of `shared` as themselves.
    """
    child = InChild(function, shared)
    try:
        return child.result()
    finally:
        child.close()


@dataclass(frozen=True)
class ThenDo(Generic[Result]):
    """What a child's function returns to send `value` back and then, with its parent no
    longer waiting, do `afterwards` (save what the next build reads, say)."""

    value: Result
    afterwards: Callable[[], None]


class InChild(Generic[Result]):
    """`function()` computed in a forked child while this process goes on (see
    `call_in_child`): `result()` waits for it and raises what it raised, `close()` ends
    it unheard. Where this process may not fork, the call is made at once."""

    def __init__(
        self, function: Callable[[], Result | ThenDo[Result]], shared: Sequence[object] = ()
    ) -> None:
        self.shared = shared
        self.pid: int | None = None
        self.pipe: int | None = None
        self.value: Result
        if not can_fork():
            self.value = _sent(function())
            return
        readable, writable = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(readable)
            try:
                die_with_parent(parent)
                afterwards: list[Callable[[], None]] = []
                try:
                    data = dumps_sharing(_sent(function(), afterwards), shared)
                except BaseException as error:  # every failure is the parent's to raise
                    data = failure_message(error)
                with os.fdopen(writable, "wb") as pipe:
                    pipe.write(data)
                for step in afterwards:  # the parent has its result: it no longer waits
                    step()
            finally:
                os._exit(0)
        os.close(writable)
        self.pid, self.pipe = pid, readable

    def result(self) -> Result:
        if self.pipe is not None:
            with os.fdopen(self.pipe, "rb") as pipe:
                self.pipe = None
                data = pipe.read()
            if not data:  # it died: reaped now, as close() would wait for nothing
                self._reap()
            self.value = cast(Result, loads_sharing(checked(data), self.shared))
        return self.value

    def close(self) -> None:
        """Wait for the child to finish what it does after sending its result; end it if
        its result was not asked for (a build that failed meanwhile)."""
        if self.pipe is not None:
            os.close(self.pipe)
            self.pipe = None
            if self.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
        self._reap()

    def _reap(self) -> None:
        if self.pid is not None:
            os.waitpid(self.pid, 0)
            self.pid = None


def _sent(outcome: Result | ThenDo[Result], afterwards: list[Callable[[], None]] | None = None) -> Result:
    """The value a child's function sends back; what a `ThenDo` asks to do afterwards goes
    to `afterwards`, or is done now when there is no child."""
    if not isinstance(outcome, ThenDo):
        return outcome
    if afterwards is None:
        outcome.afterwards()
    else:
        afterwards.append(outcome.afterwards)
    return outcome.value


class Inbox:
    """A value for a forked child that its parent has only later: made before the fork,
    `send` in the parent, `receive` in the child (which waits for it)."""

    def __init__(self) -> None:
        self._read: int | None
        self._write: int | None
        self._read, self._write = os.pipe()

    def forked(self) -> None:
        """In the parent, just after the fork: only the child reads. Should it die, sending
        fails at once instead of waiting for a reader."""
        if self._read is not None:
            os.close(self._read)
            self._read = None

    def send(self, value: object) -> None:
        assert self._write is not None, "sent once"
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        with os.fdopen(self._write, "wb") as pipe:  # length first: children forked later hold
            self._write = None  # this end open too, so the reader sees no end of file
            pipe.write(len(data).to_bytes(8, "little") + data)

    def receive(self) -> Any:
        assert self._read is not None, "received once"
        with os.fdopen(self._read, "rb") as pipe:
            self._read = None
            size = int.from_bytes(pipe.read(8), "little")
            data = pipe.read(size)
        if len(data) < size:
            raise EOFError("the parent sent nothing")
        return pickle.loads(data)

    def close(self) -> None:
        """The ends still open here (in the parent, once the child has its own)."""
        for end in (self._read, self._write):
            if end is not None:
                os.close(end)
        self._read = self._write = None


class Later(Generic[Result]):
    """A value begun now and had later: `result()` calls `finish` once (it may wait for a
    child) and keeps what it returns; `close()` gives up on it (ends the child)."""

    def __init__(self, finish: Callable[[], Result], close: Callable[[], None] | None = None) -> None:
        self._finish, self._close = finish, close
        self._values: list[Result] = []

    @classmethod
    def known(cls, value: Result) -> Later[Result]:
        return cls(lambda: value)

    def result(self) -> Result:
        if not self._values:
            self._values.append(self._finish())
        return self._values[0]

    def close(self) -> None:
        if self._close is not None:
            self._close()


_FAILED = b"failed:"  # no pickle starts so: a message is a result, or an error after this


def failure_message(error: BaseException) -> bytes:
    """What a worker sends its parent instead of a result. An error that cannot be pickled
    (a class defined in a function, say) is sent as a RuntimeError that says what it was."""
    try:
        return _FAILED + pickle.dumps(error)
    except Exception:  # whatever pickling raises
        return _FAILED + pickle.dumps(RuntimeError(repr(error)))


def checked(message: bytes) -> bytes:
    """A worker's message, if it is a result; its error is raised here, and so is its death
    (an empty message: killed, say, by the kernel when memory ran out)."""
    if not message:
        raise PapersError.single("build", "a worker process ended unexpectedly", "run the build again")
    if message.startswith(_FAILED):
        raise pickle.loads(message[len(_FAILED) :])
    return message


def dumps_sharing(value: object, shared: Sequence[object]) -> bytes:
    """Pickle `value` for the process it was forked from, writing each object of `shared`
    (which that process holds at the same position) as its position: a worker's results
    then point at the parent's papers instead of bringing back a copy of the site."""
    positions = {id(item): position for position, item in enumerate(shared)}
    return dumps_referring(value, lambda obj: positions.get(id(obj)))


def loads_sharing(data: bytes, shared: Sequence[object]) -> Any:
    """The value `dumps_sharing` pickled, with the objects of `shared` in place."""
    return loads_referring(data, shared.__getitem__)


def dumps_referring(value: object, refer: Callable[[object], Hashable | None]) -> bytes:
    """Pickle `value`, writing each object that `refer` gives a reference as that reference
    alone: for a reader that holds the same objects under the same references."""
    buffer = io.BytesIO()
    with collector_paused():
        _ReferringPickler(buffer, refer).dump(value)
    return buffer.getvalue()


def loads_referring(data: bytes, resolve: Callable[[Any], object]) -> Any:
    """The value `dumps_referring` pickled, each reference replaced by `resolve(reference)`."""
    with collector_paused():
        return _ReferringUnpickler(io.BytesIO(data), resolve).load()


_frozen_depth = 0  # how many `frozen` blocks are open: the outermost one unfreezes
_frozen_lock = threading.Lock()


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """Every object made so far is left out of garbage collections until the outermost
    `frozen` ends. A build holds a large site that lives as long as the build: collections
    that walk it again and again cost more than the build's own work on a small change."""
    global _frozen_depth
    with _frozen_lock:
        gc.freeze()
        _frozen_depth += 1
    try:
        yield
    finally:
        with _frozen_lock:
            _frozen_depth -= 1
            if _frozen_depth == 0:  # a caller that builds many times (the tests) collects each build
                gc.unfreeze()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """For unpickling: it makes many objects and no garbage, so collections meanwhile, each
    walking every object the build holds, are pure cost (four times the time of loading
    the cache of a large site)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _ReferringPickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, refer: Callable[[object], Hashable | None]) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self.persistent_id = refer  # type: ignore[method-assign]


class _ReferringUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, resolve: Callable[[Any], object]) -> None:
        super().__init__(file)
        self.resolve = resolve

    def persistent_load(self, pid: Any) -> object:
        return self.resolve(pid)
