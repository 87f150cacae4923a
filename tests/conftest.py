import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def pytest_terminal_summary(terminalreporter):
    """The fault matrix's timings, when it ran."""
    matrix = sys.modules.get("tests.test_fault_matrix") or sys.modules.get("test_fault_matrix")
    for line in getattr(matrix, "SUMMARY", ()):
        terminalreporter.write_line(line)
