"""The journeys (or an imported log) written for other process-mining tools: XES, CSV/Parquet and OCEL 2.0 files
(docs/export.md). Reads the store only: everything is computed on a read-only connection's temporary tables."""
