"""Activities scheduled by workflows from before ``activities.inputs``: their arguments, read as one input model.

Workflows started before the ``ledger-in-activities`` patch sent one argument (an ``OrderInput`` or a
``FulfilmentInput``), which the input models read as they are. Workflows from between that patch and the
one-model inputs sent two: that argument and the whole ``OrderDetails``. The SDK decodes a call whose argument
count differs from the function's without type hints (to plain JSON values), and would then call the function
with two arguments; this interceptor folds the second into the input's ``ledger`` field first. It can go once
no order started before the change is still running.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)


class LegacyArguments(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Fold(next)


class _Fold(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        if len(input.args) == 2 and isinstance(input.args[0], dict):
            model = _input_model(input.fn)
            if model is not None:
                first, details = input.args
                input.args = [model.model_validate({**first, "ledger": details})]
        return await self.next.execute_activity(input)


def _input_model(fn: Any) -> type[BaseModel] | None:
    hints = typing.get_type_hints(fn)
    hints.pop("return", None)
    model = next(iter(hints.values()), None)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None
