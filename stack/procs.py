"""Starting child processes that cannot outlive their parent.

Every process the stack starts asks the kernel (PR_SET_PDEATHSIG) to send it SIGTERM when its
parent dies, so killing the supervisor, or the behave run that started it, leaves nothing behind.
"""
import ctypes
import os
import signal
import subprocess
import sys

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent(sig=signal.SIGTERM):
    def prepare():
        _libc.prctl(_PR_SET_PDEATHSIG, sig)
        if os.getppid() == 1:
            os._exit(1)

    return prepare


def spawn(args, log_path, env=None, die_signal=signal.SIGTERM):
    """Starts `args` (a `python -m` module list when it starts with "-m") with output to `log_path`."""
    if args and args[0] == "-m":
        args = [sys.executable, *args]
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            preexec_fn=_die_with_parent(die_signal),
        )
    finally:
        log.close()


def stop(process, grace=3.0):
    """SIGTERM, then SIGKILL after `grace` seconds; returns the exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
