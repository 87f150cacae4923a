"""Benchmarks of the suite's own instruments (`make bench`): how soon a wait notices a condition,
how fast the load generator can go and what it adds to a latency, and how long the embedded stack
and its cold and warm starts take on this machine. They print a table; nothing here is a test.
"""
