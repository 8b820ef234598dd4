"""Writing a build's output directory safely (DESIGN §10).

- The project is assembled in a temporary sibling ``.NAME.tmp-PID-XXXX`` and renamed into place
  only when every step succeeded.
- A lock file ``.NAME.lock`` beside the target is held (``fcntl.flock``) from the start to the
  commit: a second build into the same ``--out`` fails at once, in one line.
- Nothing at the target that this build did not create is deleted without ``--force``; the
  check is repeated at commit time, under the lock.
- SIGINT/SIGTERM remove the temporary sibling; siblings left by SIGKILL (their PID is dead) are
  swept, by name, by the next build of the same target.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from hwgen.core.errors import ConfigError


class Terminated(BaseException):
    """SIGTERM during a build (a BaseException, like KeyboardInterrupt: cleanup runs, then exit)."""

    def __init__(self, signum: int):
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_target(out: Path, force: bool) -> None:
    """Fail before any work when the target cannot be (over)written."""
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise ConfigError(f"{out}: exists and is not a directory; remove it or choose another --out")
        if not force:
            raise ConfigError(f"{out}: output directory exists; pass --force to overwrite it")


class _Lock:
    def __init__(self, out: Path):
        self.path = out.parent / f".{out.name}.lock"
        self.fd: int | None = None

    def acquire(self) -> None:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise ConfigError(f"{self.path.parent / self.path.name[1:-5]}: another hwgen build is writing "
                                  f"this directory (lock {self.path}); wait for it or choose another --out") from None
            # the holder before us may have unlinked the file: lock the file that is at the path
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self.fd = fd
                return
            os.close(fd)

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)  # still holding it: nobody else can be inside
        os.close(self.fd)
        self.fd = None


def sweep_stale(out: Path) -> list[Path]:
    """Remove ``.NAME.tmp-PID-*``/``.NAME.old-PID-*`` siblings whose build process is gone."""
    rx = re.compile(rf"^\.{re.escape(out.name)}\.(tmp|old)-(\d+)-")
    removed = []
    for p in out.parent.iterdir() if out.parent.is_dir() else ():
        m = rx.match(p.name)
        if m and not _pid_alive(int(m.group(2))):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            removed.append(p)
    return removed


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM raises ``Terminated`` (SIGINT already raises KeyboardInterrupt) so that the
    temporary directory is removed; handlers are restored afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum, frame):
        raise Terminated(signum)

    old_term = signal.signal(signal.SIGTERM, on_term)
    old_int = signal.getsignal(signal.SIGINT)
    if old_int in (signal.SIG_IGN, signal.SIG_DFL, None):
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old_term)
        if old_int is not None:
            signal.signal(signal.SIGINT, old_int)


@contextlib.contextmanager
def output_dir(out: Path, force: bool, log=None) -> Iterator[Path]:
    """A temporary directory beside ``out``; on normal exit it becomes ``out``.

    On any exception (a failed step, SIGINT, SIGTERM) the temporary directory is removed and
    ``out`` is untouched.
    """
    out = Path(out)
    check_target(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = _Lock(out)
    lock.acquire()
    tmp: Path | None = None
    try:
        for p in sweep_stale(out):
            if log is not None:
                log(f"removed {p} (left by a build that was killed)")
        check_target(out, force)  # again, under the lock
        with _signals_raise():
            try:
                tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; the project is an ordinary directory
                yield tmp
                _commit(tmp, out, force)
                tmp = None
            finally:
                if tmp is not None:
                    shutil.rmtree(tmp, ignore_errors=True)
    finally:
        lock.release()


def _commit(tmp: Path, out: Path, force: bool) -> None:
    """Rename ``tmp`` to ``out`` under the lock; replace an existing ``out`` only with force."""
    if out.exists() or out.is_symlink():
        if not force:
            raise ConfigError(f"{out}: appeared while this build ran (not created by hwgen); it was left "
                              "untouched and the build discarded; pass --force to replace it")
        if not out.is_dir() or out.is_symlink():
            raise ConfigError(f"{out}: exists and is not a directory; remove it or choose another --out")
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
        os.rename(out, old / "previous")
        os.rename(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
        return
    try:
        os.rename(tmp, out)
    except OSError as e:  # created between the check and the rename
        raise ConfigError(f"{out}: cannot be written ({e.strerror}); nothing was overwritten") from None
