"""A token bucket per connection: a steady rate with room for a burst (a client's queue
replayed after a reconnect). Per connection, so it lives with the socket: a client that
opens more sockets gets no more than the handshake's own limits allow."""

from __future__ import annotations

import math
import time

RATE_PER_SECOND = 20.0
RATE_BURST = 60.0


class TokenBucket:
    def __init__(self, rate: float = RATE_PER_SECOND, burst: float = RATE_BURST) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.refilled_at = time.monotonic()

    def take(self) -> bool:
        """Take one token if there is one."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.refilled_at) * self.rate)
        self.refilled_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def retry_after(self) -> float:
        """Seconds until the next frame would be taken, rounded up to the millisecond: a
        refused frame is never told to come back at once (0.0), only to be refused again."""
        return math.ceil(max(1 - self.tokens, 0) / self.rate * 1000) / 1000
