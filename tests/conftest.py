import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
#: where tests/test_fault_matrix.py writes its timings
MATRIX_SUMMARY = os.path.join(ROOT, "reports", "fault-matrix.txt")
STARTED = time.time()
MATRIX_FILE = "tests/test_fault_matrix.py"
#: test files that run after the fault matrix, on its pytest worker: beside the matrix's busiest first
#: minutes, the rehearsal's looks into workspaces outlast its 12 s idle timeout
AFTER_THE_MATRIX = ("tests/test_rehearsal.py",)
#: the test files that take minutes, not seconds, in the order they start
LONGEST_FIRST = (MATRIX_FILE, *AFTER_THE_MATRIX)


def pytest_configure(config):
    config.addinivalue_line("markers", "alone: measures time or processor use, or needs the machine's leftovers "
                                       "to itself, so it runs while nothing else does (`make test` runs "
                                       "`pytest -m alone` first)")


def pytest_collection_modifyitems(items):
    """The longest test files first: on `pytest -n --dist loadfile --no-loadscope-reorder` each starts at
    once on a worker of its own, and the short files fill in around them, so the workers end together."""
    def rank(item):
        path = item.nodeid.split("::")[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=rank)


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with the files of AFTER_THE_MATRIX given to the fault matrix's worker after it."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class AfterTheMatrix(LoadFileScheduling):
        def _split_scope(self, nodeid):
            scope = super()._split_scope(nodeid)
            return MATRIX_FILE if scope in AFTER_THE_MATRIX else scope

    return AfterTheMatrix(config, log)


def pytest_terminal_summary(terminalreporter):
    """The fault matrix's timings, when it ran in this session (here or in a worker of `-n`)."""
    if os.path.exists(MATRIX_SUMMARY) and os.path.getmtime(MATRIX_SUMMARY) >= STARTED:
        with open(MATRIX_SUMMARY) as handle:
            for line in handle.read().splitlines():
                terminalreporter.write_line(line)
