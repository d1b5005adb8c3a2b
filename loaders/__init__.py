"""Loaders: one module per source format, turning records into the graph; the demo market generator."""
