"""``python -m graph server start|stop|status|env|backup|restore`` and ``python -m graph schema``."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["server"]:
        from graph.server import main as server_main

        return server_main(argv[1:])
    if argv[:1] == ["schema"]:
        from graph.db import connect
        from graph.schema import apply_schema

        with connect() as db:
            applied = apply_schema(db)
        print(f"schema: {applied} constraints/indexes ensured")
        return 0
    print("usage: python -m graph server start|stop|status|env|backup|restore | python -m graph schema",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
