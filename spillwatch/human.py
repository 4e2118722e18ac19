"""Numbers as people read them in the CLI's output ("9 KB", "1.2 MB", "3 min 5 s").

Written by hand: tqdm's ``format_sizeof`` prints "9.00kB" (made for progress bars), and a library
for two small functions is not worth a dependency.
"""

from __future__ import annotations

_UNITS = ("bytes", "KB", "MB", "GB", "TB")


def human_size(nbytes: float) -> str:
    """Decimal units, like file managers: 0 bytes, 512 bytes, 9 KB, 1.2 MB, 14 GB."""
    value = float(nbytes)
    for unit in _UNITS:
        if abs(value) < 1000 or unit == _UNITS[-1]:
            if unit == "bytes":
                return f"{int(value)} bytes"
            return f"{value:.1f} {unit}" if abs(value) < 10 else f"{value:.0f} {unit}"
        value /= 1000
    raise AssertionError("unreachable: the last unit always returns")
