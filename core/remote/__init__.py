"""The pieces of the HTTP client of the REST API (``core.http_service.HttpOrderService``): how it connects,
how error bodies become the service's typed errors, and how ``/events`` is read."""
