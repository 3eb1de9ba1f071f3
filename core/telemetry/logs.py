"""Log lines for people (``text``) or for a log pipeline (``json``: one object per line).

A JSON line holds ``time``, ``level``, ``logger``, ``message`` and, where known, ``request_id`` (``X-Request-ID``,
made up when the request has none, and echoed in the response), ``order_id`` and ``workflow_id`` (the same value:
an order's workflow ID is its order ID), an activity's ``activity_type`` and ``attempt``, and ``exc_info``. Only
these fields leave: a record's other attributes (uvicorn's coloured copy of the message, whatever a library adds)
are never dumped, so nothing a request or a payload carried reaches the log unless a message quotes it. Tokens
never do (docs/REST.md).
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from asgi_correlation_id import correlation_id
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CONTEXT = ("request_id", "order_id", "workflow_id", "activity_type", "attempt")  # fields a line has where known
REQUEST_ID = re.compile(r"[\x21-\x7e]{1,128}")  # what a proxy's or a client's ID may look like; else we make one
_ORDER_PATH = re.compile(r"^/orders/(order_[0-9A-Za-z_-]{1,58})(?:/|$)")

order_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("order_id", default=None)


def configure(log_format: str, level: int = logging.INFO) -> None:
    """The root logger's one handler, on stderr. uvicorn's loggers are re-pointed at it when the app starts
    (``adopt_uvicorn``): uvicorn configures its own as it starts."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries' lines of routine: httpx logs each request a signed-in desk makes (its /events stream, a health
    # check every 5 s), alembic's plugins announce themselves at every start. Their warnings still show.
    for chatty in ("httpx", "alembic.runtime.plugins"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    if log_format == "json":  # the SDK's loggers then put what they know in fields, not at the end of the message
        from temporalio import activity, workflow

        activity.logger.activity_info_on_message = False
        workflow.logger.workflow_info_on_message = False


def json_logs() -> bool:
    return any(isinstance(handler.formatter, JsonLines) for handler in logging.getLogger().handlers)


def adopt_uvicorn() -> None:
    """uvicorn's error and access loggers write through the root handler (JSON lines too), not their own; the
    access line loses its query string."""
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True
    hide_query_strings()


def hide_query_strings() -> None:
    """uvicorn's access line without its query string, whatever the log format."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueryString) for f in access.filters):
        access.addFilter(NoQueryString())


class NoQueryString(logging.Filter):
    """Drops the query string from uvicorn's access line: a search (``?q=``, ``created_by=``) carries what people
    typed and whom they looked for, which has no place in an operator's log; the path and status say enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):  # uvicorn's access record
            record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``order_id`` and ``workflow_id`` where the record's context knows them: the HTTP request
    being served, or the workflow or activity that logged (the SDK's loggers put their info on the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation_id.get()
        temporal: dict[str, Any] = (getattr(record, "temporal_activity", None)
                                    or getattr(record, "temporal_workflow", None) or {})
        workflow = temporal.get("workflow_id")
        record.workflow_id = workflow
        record.activity_type = temporal.get("activity_type")
        record.attempt = temporal.get("attempt")
        record.order_id = workflow if workflow and workflow.startswith("order_") else order_id.get()
        return True


class JsonLines(JsonFormatter):
    def __init__(self) -> None:
        super().__init__(json_ensure_ascii=False)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        log_data["time"] = self.formatTime(record)
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        for name in CONTEXT:
            value = getattr(record, name, None)
            if value:
                log_data[name] = value
        for name in ("exc_info", "stack_info"):
            if message_dict.get(name):
                log_data[name] = message_dict[name]

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's)
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def acceptable_request_id(value: str) -> bool:
    return REQUEST_ID.fullmatch(value) is not None


class OrderInContext:
    """Puts the order a request concerns in the log context: the one its path names, or, for a create, the one its
    ``Location`` answers with (before uvicorn writes the access line)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        named = _ORDER_PATH.match(scope.get("path", ""))
        token = order_id.set(named[1] if named else None)

        async def send_noting_location(message: Message) -> None:
            if message["type"] == "http.response.start" and order_id.get() is None:
                for key, value in message.get("headers", ()):
                    if key == b"location":
                        created = _ORDER_PATH.match(value.decode("latin-1"))
                        if created:
                            order_id.set(created[1])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_location)
        finally:
            order_id.reset(token)
