"""What a UART set to the wrong baud rate makes of a byte stream: the garbage a GPS gives at a wrong rate.

The line is driven at ``tx_baud`` (8N1, LSB first, idle high); the receiver waits for a start
bit's falling edge and samples each bit in its middle at ``rx_baud``. Bytes with a framing error
(stop bit low) are delivered anyway, as many USB-serial drivers do.
"""

from __future__ import annotations


def misread(data: bytes, tx_baud: int, rx_baud: int, *, gap_bits: float = 0.0) -> bytes:
    if tx_baud == rx_baud:
        return data
    bits: list[int] = []
    for byte in data:
        bits.append(0)
        bits.extend((byte >> k) & 1 for k in range(8))
        bits.append(1)
        bits.extend([1] * int(gap_bits))
    bits.extend([1] * 20)
    t_bit_tx = 1.0 / tx_baud
    t_bit_rx = 1.0 / rx_baud
    end = len(bits) * t_bit_tx

    def level(t: float) -> int:
        i = int(t / t_bit_tx)
        return bits[i] if 0 <= i < len(bits) else 1

    out = bytearray()
    t = 0.0
    step = t_bit_tx / 4 if t_bit_tx < t_bit_rx else t_bit_rx / 4
    while t < end:
        if level(t) == 0:  # falling edge: a start bit as the receiver sees it
            start = t
            value = 0
            for k in range(8):
                value |= level(start + (k + 1.5) * t_bit_rx) << k
            out.append(value)
            t = start + 9.5 * t_bit_rx  # into the stop bit; then hunt for the next start bit
            while t < end and level(t) == 0:
                t += step
        else:
            t += step
    return bytes(out)
