"""Token buckets per tenant and category (read, write): bursts pass, a steady excess is refused."""
import math
import time


class Bucket:
    def __init__(self, burst, rate):
        self.burst, self.rate = burst, rate
        self.tokens = float(burst)
        self.at = time.monotonic()

    def take(self, burst=None):
        """Returns 0 when a request may pass, else the whole seconds until one token is back."""
        now = time.monotonic()
        self.tokens = min(burst or self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0
        return max(1, math.ceil((1 - self.tokens) / self.rate))


class Limiter:
    def __init__(self, buckets, single=lambda: False):
        self.sizes = buckets
        self.buckets = {}
        #: whether buckets hold one request only (a fault: no burst allowed)
        self.single = single

    def take(self, tenant, category):
        key = (tenant, category)
        if key not in self.buckets:
            size = self.sizes[category]
            self.buckets[key] = Bucket(size["burst"], size["rate"])
        return self.buckets[key].take(1 if self.single() else None)
