"""Projection of the OCDS facts the red flags read: Neo4j → :class:`OcdsFrames`.

The counterpart of :mod:`graph.readers` for :mod:`detectors.red_flags`: four named read
queries (``cypher/ocds_read_*.cypher``) give one frame each — processes, bids (with every
tenderer of a consortium bid), awards (with suppliers, relatedBids and item
classifications) and lots. Tenders loaded from the CSV bundle are projected too (bid status
from ``disqualified``, AWARDED_TO as active awards), so the flags run on any market.
"""

from __future__ import annotations

from typing import Any

from detectors.red_flags.frames import COLUMNS, OcdsFrames

QUERIES = {"processes": "ocds_read_processes", "bids": "ocds_read_bids", "awards": "ocds_read_awards",
           "lots": "ocds_read_lots"}


def read_ocds_frames(db: Any) -> OcdsFrames:
    """The OCDS frame of everything in the database (a :class:`graph.db.Database`)."""
    return OcdsFrames.build(**{name: db.read_frame(query, columns=COLUMNS[name])
                               for name, query in QUERIES.items()})
