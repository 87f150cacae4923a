"""Performance measurement: HDR timings, k6-style thresholds, an open-model load generator, a
reporter with baselines, and the metrics a load run is judged on.

Nothing here waits by sleeping: the generator paces arrivals with the event loop's timer, and
everything that waits for the system goes through support/waits.py.
"""
