"""Temporal activities: every side effect of an order lives here, idempotent by order ID."""
