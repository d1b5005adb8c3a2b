"""Plain one-row-per-bid tables (research data sets, exports) into the graph.

Many real data sets are a single table: one row per bid, with a tender (auction,
contract) column, a firm column, the amount, and often a winner flag and a date. This
loader maps those columns onto the graph model — Tender, Firm, Bid, FOR, SUBMITTED and
AWARDED_TO — and reuses the CSV bundle's pieces (:mod:`loaders.csv_bundle`): the same
pre-flight, value parsers, rejects file, streaming in chunks, progress and summary.

Identifiers are made collision-free and deterministic: tender and firm ids are prefixed
with the source name (``ohio:80_046078``), and the n-th bid of a firm in a tender (in
file order) is ``<source>:<tender>:<firm>:<n>``, so loading the same file again changes
nothing. When the tender or the firm itself holds a ``:``, its colons and backslashes are
escaped with a backslash (:func:`bid_id`), so tender ``A:B`` with firm ``C`` and tender ``A``
with firm ``B:C`` stay two bids. A row is the winning bid when its winner cell
is a true flag or names its own firm (:func:`is_winner`); a cell that is neither a flag nor a
firm of the table is rejected (a column that gives each tender one value on all its rows, every
value a firm of the table, names firms: there ``1`` and ``0`` are firms, :func:`_table_scan`).
The tender is then AWARDED_TO that firm with the bid's amount and the row's date. The date
column also becomes the tender's ``published_at``.

The date, category, region, budget and award criteria columns describe the tender, so every row of a
tender must agree on them: a row that contradicts an earlier row of its tender is
rejected, naming the column, both values and the earlier line (the tender keeps what was
loaded first). An empty cell agrees with anything, and a later row may fill in a value
the tender's first rows left empty.

    python -m loaders bids ohio_milk_data.csv --tender contract_id --firm firm --amount bid \\
        --winner winning_bid --date year --source ohio
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from collections.abc import Container, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.db import DEFAULT_BATCH
from graph.model import MAX_COMPOSED_KEY_BYTES
from loaders.csv_bundle import (
    DEFAULT_CODEC,
    DEFAULT_ENCODING,
    EXIT_INPUT,
    EXIT_OK,
    BundleError,
    Field,
    FileSpec,
    FileStats,
    LoadEntry,
    LoadReport,
    Progress,
    Record,
    RowSink,
    chunked,
    iter_records,
    parse_bool,
    parse_id,
    parse_row,
    preflight_file,
    reject_row,
    run_load,
    text_encoding,
)
from loaders.rejects import Reject, RejectLog

#: the Tender properties a table's columns may give (load_table_tenders.cypher sets each)
TENDER_PROPERTIES = ("published_at", "category", "region", "budget", "award_criteria")


@dataclass(frozen=True)
class TableColumns:
    """Which source column plays which part; optional parts may be None."""

    tender: str
    firm: str
    amount: str
    winner: str | None = None
    date: str | None = None
    category: str | None = None
    firm_name: str | None = None
    region: str | None = None
    budget: str | None = None
    award_criteria: str | None = None

    def tender_columns(self) -> dict[str, str]:
        """The tender's own properties this table gives, by graph property: column name."""
        named = zip(TENDER_PROPERTIES, (self.date, self.category, self.region, self.budget, self.award_criteria),
                    strict=True)
        return {prop: column for prop, column in named if column}

    def spec(self, file_name: str) -> FileSpec:
        fields = [Field(self.tender, "id", required=True), Field(self.firm, "id", required=True),
                  Field(self.amount, "float", required=True)]
        if self.winner:
            fields.append(Field(self.winner, "text"))
        if self.date:
            fields.append(Field(self.date, "date"))
        if self.category:
            fields.append(Field(self.category, "text", prop="category"))  # range-indexed: the key limit
        if self.firm_name:
            fields.append(Field(self.firm_name, "text", prop="name"))
        if self.region:
            fields.append(Field(self.region, "text", prop="region"))
        if self.budget:
            fields.append(Field(self.budget, "float"))
        if self.award_criteria:
            fields.append(Field(self.award_criteria, "code", prop="award_criteria"))
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise BundleError("each option must name a different column")
        return FileSpec("bids_table", tuple(fields), key=(), file=file_name)


_FLAG_NUMBER = re.compile(r"([01])\.0*")  # 1.0 / 0.0: how pandas writes an integer flag column that has a blank


