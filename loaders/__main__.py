"""``python -m loaders <format> …``: one subcommand per input format.

``csv`` is the canonical CSV bundle (:mod:`loaders.csv_bundle`). The others live in
their own modules and are imported only when asked for, so a missing or broken one never
stops the rest: ``demo`` (:mod:`loaders.demo`, the synthetic market generator), ``bids``
(:mod:`loaders.bids_table`, plain one-row-per-bid tables) and ``ocds``
(:mod:`loaders.ocds`, Open Contracting data). Each gets the remaining arguments.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand → (module with main(argv) -> int, one-line help)
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("loaders.demo", "write the synthetic demo market as a CSV bundle (+ ground_truth.json)"),
    "bids": ("loaders.bids_table", "load a plain one-row-per-bid table (e.g. a research data set)"),
    "ocds": ("loaders.ocds", "load Open Contracting (OCDS) releases or records"),
}
EXIT_USAGE = 2


def _dispatch(command: str, argv: list[str]) -> int:
    module_name, _ = LAZY_COMMANDS[command]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        print(f"error: `python -m loaders {command}` is not available: {module_name} is not installed "
              "in this checkout yet.", file=sys.stderr)
        return EXIT_USAGE
    return int(module.main(argv) or 0)


def build_parser() -> argparse.ArgumentParser:
    from loaders.csv_bundle import build_parser as csv_parser

    parser = argparse.ArgumentParser(prog="python -m loaders", description="Load procurement data into the Iron Cage graph.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    csv_parser(commands.add_parser("csv", help="validate a CSV bundle and load it into Neo4j"))
    for command, (_, text) in LAZY_COMMANDS.items():
        commands.add_parser(command, help=text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in LAZY_COMMANDS:
        return _dispatch(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    from loaders.csv_bundle import run_csv

    return run_csv(args)


if __name__ == "__main__":
    sys.exit(main())
