"""Related papers for the dev server: the last lists at once, fresh ones in the background.

Recomputing related papers takes seconds at 10,000 papers, too long to wait for on each
save. With `defer`, a rebuild uses the previous lists (without papers that are gone)
while another process (`python -m generator.related`) computes the new ones once saves
pause; `on_ready` then asks the server for one more rebuild. In a thread, the
computation would hold the GIL for seconds and slow every rebuild and request meanwhile.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable

from generator.model import Paper
from generator.related import cached_related_papers, related_of_texts

RELATED_DELAY = 1.0  # seconds without a save before related papers are recomputed

Texts = tuple[tuple[str, str, str], ...]
Lists = dict[str, tuple[str, ...]]


class LiveRelated:
    """The `related_source` of the dev server's renderer; `lock` is the rebuild's lock."""

    def __init__(self, lock: threading.Lock, defer: bool) -> None:
        self.lock = lock
        self.defer = defer
        self.lists: Lists = {}
        self.texts: Texts = ()
        self.pending: Texts | None = None  # being computed, or waiting for saves to pause
        self.queued: Texts | None = None  # to start when the current rebuild is done
        self.last: tuple[object, object, Lists] | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.timer: threading.Timer | None = None
        self.on_ready: Callable[[], None] | None = None

    def __call__(self, papers: list[Paper]) -> Lists:
        seen = tuple([(paper.slug, paper.title, paper.body) for paper in papers])
        last = self.last
        if last is not None and last[0] == seen and last[1] is self.lists:
            return last[2]  # nothing changed since the last call: the same lists, the same object
        result = self._lists_for(papers, tuple(sorted(seen)))
        self.last = (seen, self.lists, result)
        return result

    def _lists_for(self, papers: list[Paper], texts: Texts) -> Lists:
        if texts == self.texts:
            self.pending = self.queued = None  # back to what the lists were made of (an undo)
            return self.lists
        if not self.defer or not self.texts:
            self.lists, self.texts = cached_related_papers(papers), texts
            return self.lists
        if self.pending != texts:
            self.pending = self.queued = texts
        slugs = {paper.slug for paper in papers}
        if slugs == self.lists.keys():
            return self.lists  # the same papers: the previous lists need no filtering
        return {slug: tuple(other for other in self.lists.get(slug, ()) if other in slugs) for slug in slugs}

    def start(self) -> None:
        """After a rebuild: compute the queued lists once saves pause for RELATED_DELAY."""
        texts, self.queued = self.queued, None
        if texts is None:
            return
        if self.timer is not None:
            self.timer.cancel()
        self.timer = threading.Timer(RELATED_DELAY, self._launch, args=(texts,))
        self.timer.daemon = True
        self.timer.start()

    def _launch(self, texts: Texts) -> None:
        with self.lock:
            if self.pending != texts:
                return  # superseded while waiting
            if self.process is not None:
                self.process.kill()
            command = [sys.executable, "-m", "generator.related"]
            try:
                self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            except OSError:
                self.process = None
            process = self.process
        if process is None:  # no process to be had: compute here, slower but right
            self._finish(related_of_texts(texts), texts)
            return
        output, _ = process.communicate(json.dumps(texts).encode())
        if process.returncode == 0:
            self._finish({slug: tuple(others) for slug, others in json.loads(output).items()}, texts)
        elif process is self.process:  # it failed on its own: compute here
            self._finish(related_of_texts(texts), texts)
        # else it was killed: a newer change took over

    def _finish(self, lists: Lists, texts: Texts) -> None:
        """Keep `lists` unless a newer change has started its own computation, and say so."""
        with self.lock:
            if self.pending != texts:
                return
            self.lists, self.texts, self.pending = lists, texts, None
        if self.on_ready:
            self.on_ready()

    def close(self) -> None:
        """Stop the background computation, if one is waiting or running."""
        if self.timer is not None:
            self.timer.cancel()
        if self.process is not None:
            self.process.kill()
            self.process.wait()
