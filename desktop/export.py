"""File → Export…: writes the orders of the table's view as CSV through ``OrderService.export_csv``, the
call behind ``GET /orders.csv``, so the file is byte for byte what the REST API would send.

The text is written off the Qt thread, chunk by chunk, to a temporary file beside the target that is renamed
at the end: a failed or cancelled export leaves whatever was at the target untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from pathlib import Path
from typing import BinaryIO

from core.models import OrderFilter
from core.service_interface import OrderServiceProtocol

Progress = Callable[[int, int], None]  # rows written, rows expected


async def _settled(chunks: AsyncGenerator[str, None]) -> AsyncIterator[str]:
    """``chunks``, closed only between reads. The service reads each batch in a worker thread; cancelled in the
    middle of one (the window closing during an export), the stream would be closed while that read still runs,
    which fails and leaves the database cursor open. So a cancellation first lets the read in flight finish."""
    try:
        while True:
            read = asyncio.ensure_future(anext(chunks, None))
            try:
                chunk = await asyncio.shield(read)
            except asyncio.CancelledError:
                await asyncio.wait({read})
                raise
            if chunk is None:
                return
            yield chunk
    finally:
        await chunks.aclose()


def _write(handle: BinaryIO, text: str) -> int:
    """Append ``text`` and return how many CSV records it holds (an item may hold a line break)."""
    handle.write(text.encode("utf-8"))
    return sum(1 for _ in csv.reader(io.StringIO(text, newline="")))


async def export_orders(service: OrderServiceProtocol, where: OrderFilter, path: Path, progress: Progress) -> int:
    """Write every order matching ``where`` (newest first) to ``path``; return how many were written.

    The expected total comes from ``count_orders`` first, so progress can say how far along it is; the count
    and the rows are read separately, so the total is a guide."""
    expected = await service.count_orders(where)
    progress(0, expected)
    partial = path.with_name(f".{path.name}.partial")
    handle = await asyncio.to_thread(open, partial, "wb")
    records = 0
    try:
        async with contextlib.aclosing(_settled(service.export_csv(where))) as chunks:
            async for chunk in chunks:
                records += await asyncio.to_thread(_write, handle, chunk)
                progress(max(records - 1, 0), max(expected, records - 1))  # the header is a record too
        await asyncio.to_thread(handle.close)
        await asyncio.to_thread(os.replace, partial, path)
    except BaseException:
        handle.close()
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return max(records - 1, 0)
