"""A column of strings in one buffer: no Python object per row.

A million listed names as ``list[str]`` cost about 60 bytes of object header each, and every
read updates a reference count, so a forked worker copies the page it sits on. Here the rows
are UTF-8 slices of one ``bytearray`` with ``numpy`` offsets; a read makes a fresh string.
"""

from __future__ import annotations

from array import array

import numpy as np
import numpy.typing as npt


class StringColumn:
    """Append-only strings, addressed by row number."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("q")
        self._frozen: npt.NDArray[np.int64] | None = None

    def append(self, text: str) -> None:
        self._data += text.encode("utf-8")
        self._ends.append(len(self._data))
        self._frozen = None

    def extend(self, data: bytes, ends: bytes) -> None:
        """Append rows given as one UTF-8 blob and the bytes of an int64 array of their end
        offsets within it."""
        base = len(self._data)
        self._data += data
        self._ends.frombytes((np.frombuffer(ends, dtype=np.int64) + base).tobytes())
        self._frozen = None

    def __len__(self) -> int:
        return len(self._ends)

    def _offsets(self) -> npt.NDArray[np.int64]:
        if self._frozen is None:
            self._frozen = np.concatenate(
                [np.zeros(1, dtype=np.int64), np.frombuffer(self._ends, dtype=np.int64)]
            )
        return self._frozen

    def __getitem__(self, row: int) -> str:
        offsets = self._offsets()
        return self._data[int(offsets[row]) : int(offsets[row + 1])].decode("utf-8")

    def take(self, rows: list[int]) -> list[str]:
        """The strings of several rows, in order."""
        offsets = self._offsets()
        index = np.asarray(rows, dtype=np.int64)
        starts, ends = offsets[index].tolist(), offsets[index + 1].tolist()
        data = self._data
        return [data[s:e].decode("utf-8") for s, e in zip(starts, ends, strict=True)]

    def freeze(self) -> None:
        """Compute the offsets now (before forking workers that would each do it)."""
        self._offsets()
