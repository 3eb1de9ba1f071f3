"""The HTTP layer's metrics, through prometheus-fastapi-instrumentator: request durations by route template, and
the decisions that reached an order, read from the answers the API gives anyway.

A decision is ``POST /orders/{order_id}/approve|reject|cancel`` (its time is ``order_desk_decision_seconds``) or
each order of ``POST /orders/bulk/{action}``. Its outcome is ``applied`` or the refusal's error ``code``
(``invalid_transition``, ``four_eyes``, ``no_worker``, …). A request refused before it reached an order (no
token, a malformed body, another site's page) is no decision, and only counts in the HTTP histogram.
"""

from __future__ import annotations

import json
import logging
import re

from fastapi import FastAPI
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator.metrics import Info

from core.errors import FORBIDDEN_CODES, ErrorCode
from core.telemetry.metrics import AppMetrics

log = logging.getLogger(__name__)

SINGLE = re.compile(r"^/orders/\{order_id\}/(approve|reject|cancel)$")
BULK = "/orders/bulk/{action}"
APPLIED = "applied"
DECISION_CODES = frozenset({ErrorCode.ORDER_NOT_FOUND, ErrorCode.INVALID_TRANSITION, *FORBIDDEN_CODES,
                            ErrorCode.TEMPORAL_UNAVAILABLE, ErrorCode.NO_WORKER, ErrorCode.LEDGER_UNAVAILABLE,
                            ErrorCode.INTERNAL_ERROR})
"""The codes of answers from an order (or from Temporal on its way there), as opposed to the HTTP layer's own."""
NOT_TIMED = ["^/metrics$", "^/events$"]  # a scrape times nothing of the app's; an event stream lasts for hours
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
"""A label holds one of these, or ``other``: a method is whatever a caller sends (``X1234``, 5,000 ``M``s), and each
new one was a new set of series, without a token, in every scrape from then on."""


def instrument(app: FastAPI, metrics: AppMetrics) -> None:
    instrumentator = Instrumentator(should_group_status_codes=False, excluded_handlers=NOT_TIMED,
                                    body_handlers=[SINGLE.pattern, "^" + re.escape(BULK) + "$"],
                                    registry=metrics.registry)
    instrumentator.add(_durations(metrics), _decisions(metrics))
    instrumentator.instrument(app)


def _durations(metrics: AppMetrics):  # noqa: ANN202 (the library's callable type)
    def record(info: Info) -> None:
        method = info.method if info.method in METHODS else OTHER_METHOD
        metrics.http_request_duration.labels(info.modified_handler, method, info.modified_status).observe(
            info.modified_duration)

    return record


def _decisions(metrics: AppMetrics):  # noqa: ANN202
    def record(info: Info) -> None:
        if info.method != "POST" or info.response is None:
            return
        single = SINGLE.match(info.modified_handler)
        if single:
            outcome = _outcome(info.response.status_code, info.response.body)
            if outcome is not None:
                metrics.decisions.labels(single[1], outcome).inc()
                metrics.decision_seconds.observe(info.modified_duration)
        elif info.modified_handler == BULK and info.response.status_code == 200:
            action = info.request.url.path.rsplit("/", 1)[-1]
            for result in _json(info.response.body).get("data", []):
                metrics.decisions.labels(action, APPLIED if result.get("ok") else result.get("code") or "unknown").inc()

    return record


def _outcome(status: int, body: bytes) -> str | None:
    if status == 200:
        return APPLIED
    code = _json(body).get("code")
    return code if code in DECISION_CODES else None


def _json(body: bytes) -> dict:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
