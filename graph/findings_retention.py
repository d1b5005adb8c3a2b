"""Findings retention: delete old findings nobody acted on, and old runs nothing refers to.

Findings are never deleted by a detector run (:mod:`graph.findings_store`): one that is not
found again becomes inactive, and comes back as itself when it is found again. Under a nightly
cron job, inactive findings and ``(:DetectorRun)-[:FOUND]->`` links pile up for ever (at demo
scale 10 a run links 2,617 findings), and a suspicion about a named official that no one ever
looked at stays in the record for good — which a data-protection officer will not accept
(storage limitation, GDPR art. 5(1)(e); China's PIPL art. 19).

``python -m detectors expire --older-than DAYS`` (:func:`expire`) therefore deletes, with their
links:

* **findings** that are inactive, were last seen more than ``DAYS`` ago and were never
  triaged: no ``(:CaseEvent)``, status ``open``, no assignee. A triaged finding is a case
  record and stays whatever its age (reported as *kept*); so does every active finding;
* **detector runs** that started more than ``DAYS`` ago, except the latest run, the latest
  succeeded run (the app shows both) and any run in which a finding that stays was first or
  last seen (its ``params`` say how that finding was produced);
* **load-log entries** (``(:LoadRun)``, :mod:`graph.load_log`) that started more than ``DAYS``
  ago, except a running one and, for each kind and source, the latest load and the latest
  succeeded one (the Overview says when the data was last loaded and warns of a bad load).

It holds the job lock of loads and detector runs (:mod:`graph.lock`), so it never meets a
run that is matching rings against the inactive ones. The app does not take that lock, so
the delete takes each finding's write lock and then checks it once more: a finding triaged
between the plan and the delete stays, and so do the runs it was first and last seen in; a
triage being written as the finding goes fails and says so (nothing is half-recorded).
The plan is two reads (findings and runs; the load log); the deletes go in batches (:data:`BATCH` findings, :data:`RUN_BATCH`
runs), one transaction each, findings before runs, so an interrupted expiry leaves a consistent graph and the next one
finishes the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graph.db import Database

BATCH = 500  # findings per delete transaction
RUN_BATCH = 10  # runs per delete transaction: a run at demo scale 10 carries 2,617 FOUND links
MAX_DAYS = 36_500


@dataclass(frozen=True)
class RetentionReport:
    """What an expiry deleted (or, with ``dry_run``, would delete)."""

    cutoff: datetime
    rings: int
    alerts: int
    kept: int
    runs: int
    dry_run: bool = False
    loads: int = 0

    def describe(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        return (f"findings retention ({self.cutoff:%Y-%m-%d %H:%M} UTC cutoff): {verb} "
                f"{self.rings + self.alerts} inactive, never-triaged findings last seen before the cutoff "
                f"({self.rings} rings, {self.alerts} alerts) and {self.runs} detector runs; kept {self.kept} "
                f"inactive findings older than the cutoff because they were triaged; {verb} {self.loads} load-log "
                f"entries (the latest load and the latest successful load of each kind and source stay)")


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    """``now − days`` (UTC); ``days`` must be at least 1."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"retention needs between 1 and {MAX_DAYS:,} days, got {days}")
    return (now or datetime.now(UTC)) - timedelta(days=days)


def expire(db: Database, cutoff: datetime, dry_run: bool = False) -> RetentionReport:
    """Delete inactive, never-triaged findings last seen before ``cutoff`` and the runs nothing
    refers to any more (see the module docstring). Call it holding the job lock."""
    if cutoff.tzinfo is None:  # a naive datetime is a LocalDateTime in Cypher: no comparison with the stored times holds
        raise ValueError("the retention cutoff needs a time zone")
    [plan] = db.read("findings_retention_plan", cutoff=cutoff)
    planned = {kind: [{"element_id": f["element_id"]} for f in plan["findings"] if f["kind"] == kind]
               for kind in ("ring", "alert")}
    planned["run"] = [{"element_id": element_id} for element_id in plan["runs"]]
    [loads] = db.read("findings_retention_plan_loads", cutoff=cutoff)
    planned["load"] = [{"element_id": element_id} for element_id in loads["loads"]]
    if dry_run:
        deleted = {kind: len(rows) for kind, rows in planned.items()}
    else:  # findings first: a run stays while a finding that stayed names it
        at = datetime.now(UTC)
        deleted = {kind: db.write_rows("findings_retention_delete_findings", rows, batch_size=BATCH, at=at).nodes_deleted
                   for kind, rows in planned.items() if kind in ("ring", "alert")}
        deleted["run"] = db.write_rows("findings_retention_delete_runs", planned["run"],
                                       batch_size=RUN_BATCH).nodes_deleted
        deleted["load"] = db.write_rows("findings_retention_delete_loads", planned["load"],
                                        batch_size=BATCH).nodes_deleted
    # a finding triaged between the plan and the delete stayed: it counts as kept
    stayed = len(planned["ring"]) + len(planned["alert"]) - deleted["ring"] - deleted["alert"]
    return RetentionReport(cutoff=cutoff, rings=deleted["ring"], alerts=deleted["alert"],
                           kept=int(plan["kept"]) + stayed, runs=deleted["run"], dry_run=dry_run,
                           loads=deleted["load"])
