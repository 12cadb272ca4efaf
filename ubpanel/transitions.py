"""Status graphs, declared once next to each model's ``TextChoices``.

A graph lists every move as (source statuses, target status, the service that makes it). Services
ask it which sources they may start from (``GRAPH.sources("entry_ratify")``) and lock the row with
``ubpanel.services.lock_in_status``; tests walk every status × every transition against it.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    service: str


class StatusGraph:
    def __init__(self, statuses, edges: Iterable[tuple[str | Iterable[str], str, str]]):
        self.statuses = statuses
        moves = []
        for sources, target, service in edges:
            for source in [sources] if isinstance(sources, str) else sources:
                moves.append(Transition(statuses(source), statuses(target), service))
        self.transitions: tuple[Transition, ...] = tuple(moves)

    def sources(self, service: str, target: str | None = None) -> frozenset:
        """The statuses ``service`` may start from (to ``target``, when it has several)."""
        found = frozenset(
            t.source
            for t in self.transitions
            if t.service == service and (target is None or t.target == target)
        )
        if not found:
            raise LookupError(f"{self.statuses.__name__} has no transition made by {service}")
        return found

    def targets(self, service: str) -> frozenset:
        return frozenset(t.target for t in self.transitions if t.service == service)

    def services(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.service for t in self.transitions))

    def allows(self, source: str, service: str) -> bool:
        return any(t.source == source and t.service == service for t in self.transitions)
