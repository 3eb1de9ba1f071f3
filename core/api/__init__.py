"""The REST face of the desk, after the FastAPI full-stack template's ``backend/app/api``.

``app`` builds the app and owns the runtime; ``deps`` holds the routes' ``Annotated`` dependencies; ``errors``
is the one table from failures to HTTP; ``schemas`` is the wire format; ``auth``, ``limits`` and ``filters``
do one job each; ``routes`` translates HTTP into service calls, one module per resource.
"""

from core.api.app import create_app

__all__ = ["create_app"]
