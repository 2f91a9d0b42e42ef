"""The day of the exchange on a negotiation case, as the API and the pages both do it.

Events are recorded against the published plan, after checking them with every event
recorded before (`app.repairs.checked_events`); a party reads its own side's events; a
repair makes a new draft from the published plan and every recorded event, the registry
applied; the last event in force can be taken back. Each step is audited here, once,
so `/v1/cases/{id}/...` and the day's page cannot drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from app.api.stored_plans import require_plan
from app.audit import AuditLog
from app.case_store import CaseStore
from app.core.config import Settings
from app.core.offload import Offload
from app.core.security import Caller
from app.dispatch import SolveDispatcher
from app.event_store import EventsChangedError, EventStore, NewEvent, RecordedEvent
from app.models import PlanRecord
from app.plan_store import PlanStore, plan_record
from app.problems import CONFLICT_TYPE, ProblemError, ProblemItem, case_conflict, not_found
from app.registry_store import RegistryStore
from app.repairs import (
    case_repair_order,
    checked_events,
    made_with_events_taken_back,
    party_view,
    plan_reads_with,
)


@dataclass(frozen=True)
class VisibleEvent:
    """A recorded event as the caller may see it (a party: its own side's part)."""

    recorded: RecordedEvent
    event: dict[str, Any]


@dataclass(frozen=True)
class CaseDay:
    """The stores the day of a case works on (those on `app.state`)."""

    cases: CaseStore
    events: EventStore
    registry: RegistryStore
    plans: PlanStore
    dispatcher: SolveDispatcher
    offload: Offload
    audit: AuditLog
    settings: Settings

    @classmethod
    def of(cls, state: State) -> CaseDay:
        return cls(
            cases=state.cases,
            events=state.events,
            registry=state.registry,
            plans=state.plans,
            dispatcher=state.dispatcher,
            offload=state.offload,
            audit=state.audit,
            settings=state.settings,
        )

    async def published(self, case_id: str) -> PlanRecord:
        """The plan published last; 409 when there is none yet."""
        record = await run_in_threadpool(self.cases.published, case_id)
        if record is None:
            raise case_conflict(
                "Nothing is published yet: events and repairs need a published plan."
            )
        return record

    async def check(self, case_id: str, body: bytes) -> list[NewEvent]:
        """The body's events (`{"events": [...]}`) checked after those recorded, against
        the published plan, and not recorded: an executed stage comes back with who
        crossed written out. Raises `InvalidRequest` naming each bad event."""
        new, _ = await self._checked(case_id, await self.published(case_id), body)
        return new

    async def _checked(
        self, case_id: str, published: PlanRecord, body: bytes
    ) -> tuple[list[NewEvent], list[int]]:
        """The new events, and the seqs of the events in force they were checked after."""
        recorded = await run_in_threadpool(self.events.of_case, case_id)
        new = await self.offload.run(
            len(body) + len(published.request_json),
            checked_events,
            published.request_json,
            published.plan_json,
            recorded,
            body,
        )
        return new, [event.seq for event in recorded]

    async def record(self, case_id: str, caller: Caller, body: bytes) -> list[RecordedEvent]:
        """Check the body's events and record them, each audited; an executed stage puts
        its people in the registry. 409 when the events in force changed meanwhile (an
        event taken back or recorded): they were checked against others."""
        published = await self.published(case_id)
        new, checked_after = await self._checked(case_id, published, body)
        try:
            stored = await run_in_threadpool(
                partial(self.events.record, checked_after=checked_after),
                case_id,
                published.id,
                new,
            )
        except EventsChangedError:
            raise case_conflict(
                "The case's events changed while these were checked (one was recorded or "
                "taken back meanwhile); nothing was recorded: send them again."
            ) from None
        if stored is None:
            raise not_found("case")
        for event, written in zip(stored, new, strict=True):
            crossed = sum(len(ids) for ids in written.crossed.values()) if written.crossed else None
            await run_in_threadpool(
                self.audit.append,
                "event_record",
                caller,
                case_id=case_id,
                side=event.side,
                object_id=f"event-{event.seq}",
                count=crossed,
            )
        return stored

    async def take_back(self, case_id: str, caller: Caller, seq: int) -> RecordedEvent:
        """Take back the case's last event in force (`seq`), audited; an executed stage's
        people leave the registry with it. 404 for an unknown event; 409 naming the rule
        and the last seq for any other, and nothing changes: also when the published plan
        does not read without the event (`published_plan_needs_it`: a repaired plan that
        has the stage executed, or a group split for the dropout), since nothing more
        could then be recorded or repaired on the case."""
        await self._refuse_if_published_plan_needs(case_id, seq)
        done = await run_in_threadpool(self.events.take_back, case_id, seq)
        if done is None:
            raise not_found("event")
        if done.event is None:
            raise _refused(done.rule or "not_last_event", done.last_seq)
        event = done.event
        await run_in_threadpool(
            self.audit.append,
            "event_take_back",
            caller,
            case_id=case_id,
            side=event.side,
            object_id=f"event-{event.seq}:{event.type}",
            count=done.registry_removed if event.type == "stage_executed" else None,
        )
        return event

    async def _refuse_if_published_plan_needs(self, case_id: str, seq: int) -> None:
        """409 `published_plan_needs_it` when `seq` is the last event in force and the
        published plan does not read with the events that would remain."""
        published = await run_in_threadpool(self.cases.published, case_id)
        in_force = await run_in_threadpool(self.events.of_case, case_id)
        if published is None or not in_force or in_force[-1].seq != seq:
            return  # the store refuses, or takes back, as the case then stands
        problems = await self.offload.run(
            len(published.request_json) + len(published.plan_json),
            plan_reads_with,
            published.request_json,
            published.plan_json,
            in_force[:-1],
        )
        if problems:
            message = (
                f"the published plan was made with event {seq} (a repair that has its stage "
                "executed, or a group split for it) and does not read without it; publish "
                "the plan made before that repair (an earlier version or draft), then take "
                "the event back"
            )
            raise ProblemError(
                409,
                f"The event cannot be taken back: {message}. Nothing was changed.",
                type_=CONFLICT_TYPE,
                title="Conflict",
                errors=[
                    ProblemItem(
                        side=None,
                        id=None,
                        field="seq",
                        rule="published_plan_needs_it",
                        message=message,
                    )
                ],
                last_seq=seq,
            )

    async def refuse_unless_publishable(self, case_id: str, draft: PlanRecord) -> None:
        """409 naming the rule when publishing `draft` would leave the case's events in
        force without a plan they read against (nothing more could be recorded or
        repaired): a repaired draft made with an event since taken back
        (`made_with_events_taken_back`), or a draft the events in force do not read with
        (`plan_does_not_read_with_events`)."""
        in_force = await run_in_threadpool(self.events.of_case, case_id)
        if draft.source == "repair" and await run_in_threadpool(
            made_with_events_taken_back, draft.request_json, in_force
        ):
            raise _not_publishable(
                "made_with_events_taken_back",
                "this repaired draft was made with an event that has since been taken "
                "back; repair the plan again and publish the new draft",
            )
        if not in_force:
            return
        problems = await self.offload.run(
            len(draft.request_json) + len(draft.plan_json),
            plan_reads_with,
            draft.request_json,
            draft.plan_json,
            in_force,
        )
        if problems:
            raise _not_publishable(
                "plan_does_not_read_with_events",
                "the events recorded on the case do not read against this draft ("
                + "; ".join(f"{p.rule}: {p.message}" for p in problems[:3])
                + "); repair the plan again and publish the new draft",
            )

    async def visible_events(
        self, case_id: str, caller: Caller, *, taken_back: bool = False
    ) -> list[VisibleEvent]:
        """The case's events in force in order (with those taken back when `taken_back`),
        as the caller may see them (audited): a party sees its own side's dropouts,
        additions and updates, and executed stages with its own side's people."""
        recorded = await run_in_threadpool(self.events.of_case, case_id, taken_back=taken_back)
        items = []
        for event in recorded:
            shown = (
                json.loads(event.event_json)
                if caller.is_mediator
                else party_view(event.event_json, caller.role)
            )
            if shown is not None:
                items.append(VisibleEvent(event, shown))
        await run_in_threadpool(
            self.audit.append, "events_read", caller, case_id=case_id, count=len(items)
        )
        return items

    async def repair(self, case_id: str, caller: Caller, body: bytes) -> PlanRecord:
        """A repaired draft of the case: the published plan as agreed, every recorded
        event, the registry applied, the body's settings; stored and audited."""
        published = await self.published(case_id)
        recorded = await run_in_threadpool(self.events.of_case, case_id)
        handed = await run_in_threadpool(self.registry.handed_over_by_side)
        order = await self.offload.run(
            len(published.request_json) + len(published.plan_json),
            case_repair_order,
            published.request_json,
            published.plan_json,
            recorded,
            handed,
            body,
            self.settings,
        )
        outcome = await self.dispatcher.solve_now(order)
        record = plan_record(
            require_plan(outcome), order.request_json, source="repair", case_id=case_id
        )
        await run_in_threadpool(self.plans.add, record)
        await run_in_threadpool(self.cases.touch, case_id)
        await run_in_threadpool(
            self.audit.append,
            "repair",
            caller,
            case_id=case_id,
            object_id=record.id,
            count=len(recorded),
        )
        return record


def _not_publishable(rule: str, message: str) -> ProblemError:
    return ProblemError(
        409,
        f"The draft cannot be published: {message}. Nothing was changed.",
        type_=CONFLICT_TYPE,
        title="Conflict",
        errors=[ProblemItem(side=None, id=None, field="plan_id", rule=rule, message=message)],
    )


def _refused(rule: str, last_seq: int | None) -> ProblemError:
    """The 409 for an event that is not the last in force: it names the rule and the one
    that could be taken back."""
    last = f"event {last_seq}" if last_seq is not None else "none: every event was taken back"
    message = (
        "only the case's last event in force can be taken back; it is " + last
        if rule == "not_last_event"
        else "this event was taken back already; the last event in force is " + last
    )
    return ProblemError(
        409,
        f"The event cannot be taken back: {message}. Nothing was changed.",
        type_=CONFLICT_TYPE,
        title="Conflict",
        errors=[ProblemItem(side=None, id=None, field="seq", rule=rule, message=message)],
        last_seq=last_seq,
    )
