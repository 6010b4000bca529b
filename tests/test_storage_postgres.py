"""Saved scenarios on PostgreSQL: the same store and migrations as SQLite, and concurrent
writes from several processes with nothing lost. The test starts a throwaway cluster with
Debian's postgresql (installed by .ci/run) on a Unix socket in a temporary folder."""

from __future__ import annotations

import glob
import multiprocessing
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PORT = 55432


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:  # the server refuses to run as root
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    bindir = _bin()
    if bindir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's postgresql (.ci/run)")
        pytest.skip("PostgreSQL is not installed")
    folder = Path(tempfile.mkdtemp(prefix="peervalue-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    pg = [str(bindir / "pg_ctl"), "-D", str(data)]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "timeout": 120}
    initdb = [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    subprocess.run(_as_postgres(initdb), check=True, **quiet)  # type: ignore[call-overload]
    # the server inherits pg_ctl's output: it goes to a log file, or the pipe never closes
    options = f"-k {folder} -p {PORT} -c listen_addresses=''"
    start = [*pg, "-o", options, "-l", str(folder / "server.log"), "-w", "start"]
    subprocess.run(_as_postgres(start), check=True, **quiet)  # type: ignore[call-overload]
    try:
        createdb = [str(bindir / "createdb"), "-h", str(folder), "-p", str(PORT), "-U", "postgres"]
        subprocess.run(_as_postgres([*createdb, "peervalue"]), check=True, **quiet)  # type: ignore[call-overload]
        yield f"postgresql+psycopg://postgres@/peervalue?host={folder}&port={PORT}"
    finally:
        subprocess.run(_as_postgres([*pg, "-m", "fast", "stop"]), **quiet)  # type: ignore[call-overload]
        shutil.rmtree(folder, ignore_errors=True)


def _writer(url: str, k: int, n: int) -> None:
    from peervalue.web.storage import ScenarioStore, make_engine

    store = ScenarioStore(make_engine(url))
    for i in range(n):
        saved, _ = store.create(f"p{k}-{i}", {"k": k, "i": i})
        store.update(saved.id, f"p{k}-{i}", {"k": k, "i": i, "updated": True}, 1)
    store.engine.dispose()


def _starter(url: str, k: int) -> None:
    """A worker starting up: bring the schema up to date, then save one scenario."""
    from peervalue.web.storage import ScenarioStore, make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    ScenarioStore(engine).create(f"start-{k}", {"k": k})
    engine.dispose()


def start_together(url: str, n: int) -> list[int | None]:
    """``n`` processes that migrate a new database at the same moment; their exit codes."""
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_starter, args=(url, k)) for k in range(n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    return [w.exitcode for w in workers]


def test_workers_starting_together_on_a_new_database(postgres_url: str) -> None:
    from sqlalchemy import text

    from peervalue.web.storage import ScenarioStore, make_engine

    admin = make_engine(postgres_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("CREATE DATABASE fresh"))
    admin.dispose()
    url = postgres_url.replace("/peervalue?", "/fresh?")
    assert start_together(url, 4) == [0, 0, 0, 0]
    engine = make_engine(url)
    names = sorted(s.name for s in ScenarioStore(engine).page().items)
    assert names == [f"start-{k}" for k in range(4)]
    engine.dispose()


def test_store_and_migrations_on_postgres(postgres_url: str) -> None:
    from peervalue.web.storage import Saved, ScenarioStore, make_engine, migrate

    engine = make_engine(postgres_url)
    migrate(engine)
    migrate(engine)  # a second upgrade is a no-op
    store = ScenarioStore(engine)
    saved, key = store.create("Ward A", {"scenario": {"name": "Ward A"}})
    assert store.get(saved.id) is not None and store.is_owner(saved.id, key)
    changed = store.update(saved.id, "Ward B", {"scenario": {"name": "Ward B"}}, 1)
    assert isinstance(changed, Saved) and changed.revision == 2
    assert [r.revision for r in store.revisions(saved.id)] == [2, 1]
    assert store.delete(saved.id) is True and store.get(saved.id) is None
    assert store.revisions(saved.id) == []


def test_compare_and_set_loses_no_write_on_postgres(postgres_url: str) -> None:
    from peervalue.web.storage import make_engine, migrate
    from tests.test_saved_cases import hammer

    engine = make_engine(postgres_url)
    migrate(engine)
    hammer(engine, threads=8, writes=20)


def test_concurrent_writes_from_processes_lose_nothing(postgres_url: str) -> None:
    from peervalue.web.storage import ScenarioStore, make_engine, migrate

    engine = make_engine(postgres_url)
    migrate(engine)
    store = ScenarioStore(engine)
    before = len(store.page(limit=200).items)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(postgres_url, k, 20)) for k in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    listed = store.page(limit=200).items
    rows = [r for r in listed if r.name.startswith("p")]
    assert len(listed) - before == 80 == len(rows)
    assert {(r.document["k"], r.document["i"]) for r in rows} == {
        (k, i) for k in range(4) for i in range(20)
    }
    assert all(r.revision == 2 and r.document["updated"] for r in rows)
