"""``python -m detectors run [--detector CODE ...] [--json FILE] [--seed N] [--jobs N] [--params FILE]``,
``python -m detectors expire --older-than DAYS [--dry-run]`` and ``python -m detectors list``.

Exit codes: 0 success, 1 the run failed (marked failed in the database, no findings
written) or the expiry failed (what it deleted before the error stays deleted; the next one
finishes), 2 bad usage, a broken detector module or a settings file that cannot be used, 3
another run, expiry, load or backup holds the lock, 4 Neo4j is unreachable or not configured. Logs
go to stderr with timestamps; the expiry prints what it deleted on stdout.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m detectors",
                                     description="Run Iron Cage's detectors against the graph.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="read the market from Neo4j, run the detectors, store the findings")
    run.add_argument("--detector", action="append", metavar="CODE",
                     help="run only this detector (repeatable; default: all); see `list`")
    run.add_argument("--json", type=Path, metavar="FILE",
                     help='also write {"run_id", "findings": [...]} to FILE (atomically)')
    run.add_argument("--seed", type=int, default=0, help="seed passed to every detector [0]")
    run.add_argument("--jobs", type=_positive, metavar="N",
                     help="run the detectors in up to N processes at once [the number of CPUs]; "
                          "1 runs them one after another in one process")
    run.add_argument("--params", type=Path, metavar="FILE",
                     help="TOML file of detector settings, one [code] table per detector, overriding the "
                          "documented defaults of its Params (recorded with the run)")
    run.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    expire = commands.add_parser(
        "expire", help="retention: delete inactive findings nobody triaged and old runs nothing refers to")
    expire.add_argument("--older-than", type=_days, required=True, metavar="DAYS",
                       help="delete inactive findings last seen more than DAYS days ago that nobody triaged "
                            "(status still open, no assignee, no case event), and detector runs started before "
                            "then that no remaining finding was first or last seen in (the latest runs always "
                            "stay), and load-log entries started before then (the latest load and the latest "
                            "successful one of each kind and source stay)")
    expire.add_argument("--dry-run", action="store_true", help="report what would be deleted, delete nothing")
    expire.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands.add_parser("list", help="the detectors, in the order they run")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _days(text: str) -> int:
    from graph.findings_retention import cutoff_for

    value = _positive(text)
    try:
        cutoff_for(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


#: a log line's time: UTC in ISO 8601, as a load's dated lines and the access log write it, so one job log
#: reads like the next whatever the machine's zone (cron's TZ is often not the shell's)
LOG_TIME = "%Y-%m-%dT%H:%M:%SZ"


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt=LOG_TIME)
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
    # the server's notifications (unknown property keys on an empty graph, …) are not the user's concern
    logging.getLogger("neo4j").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from detectors import registry

    if args.command == "list":
        try:
            rows = registry.describe()
        except registry.RegistryError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        width = max(len(code) for code, _, _ in rows)
        for code, description, present in rows:
            note = "" if present else "  (module not there yet)"
            print(f"{code:<{width}}  {description}{note}")
        return 0

    _configure_logging(args.verbose)
    log = logging.getLogger("detectors")
    from detectors import runner
    from detectors.settings import ParamsFileError
    from graph.db import GraphUnavailable
    from graph.lock import LockHeld, StateDirError
    from graph.settings import SettingsError

    problem = runner.json_target_problem(args.json) if args.command == "run" and args.json else None
    if problem:
        log.error("--json %s: %s\nNothing was run.", args.json, problem)
        return runner.EXIT_USAGE
    try:
        if args.command == "expire":
            _expire(args.older_than, args.dry_run)
        else:
            runner.run(args.detector, seed=args.seed, json_path=args.json, jobs=args.jobs, params_file=args.params)
    except ParamsFileError as error:
        log.error("%s\nNothing was run.", error)
        return runner.EXIT_USAGE
    except LockHeld as error:
        log.error("%s", error)
        return runner.EXIT_LOCKED
    except StateDirError as error:  # as loads exit: a folder the operator must fix, not a failed run
        log.error("%s", error)
        return runner.EXIT_USAGE
    except registry.RegistryError as error:
        log.error("%s", error)
        return runner.EXIT_USAGE
    except (GraphUnavailable, SettingsError) as error:
        log.error("cannot reach Neo4j: %s\nStart the project's local server with `python -m graph server "
                  "start` (or `make neo4j`), or point NEO4J_URI/NEO4J_USERNAME/NEO4J_PASSWORD at a Neo4j 5 "
                  "server.", error)
        return runner.EXIT_UNAVAILABLE
    except runner.RunFailed as error:
        marked = "marked failed" if error.marked else "not marked failed (the next run will)"
        log.error("run failed, %s, no findings written: %s", marked, error)
        interrupted = runner.interrupted_exit_code(error)  # 143 or 130, as a load or a backup stopped so exits
        if interrupted is not None:
            return interrupted
        return runner.EXIT_UNAVAILABLE if error.unavailable else runner.EXIT_FAILED
    except KeyboardInterrupt:  # before the run was recorded: nothing to mark
        log.error("interrupted (Ctrl-C) before the run was recorded; nothing was written")
        return 128 + signal.SIGINT
    except Exception as error:  # e.g. the JSON file could not be written after the run succeeded
        log.error("%s: %s (the run itself is as its log line above says: a run that succeeded is stored)",
                  type(error).__name__, error)
        return runner.EXIT_FAILED
    return runner.EXIT_OK


def _expire(days: int, dry_run: bool) -> None:
    """``expire``: the findings retention of :mod:`graph.findings_retention`, inside the job lock."""
    from graph.db import connect
    from graph.findings_retention import cutoff_for, expire
    from graph.lock import job_lock

    log = logging.getLogger("detectors")
    log.info("findings expiry%s: inactive findings and runs older than %d days", " (dry run)" if dry_run else "", days)
    with connect() as db:
        with job_lock(db, "a findings expiry"):
            report = expire(db, cutoff_for(days), dry_run=dry_run)
    print(report.describe())
    log.info("findings expiry done")  # dated: a cron job's appended log tells one night from the next


if __name__ == "__main__":
    sys.exit(main())
