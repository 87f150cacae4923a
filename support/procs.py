"""Child processes of the suite that must not outlive it."""
import ctypes
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent():
    """preexec_fn: the kernel sends SIGTERM to the child when the suite's process dies."""
    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
