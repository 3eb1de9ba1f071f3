"""The desktop face of Order Desk (PySide6 + qasync).

Qt code only: the window turns every gesture into a call on its ``DeskController``, which calls the service
(``core.service_interface.OrderServiceProtocol``) and turns every ``core.errors.OrderDeskError`` into a
message in the window. Nothing here talks to Temporal.
"""
