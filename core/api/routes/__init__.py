"""The routers, one per resource, in the order the app includes them.

Bulk comes before orders: its literal ``/orders/bulk/...`` must win over ``/orders/{order_id}/...``, which
would otherwise take ``/orders/bulk/approve`` for an order named ``bulk``.
"""

from core.api.routes import bulk, events, export, health, me, metrics, orders

PUBLIC = (health.router,)
"""Routers that need no token, whatever the configuration."""

GUARDED = (bulk.router, export.router, orders.router, me.router, events.router)
"""Routers behind the bearer token when one is configured."""

MEASURED = (metrics.router,)
"""Routers behind the token too, included when the process measures itself (``core.telemetry``)."""
