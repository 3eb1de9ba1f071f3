"""``GET /orders.csv``: the search of ``GET /orders`` as a spreadsheet file, whatever its size.

The rows stream from the ledger's server-side cursor through ``OrderService.export_csv``, so memory stays
flat for a million orders. The path has no slash after ``/orders``, so it can never be taken for an order ID.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from core.api.deps import OrderFilterDep, OrderServiceDep
from core.api.errors import error_responses
from core.csv_export import CSV_HEADER

router = APIRouter(tags=["orders"])

FILENAME = "orders.csv"


_CSV = {
    "content": {"text/csv": {"schema": {"type": "string"}}},
    "description": f"UTF-8 with a byte-order mark (so spreadsheets read Vietnamese right), CRLF line ends, "
                   f"a header row `{','.join(CSV_HEADER)}`, then the matching orders newest first. Sent as "
                   f'`Content-Disposition: attachment; filename="{FILENAME}"`.',
    "headers": {"Content-Disposition": {"description": f'`attachment; filename="{FILENAME}"`',
                                        "schema": {"type": "string"}}},
}


@router.get("/orders.csv", operation_id="export_orders_csv", summary="Export the search as CSV",
            response_class=StreamingResponse, responses={200: _CSV, **error_responses(422, 503)})
async def export_orders_csv(service: OrderServiceDep, where: OrderFilterDep) -> StreamingResponse:
    """The same filters as `GET /orders`, every matching order (no paging)."""
    chunks = service.export_csv(where)
    # The header and the first rows are read before answering, so a ledger that does not answer is a 503,
    # not a download cut short after its first line.
    head = [chunk async for chunk in _first(chunks, 2)]
    # The media type is given here, not on the response class: FastAPI would document the JSON error
    # bodies under the class's media type too. Starlette adds `; charset=utf-8` and encodes with it.
    return StreamingResponse(_chain(head, chunks), media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="{FILENAME}"'})


async def _first(chunks: AsyncIterator[str], count: int) -> AsyncIterator[str]:
    for _ in range(count):
        chunk = await anext(chunks, None)
        if chunk is None:
            return
        yield chunk


async def _chain(head: list[str], rest: AsyncIterator[str]) -> AsyncIterator[str]:
    for chunk in head:
        yield chunk
    async for chunk in rest:
        yield chunk
