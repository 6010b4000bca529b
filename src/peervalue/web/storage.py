"""Saved scenarios: SQLAlchemy 2, SQLite by default (a file in the user's data folder, WAL
mode), any database through ``PEERVALUE_DATABASE_URL``; the schema is made and upgraded by
Alembic (``peervalue/web/migrations``). Ids are random UUID4s, never sequential."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, Integer, String, Text, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_ENV = "PEERVALUE_DATABASE_URL"
#: the most characters in a saved case's name (the width of its column)
MAX_NAME = 200


def name_problem(name: str) -> str | None:
    """What is wrong with a saved case's name, if anything: 1 to MAX_NAME characters and no
    control characters (PostgreSQL's text cannot hold a NUL byte: it would be a 500)."""
    if not 1 <= len(name) <= MAX_NAME:
        return f"give the business case a name of up to {MAX_NAME} characters"
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "the name holds a control character (such as a NUL byte or a line break)"
    return None


class Base(DeclarativeBase):
    pass


class ScenarioRow(Base):
    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    document: Mapped[str] = mapped_column(Text)  #: the scenario document as JSON
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer, default=1)


@dataclass(frozen=True)
class Saved:
    id: str
    name: str
    document: dict[str, Any]
    created: dt.datetime
    updated: dt.datetime
    revision: int


def default_database_url() -> str:
    """``PEERVALUE_DATABASE_URL``, else a SQLite file in the user's data folder."""
    url = os.environ.get(DATABASE_ENV)
    if url:
        return url
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("peervalue", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'peervalue.db'}"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


#: the PostgreSQL advisory lock that lets one process at a time upgrade the schema
_MIGRATION_LOCK = 0x70656572  # "peer"


def migrate(engine: Engine) -> None:
    """Bring the database's schema up to date (Alembic ``upgrade head``).

    Several workers may start at once on a new database: on PostgreSQL they queue on an
    advisory lock; elsewhere (SQLite) a worker that loses the race finds the schema made by
    the winner when it tries again."""
    from sqlalchemy.exc import DBAPIError

    for attempt in range(5):
        try:
            _upgrade(engine)
            return
        except DBAPIError:
            if attempt == 4:
                raise
            time.sleep(0.1 * (attempt + 1))


def _upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _saved(row: ScenarioRow) -> Saved:
    return Saved(
        id=row.id,
        name=row.name,
        document=json.loads(row.document),
        created=row.created,
        updated=row.updated,
        revision=row.revision,
    )


class ScenarioStore:
    """Create, read, update and delete saved scenarios (documents, never file paths)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def create(self, name: str, document: dict[str, Any]) -> Saved:
        now = _now()
        row = ScenarioRow(
            id=str(uuid.uuid4()),
            name=name,
            document=json.dumps(document, sort_keys=True),
            created=now,
            updated=now,
            revision=1,
        )
        with self._session() as session:
            session.add(row)
        return _saved(row)

    def get(self, scenario_id: str) -> Saved | None:
        with self._session() as session:
            row = session.get(ScenarioRow, scenario_id)
            return _saved(row) if row is not None else None

    def list(self) -> list[Saved]:
        with self._session() as session:
            rows = session.scalars(select(ScenarioRow).order_by(ScenarioRow.created)).all()
            return [_saved(r) for r in rows]

    def update(self, scenario_id: str, name: str, document: dict[str, Any]) -> Saved | None:
        with self._session() as session:
            row = session.get(ScenarioRow, scenario_id, with_for_update=True)
            if row is None:
                return None
            row.name = name
            row.document = json.dumps(document, sort_keys=True)
            row.updated = _now()
            row.revision += 1
            session.flush()
            return _saved(row)

    def delete(self, scenario_id: str) -> bool:
        with self._session() as session:
            row = session.get(ScenarioRow, scenario_id)
            if row is None:
                return False
            session.delete(row)
            return True
