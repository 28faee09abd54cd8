"""The explorer's web app: a JSON API over the store's snapshot (read-only) and the page that draws it (`static/`).

Each request reads through a cursor of its own (its working tables are private to it) on one read-only connection to
the latest snapshot; when the night publishes a newer snapshot, the next request opens it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from cxmining.errors import CxminingError, first_line
from cxmining.explore.queries import (
    ExploreInputError,
    ExploreMissing,
    filters,
    journey_page,
    journey_timeline,
    overview,
    process_map,
    variant_page,
)
from cxmining.store import query_connection
from cxmining.store.snapshot import latest_snapshot


def static_folder() -> Path:
    """The page, its scripts and the vendored libraries (inside the package, so a wheel carries them)."""
    return Path(str(resources.files("cxmining.explore") / "static"))


class StoreReader:
    """One read-only connection to the file the explorer reads (the latest snapshot, or the store with `live`),
    reopened when that file is replaced."""

    def __init__(self, db: Path, live: bool = False) -> None:
        self.db, self.live = Path(db), live
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._opened: tuple[Path, int, float] | None = None

    def source(self) -> Path:
        """The file read now: the store's latest snapshot, or the store itself with `live` or before any snapshot."""
        snapshot = None if self.live else latest_snapshot(self.db)
        return self.db if snapshot is None else snapshot.path

    def _connection(self) -> duckdb.DuckDBPyConnection:
        path = self.source()
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise CxminingError(f"{path}: no such store; run `cxmining run` first") from None
        key = (path, stat.st_ino, stat.st_mtime)
        with self._lock:
            if self._con is None or self._opened != key:
                if self._con is not None:
                    self._con.close()
                self._con, self._opened = query_connection(path), key
            return self._con

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the request's own: its temporary tables are private to it and dropped when it closes."""
        cursor = self._connection().cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con = None


def _answer(reader: StoreReader, read: Callable[[duckdb.DuckDBPyConnection], Any]) -> JSONResponse:
    """`read` on a cursor of its own, as JSON; a bad request is a 400, a missing table a 409, each with one line."""
    try:
        with reader.cursor() as cursor:
            found = read(cursor)
    except ExploreInputError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    except ExploreMissing as exc:
        return JSONResponse({"error": str(exc), "missing": True}, status_code=409)
    except duckdb.Error as exc:
        return JSONResponse({"error": f"query failed: {first_line(exc)}"}, status_code=500)
    if found is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse(_plain(found))


def _plain(value: Any) -> Any:
    """JSON-ready: dates and times as ISO text (UTC), other values as they are."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def explorer_app(db: str | Path, live: bool = False) -> FastAPI:
    """The explorer for the store `db` (its snapshot unless `live`)."""
    reader = StoreReader(Path(db), live)
    app = FastAPI(title="cxmining explore", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.reader = reader
    static = static_folder()

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(static / "index.html", headers={"Cache-Control": "no-store"})

    @app.get("/api/overview")
    def api_overview() -> JSONResponse:
        return _answer(reader, lambda con: {"source": str(reader.source().name), **overview(con)})

    @app.get("/api/map")
    def api_map(request: Request) -> JSONResponse:
        params = dict(request.query_params)
        return _answer(reader, lambda con: process_map(con, filters(params)))

    @app.get("/api/variants")
    def api_variants(request: Request) -> JSONResponse:
        params = dict(request.query_params)
        return _answer(reader, lambda con: variant_page(con, filters(params), params))

    @app.get("/api/journeys")
    def api_journeys(request: Request) -> JSONResponse:
        params = dict(request.query_params)
        return _answer(reader, lambda con: journey_page(con, filters(params), params))

    @app.get("/api/journey/{journey_id:path}")
    def api_journey(journey_id: str) -> JSONResponse:
        return _answer(reader, lambda con: journey_timeline(con, journey_id))

    app.mount("/static", StaticFiles(directory=static), name="static")
    return app


@contextmanager
def background_server(app: FastAPI, host: str = "127.0.0.1") -> Iterator[str]:
    """`app` served on a free port of `host` in a thread for the block (browser tests, pictures for the docs); its URL."""
    import socket

    import uvicorn

    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise CxminingError(f"the explorer could not start on {host}:{port}")
        threading.Event().wait(0.05)
    try:
        yield f"http://{host}:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