def is_winner(cell: str | None, firm: str, firms: Container[str] = (), names: bool = False) -> bool:
    """Whether a row's winner cell makes its bid the winning one.

    The cell is a flag — the CSV bundle's booleans (true/false, 1/0, yes/no, 是/否, any case)
    or 1.0/0.0 — or names a firm: the row's own (won) or another firm of the table
    (``firms``: the column names each tender's winner on all of its rows; lost). With
    ``names`` (the table's column names firms, :func:`_table_scan`) a cell naming a firm is
    read as the firm first, so firms whose ids are ``1`` and ``0`` are not flags. An empty
    cell is not the winner. Anything else (``Y``, ``2``, a name no row bids under) raises
    ValueError, so that a flag the loader cannot read never silently means "lost".
    """
    if cell is None or not cell.strip():
        return False
    text = cell.strip()
    if names and (text == firm or text in firms):
        return text == firm
    try:
        return parse_bool(text)
    except ValueError:
        pass
    if match := _FLAG_NUMBER.fullmatch(text):
        return match[1] == "1"
    if text == firm:
        return True
    if text in firms:
        return False
    raise ValueError(f"{text} is neither a winner flag (true/false, 1/0, yes/no, 是/否, 1.0/0.0) nor a firm "
                     "of this table")


def bid_id(prefix: str, tender: str, firm: str, n: int) -> str:
    """``<prefix>:<tender>:<firm>:<n>``, unambiguous whatever the tender and firm hold.

    Ids of tenders and firms without ``:`` are written as they are (the ids of earlier loads,
    so reloading stays idempotent). When either holds a ``:``, a backslash is put before each
    ``:`` and each backslash of both: such an id has more than the two ``:`` after the prefix
    that a plain one has, and reads back one way only, so distinct (tender, firm) pairs never
    share an id (``src:A\\:B:C:1`` is tender ``A:B`` with firm ``C``, ``src:A:B\\:C:1`` tender
    ``A`` with firm ``B:C``).
    """
    if ":" in tender or ":" in firm:
        tender, firm = (part.replace("\\", "\\\\").replace(":", "\\:") for part in (tender, firm))
    return f"{prefix}:{tender}:{firm}:{n}"


