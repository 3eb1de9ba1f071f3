"""The desktop face of Order Desk (PySide6 + qasync).

Qt code only: every gesture becomes a call on ``core.service.OrderService`` and every
``core.errors.OrderDeskError`` becomes a message in the window. Nothing here talks to Temporal.
"""
