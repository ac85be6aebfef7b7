"""Declarative event routing: handlers register per event and action.

    router = Router()

    @router.register("pull_request", action="opened")
    def on_opened(event, ctx): ...

A handler returns a Job, a list of Jobs, or None; `dispatch` collects them in
registration order. No action means "every action of that event".
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.events import Event

Handler = Callable[[Event, Any], Any]


class Router:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str | None], list[Handler]] = {}

    def register(self, event: str, action: str | None = None) -> Callable[[Handler], Handler]:
        def deco(func: Handler) -> Handler:
            self._routes.setdefault((event, action), []).append(func)
            return func
        return deco

    def handlers(self, event: str, action: str | None) -> list[Handler]:
        found = list(self._routes.get((event, None), []))
        if action is not None:
            found += self._routes.get((event, action), [])
        return found

    def handles(self, event: Event) -> bool:
        return bool(self.handlers(event.name, event.action))

    def dispatch(self, event: Event, ctx: Any = None) -> list:
        jobs: list = []
        for handler in self.handlers(event.name, event.action):
            result = handler(event, ctx)
            if result is None:
                continue
            jobs.extend(result if isinstance(result, list) else [result])
        return jobs

    @property
    def routes(self) -> list[tuple[str, str | None]]:
        """(event, action) pairs with a handler: what the App must subscribe to."""
        return sorted(self._routes, key=lambda r: (r[0], r[1] or ""))