class BidTable:
    """Turns validated table rows into graph rows, remembering ids and tender properties across chunks."""

    def __init__(self, columns: TableColumns, prefix: str, firms: Container[str] = (), names: bool = False) -> None:
        self.columns = columns
        self.prefix = prefix
        self.firms = firms  # every firm of the table: a winner cell may name one (is_winner)
        self.names = names  # the winner column names firms rather than flags them (_table_scan)
        self.bids_per_pair: dict[tuple[str, str], int] = defaultdict(int)
        self.firms_written: set[str] = set()
        # per tender: its properties as loaded so far, and the line each one came from
        self.tenders: dict[str, tuple[dict[str, Any], dict[str, int]]] = {}
        self.tenders_to_write: dict[str, None] = {}  # ordered set of tenders new or filled in since written
        self.winners: dict[str, set[str]] = defaultdict(set)  # per tender: the firms the table names as winners
        self.untouchable: set[str] = set()  # tenders with a rejected row: what earlier loads wrote stays
        self.unsure = False  # a record whose tender could not be read: no tender is reconciled

    def id_problems(self, file_name: str, line: int, row: dict[str, Any]) -> list[Reject]:
        """A reject when the bid id composed of the row's tender and firm is too long to be a key."""
        tender, firm = row[self.columns.tender], row[self.columns.firm]
        size = len(bid_id(self.prefix, tender, firm, 999_999).encode("utf-8"))
        if size <= MAX_COMPOSED_KEY_BYTES:
            return []
        return [Reject(file_name, line, self.columns.tender, f"({len(tender.encode('utf-8')):,} bytes)",
                       f"the tender and firm ids make a bid id of {size:,} bytes, and a key may have at most "
                       f"{MAX_COMPOSED_KEY_BYTES:,}")]

    def winner_problems(self, file_name: str, line: int, row: dict[str, Any]) -> list[Reject]:
        """A reject when ``row``'s winner cell is neither a flag nor a firm of the table (:func:`is_winner`)."""
        column = self.columns.winner
        if not column:
            return []
        try:
            is_winner(row.get(column), row[self.columns.firm], self.firms, self.names)
        except ValueError as error:
            return [Reject(file_name, line, column, row.get(column) or "", f"winner column {column}: {error}")]
        return []

    def admit(self, file_name: str, line: int, row: dict[str, Any], cells: Mapping[str, str] | None = None
              ) -> list[Reject]:
        """Check ``row``'s tender-level cells against its tender's earlier rows, then remember them.

        A non-empty cell that differs from the value an earlier row gave is a reject (the
        tender keeps the earlier value); an empty cell agrees with anything, and text that
        differs only in surrounding spaces agrees. ``cells`` (the raw record) gives the
        rejected cell's text as written.
        """
        tender = row[self.columns.tender]
        known = self.tenders.get(tender)
        if known is None:
            values: dict[str, Any] = dict.fromkeys(TENDER_PROPERTIES)
            known = self.tenders[tender] = (values, {})
            self.tenders_to_write[tender] = None
        values, lines = known
        problems, fills = [], {}
        for prop, column in self.columns.tender_columns().items():
            new, old = row.get(column), values[prop]
            if new is None:
                continue
            if old is None:
                fills[prop] = new
            elif _comparable(new) != _comparable(old):
                problems.append(Reject(file_name, line, column, (cells or {}).get(column, str(new)),
                                       f"tender {tender} has {column} {old} from line {lines[prop]}; "
                                       "every row of a tender must give the same value"))
        if problems:
            return problems
        if fills:
            values.update(fills)
            lines.update(dict.fromkeys(fills, line))
            self.tenders_to_write[tender] = None
        return []

    def graph_rows(self, rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        """Graph rows for admitted table rows (a row not admitted before is admitted without a line)."""
        c = self.columns
        out: dict[str, list[dict[str, Any]]] = {"table_firms": [], "table_tenders": [], "bids": [], "awards": []}
        for row in rows:
            tender, firm = row[c.tender], row[c.firm]
            tender_id, firm_id = f"{self.prefix}:{tender}", f"{self.prefix}:{firm}"
            day = row.get(c.date) if c.date else None
            if firm_id not in self.firms_written:
                self.firms_written.add(firm_id)
                name = row.get(c.firm_name) if c.firm_name else None
                out["table_firms"].append({"firm_id": firm_id, "name": name or firm})
            if tender not in self.tenders:
                self.admit("", 0, row)
            if tender in self.tenders_to_write:
                del self.tenders_to_write[tender]
                out["table_tenders"].append({"tender_id": tender_id, **self.tenders[tender][0]})
            self.bids_per_pair[tender, firm] += 1
            out["bids"].append({
                "bid_id": bid_id(self.prefix, tender, firm, self.bids_per_pair[tender, firm]),
                "tender_id": tender_id, "firm_id": firm_id, "amount": row[c.amount],
                "submitted_at": None, "ip": None, "document_hash": None, "disqualified": None,
            })
            if c.winner and is_winner(row.get(c.winner), firm, self.firms, self.names):
                self.winners[tender].add(firm_id)
                out["awards"].append({"tender_id": tender_id, "firm_id": firm_id, "amount": row[c.amount],
                                      "date": day})
        return out

    def reject_tender(self, tender: str | None) -> None:
        """A row of ``tender`` was rejected (None: a record whose tender cannot be read)."""
        if tender is None:
            self.unsure = True
        else:
            self.untouchable.add(tender)

    def reconciliation(self) -> dict[str, list[dict[str, Any]]]:
        """After the whole table has loaded: per tender it names, the bids (and, with a winner
        column, the winners) it has, so that what earlier loads of the source wrote for the tender
        and the table no longer has is deleted — a row removed or a winner corrected leaves nothing
        stale (bid ids count a firm's bids in a tender, so a removed row leaves its last id over).
        Run last, so an interrupted load deletes nothing the table still has; a tender with a
        rejected row is left as earlier loads wrote it (its row may be the correction of a stored
        bid), and so is every tender when a rejected record's tender could not be read."""
        if self.unsure:
            return {"bid_resets": [], "award_resets": []}
        bids: dict[str, list[str]] = defaultdict(list)
        for (tender, firm), count in self.bids_per_pair.items():
            if tender not in self.untouchable:
                bids[tender].extend(bid_id(self.prefix, tender, firm, n) for n in range(1, count + 1))
        return {
            "bid_resets": [{"tender_id": f"{self.prefix}:{t}", "bids": ids} for t, ids in bids.items()],
            "award_resets": ([{"tender_id": f"{self.prefix}:{t}", "winners": sorted(self.winners.get(t, ()))}
                              for t in bids] if self.columns.winner else []),
        }


def _comparable(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def stream_table(
    path: Path, header: list[str], sink: RowSink, columns: TableColumns, prefix: str, rejects: RejectLog,
    batch_size: int = DEFAULT_BATCH, progress: Progress | None = None, codec: str = DEFAULT_CODEC,
) -> FileStats:
    """Validate the table (text in ``codec``: :func:`loaders.csv_bundle.text_encoding`) chunk by chunk and
    hand the graph rows to ``sink``; its statistics."""
    started = time.monotonic()
    spec = columns.spec(path.name)
    table = BidTable(columns, prefix, *_table_scan(path, header, columns, codec) if columns.winner else ())
    stats = FileStats(path.name)
    if progress:
        progress.start(path.name)
    with open(path, encoding=codec, newline="") as handle:
        for chunk in chunked(iter_records(handle), batch_size):
            accepted: list[dict[str, Any]] = []
            chunk_rejects: list[Reject] = []
            for record in chunk:
                stats.read += 1
                row, problems = parse_row(spec, header, record)
                if row is not None:  # (a table's columns have no skippable kind: a row comes without rejects)
                    problems = (table.id_problems(path.name, record.line, row)
                                or table.winner_problems(path.name, record.line, row)
                                or table.admit(path.name, record.line, row, dict(zip(header, record.cells, strict=False))))
                if row is None or problems:
                    reject_row(spec, None, problems, None, chunk_rejects, stats)
                    table.reject_tender(_tender_of(record, header, columns.tender))
                else:
                    accepted.append(row)
            rejects.extend(chunk_rejects)
            for thing, thing_rows in table.graph_rows(accepted).items():
                stats.counters.merge(sink.write(thing, thing_rows))
            stats.loaded += len(accepted)
            if progress:
                progress.update(stats, started)
    for thing, thing_rows in table.reconciliation().items():
        stats.counters.merge(sink.write(thing, thing_rows))
    several = {tender: sorted(firms) for tender, firms in table.winners.items() if len(firms) > 1}
    if several:
        first, firms = next(iter(several.items()))
        shown = ", ".join(firm.removeprefix(f"{prefix}:") for firm in firms)
        print(f"warning: {path.name}: {len(several):,} tender(s) have more than one winning row (the first: {first}, "
              f"won by {shown}); each is recorded as a winner — check the winner column if a tender has one "
              "winner", file=sys.stderr)
    if table.unsure:
        print(f"warning: {path.name}: a rejected record's tender could not be read (see the rejects file), so no "
              "tender's bids or winners that earlier loads wrote and this table no longer has were deleted; "
              "correct the record and load again", file=sys.stderr)
    stats.seconds = time.monotonic() - started
    return stats


def _tender_of(record: Record, header: list[str], column: str) -> str | None:
    """The tender a rejected record names (its cell as an id), None when it cannot be read."""
    if record.error is not None or len(record.cells) != len(header):
        return None
    try:
        return parse_id(record.cells[header.index(column)]) or None
    except ValueError:
        return None


def _table_scan(path: Path, header: list[str], columns: TableColumns, codec: str = DEFAULT_CODEC) -> tuple[set[str], bool]:
    """Every firm the table names, and whether its winner column names firms (a first pass over the
    file, keeping only the ids and the winner cells), so that a winner cell naming another firm of
    the tender is known as a firm, wherever its row is.

    The column names firms when every tender of two or more rows gives one non-blank value on all
    of them (the winner's id, as a column naming the winner does) and every value is a firm of the
    table: then ``1`` and ``0`` are firms, not flags. A flag column differs within a tender (one ``1``,
    the rest ``0``), so it reads as flags, whatever the firms are called."""
    firm_at, tender_at = header.index(columns.firm), header.index(columns.tender)
    winner_at = header.index(columns.winner) if columns.winner else None
    firms: set[str] = set()
    cells: dict[str, set[str]] = defaultdict(set)
    rows: dict[str, int] = defaultdict(int)
    filled: dict[str, int] = defaultdict(int)  # rows with a winner cell
    with open(path, encoding=codec, newline="") as handle:
        for record in iter_records(handle):
            if record.error is not None or len(record.cells) != len(header):
                continue
            firms.add(record.cells[firm_at].strip())
            tender = record.cells[tender_at].strip()
            rows[tender] += 1
            if winner_at is not None and record.cells[winner_at].strip():
                cells[tender].add(record.cells[winner_at].strip())
                filled[tender] += 1
    # every row of a tender of two or more rows gives the same non-blank value: a flag column marks
    # the winner alone (its other rows 0, false or blank), so it never does
    shared = [t for t, n in rows.items() if n >= 2]
    names = bool(shared) and all(filled[t] == rows[t] and len(cells[t]) == 1 for t in shared) and all(
        value in firms for values in cells.values() for value in values)
    return firms, names


def table_source(name: str) -> str:
    """The source label a bid table's load writes (``bids:<name>``)."""
    return f"bids:{name}"


def load_bids_table(
    path: Path, db: Any, columns: TableColumns, source: str, rejects_path: Path,
    batch_size: int = DEFAULT_BATCH, progress: Progress | None = None, header: list[str] | None = None,
    encoding: str = DEFAULT_ENCODING,
) -> LoadReport:
    """Validate and load one bid table (text in ``encoding``) into ``db``; rows that fail go to
    ``rejects_path``.

    Raises BundleError before writing anything when the file does not decode or lacks a
    named column (``header`` skips that check when the caller has just made it).
    """
    from graph.writer import GraphWriter

    started = time.monotonic()
    codec = text_encoding(encoding)
    header = header if header is not None else preflight_file(path, columns.spec(path.name).required_columns, codec)
    writer = GraphWriter(db, table_source(source), batch_size=batch_size)
    writer.prepare()
    with RejectLog(rejects_path, keep=False) as rejects:
        stats = stream_table(path, header, writer, columns, source, rejects, batch_size, progress, codec)
    return LoadReport(path, writer.source, [stats], writer.totals, time.monotonic() - started,
                      rejects.count, rejects_path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m loaders bids",
        description="Load a plain one-row-per-bid CSV table (Tender, Firm, Bid, AWARDED_TO) into Neo4j.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="CSV with a header row (UTF-8 unless --encoding)")
    parser.add_argument("--tender", required=True, metavar="COL", help="column naming the tender/auction")
    parser.add_argument("--firm", required=True, metavar="COL", help="column naming the bidding firm")
    parser.add_argument("--amount", required=True, metavar="COL", help="column with the bid amount")
    parser.add_argument("--winner", metavar="COL",
                        help="winner flag (true/false, 1/0, yes/no, 是/否, 1.0/0.0) or the winning firm; other "
                             "values are rejected")
    parser.add_argument("--date", metavar="COL", help="ISO 8601 date (or year) of the tender (same on each of its rows)")
    parser.add_argument("--category", metavar="COL", help="category of the tender (same on each of its rows)")
    parser.add_argument("--firm-name", metavar="COL", help="display name of the firm (default: the firm value)")
    parser.add_argument("--region", metavar="COL",
                        help="region of the tender (district, municipality, state): rings read market "
                             "allocation by region from it")
    parser.add_argument("--budget", metavar="COL",
                        help="the tender's budget, reserve or estimated price (same for each of its rows): "
                             "tender risk ranks the lowest bid's share of it")
    parser.add_argument("--award-criteria", metavar="COL",
                        help="how the tender's winner is chosen, as the record words it (OCDS awardCriteria, "
                             "评标办法; same for each of its rows): the price screens read each category's tenders "
                             "of one award criteria apart")
    parser.add_argument("--source", metavar="NAME",
                        help="source name, prefixed to tender/firm/bid ids (default: the file name stem)")
    parser.add_argument("--rejects", type=Path, metavar="FILE",
                        help="where to write rejected rows (default: ./<source>.rejects.csv)")
    parser.add_argument("--encoding", default=DEFAULT_ENCODING, metavar="NAME",
                        help=f"text encoding of the file (default {DEFAULT_ENCODING}; gb18030 reads the GBK that "
                             "Excel on Chinese Windows saves CSV in)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, metavar="N")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    source = args.source or args.file.stem
    columns = TableColumns(args.tender, args.firm, args.amount, args.winner, args.date, args.category,
                           args.firm_name, args.region, args.budget, args.award_criteria)
    rejects_path = args.rejects or Path(f"{source}.rejects.csv")
    try:
        if args.batch_size < 1:
            raise BundleError("--batch-size must be at least 1")
        if not args.file.is_file():
            raise BundleError(f"{args.file} is not a file")
        header = preflight_file(args.file, columns.spec(args.file.name).required_columns, text_encoding(args.encoding))
    except BundleError as error:
        print(f"error: {error}\nNothing was written.", file=sys.stderr)
        return EXIT_INPUT
    def finish(report: LoadReport) -> int:
        print(report.table())
        return EXIT_OK

    code, _ = run_load(lambda db: load_bids_table(args.file, db, columns, source, rejects_path,
                                                  args.batch_size, Progress(), header, args.encoding),
                       job=f"a load of {args.file}", entry=LoadEntry("bids", table_source(source), str(args.file)),
                       finish=finish)
    return code


if __name__ == "__main__":
    sys.exit(main())
