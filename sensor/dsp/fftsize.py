"""FFT sizes that pocketfft (numpy/scipy) transforms fast."""

from __future__ import annotations


def is_fast_fft_length(n: int) -> bool:
    """True when ``n`` has no prime factor above 13."""
    for p in (2, 3, 5, 7, 11, 13):
        while n % p == 0:
            n //= p
    return n == 1
