import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
#: where tests/test_fault_matrix.py writes its timings
MATRIX_SUMMARY = os.path.join(ROOT, "reports", "fault-matrix.txt")
STARTED = time.time()


def pytest_configure(config):
    config.addinivalue_line("markers", "alone: measures time or processor use, or needs the machine's leftovers "
                                       "to itself, so it runs while nothing else does (`make test` runs "
                                       "`pytest -m alone` first)")


def pytest_collection_modifyitems(items):
    """The fault matrix first: on `pytest -n` its file, the longest, starts at once rather than last."""
    items.sort(key=lambda item: not item.nodeid.startswith("tests/test_fault_matrix.py"))


def pytest_terminal_summary(terminalreporter):
    """The fault matrix's timings, when it ran in this session (here or in a worker of `-n`)."""
    if os.path.exists(MATRIX_SUMMARY) and os.path.getmtime(MATRIX_SUMMARY) >= STARTED:
        with open(MATRIX_SUMMARY) as handle:
            for line in handle.read().splitlines():
                terminalreporter.write_line(line)
