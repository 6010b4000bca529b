"""Saved scenarios: SQLAlchemy 2, SQLite by default (a file in the user's data folder, WAL
mode), any database through ``PEERVALUE_DATABASE_URL``; the schema is made and upgraded by
Alembic (``peervalue/web/migrations``). Ids are random UUID4s, never sequential.

A case is stored as its own figures in the current document format (scenario/documents.py)
with the format's version and the peervalue version that wrote it; every revision is kept.
Who may change it: whoever holds its owner key (made when it is saved, returned once, stored
only as a SHA-256 hash) or the server's admin token (checked by the web layer)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from peervalue.scenario.documents import FORMAT_VERSION

#: the most characters in a saved case's name (the width of its column)
MAX_NAME = 200


#: characters a name may not hold: controls (a NUL byte is a 500 on PostgreSQL), format
#: characters (zero-width spaces and joiners, bidirectional overrides such as U+202E, which
#: make a name read differently from what it holds) and line or paragraph separators
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible or bidirectional formatting character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Co": "a private-use character",
    "Cs": "a lone surrogate",
    "Cn": "an unassigned character",
}


def name_problem(name: str) -> str | None:
    """What is wrong with a saved case's name, if anything: 1 to MAX_NAME characters, not
    blank once trimmed, and nothing invisible or that reorders the text (the character is
    named, so the user can find it)."""
    if not name.strip():
        return "give the business case a name (it is blank once spaces are trimmed)"
    if len(name) > MAX_NAME:
        return f"give the business case a name of up to {MAX_NAME} characters"
    for i, c in enumerate(name):
        kind = _REFUSED_CATEGORIES.get(unicodedata.category(c))
        if kind is not None:
            label = " ".join(filter(None, (f"U+{ord(c):04X}", unicodedata.name(c, ""))))
            return (
                f"the name holds {kind} at position {i + 1} ({label}); "
                "type the name again without it"
            )
    return None


class Base(DeclarativeBase):
    pass


class ScenarioRow(Base):
    """A saved case as it stands now (its latest revision)."""

    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    document: Mapped[str] = mapped_column(Text)  #: the stored document as JSON
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    #: the document's format (scenario/documents.py); 1 for rows saved before formats
    format_version: Mapped[int] = mapped_column(Integer, default=FORMAT_VERSION)
    #: the peervalue version that wrote the latest revision
    written_by: Mapped[str] = mapped_column(String(40))
    #: SHA-256 of the owner key (hex); None for cases saved before owners (admin only)
    owner_key_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RevisionRow(Base):
    """Every revision of every case, the latest included (its history)."""

    __tablename__ = "scenario_revisions"

    scenario_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    document: Mapped[str] = mapped_column(Text)
    format_version: Mapped[int] = mapped_column(Integer)
    written_by: Mapped[str] = mapped_column(String(40))
    saved: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Saved:
    id: str
    name: str
    document: dict[str, Any]  #: as stored, in format ``format_version``
    created: dt.datetime
    updated: dt.datetime
    revision: int
    format_version: int = FORMAT_VERSION
    written_by: str = ""
    has_owner: bool = True

    @property
    def etag(self) -> str:
        """The entity tag of this revision (quoted, strong)."""
        return f'"{self.id}.{self.revision}"'


@dataclass(frozen=True)
class Revision:
    """One revision of a saved case (its history)."""

    scenario_id: str
    revision: int
    name: str
    document: dict[str, Any]
    format_version: int
    written_by: str
    saved: dt.datetime


@dataclass(frozen=True)
class Stale:
    """A write refused because the case has moved on from the revision the writer read."""

    current: Saved


@dataclass(frozen=True)
class SavedPage:
    """A page of saved cases, oldest first, and the cursor of the next page (or None)."""

    items: list[Saved]
    next_cursor: str | None


def key_hash(key: str) -> str:
    """The stored form of an owner key (SHA-256, hex): the key itself is never stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_owner_key() -> str:
    """A new owner key: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


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


def _version() -> str:
    from peervalue._version import package_version

    return package_version()[:40]


def _saved(row: ScenarioRow) -> Saved:
    return Saved(
        id=row.id,
        name=row.name,
        document=json.loads(row.document),
        created=row.created,
        updated=row.updated,
        revision=row.revision,
        format_version=row.format_version,
        written_by=row.written_by,
        has_owner=row.owner_key_hash is not None,
    )


def _revision(row: RevisionRow) -> Revision:
    return Revision(
        scenario_id=row.scenario_id,
        revision=row.revision,
        name=row.name,
        document=json.loads(row.document),
        format_version=row.format_version,
        written_by=row.written_by,
        saved=row.saved,
    )


#: the most items one page of a list holds
MAX_PAGE = 200
#: the highest revision number (the column is a 32-bit integer on every database)
MAX_REVISION = 2**31 - 1


class ScenarioStore:
    """Create, read, update and delete saved scenarios (documents, never file paths), keep
    every revision, and check owner keys. Writes are compare-and-set on the revision, in the
    database, so that two writers never both succeed from the same revision."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def create(
        self, name: str, document: dict[str, Any], format_version: int = FORMAT_VERSION
    ) -> tuple[Saved, str]:
        """Save a new case; returns it and its owner key (shown once, stored only hashed)."""
        now = _now()
        key = new_owner_key()
        text = json.dumps(document, sort_keys=True)
        row = ScenarioRow(
            id=str(uuid.uuid4()),
            name=name,
            document=text,
            created=now,
            updated=now,
            revision=1,
            format_version=format_version,
            written_by=_version(),
            owner_key_hash=key_hash(key),
        )
        with self._session() as session:
            session.add(row)
            session.flush()
            session.add(
                RevisionRow(
                    scenario_id=row.id,
                    revision=1,
                    name=name,
                    document=text,
                    format_version=format_version,
                    written_by=row.written_by,
                    saved=now,
                )
            )
        return _saved(row), key

    def get(self, scenario_id: str) -> Saved | None:
        with self._session() as session:
            row = session.get(ScenarioRow, scenario_id)
            return _saved(row) if row is not None else None

    def is_owner(self, scenario_id: str, key: str) -> bool:
        """Whether ``key`` is the case's owner key (compared in constant time)."""
        if not key:
            return False
        with self._session() as session:
            stored = session.scalar(
                select(ScenarioRow.owner_key_hash).where(ScenarioRow.id == scenario_id)
            )
        return stored is not None and hmac.compare_digest(stored, key_hash(key))

    def page(self, limit: int = MAX_PAGE, after: str | None = None) -> SavedPage:
        """A page of every saved case, oldest first, after the case whose id is ``after``."""
        limit = max(1, min(limit, MAX_PAGE))
        with self._session() as session:
            query = select(ScenarioRow).order_by(ScenarioRow.created, ScenarioRow.id)
            if after is not None:
                last = session.get(ScenarioRow, after)
                if last is not None:
                    query = query.where(
                        tuple_(ScenarioRow.created, ScenarioRow.id) > (last.created, last.id)
                    )
            rows = session.scalars(query.limit(limit + 1)).all()
            items = [_saved(r) for r in rows[:limit]]
            return SavedPage(items, items[-1].id if len(rows) > limit else None)

    def revisions(self, scenario_id: str) -> list[Revision]:
        """Every revision of a case, newest first (empty when there is no such case)."""
        with self._session() as session:
            rows = session.scalars(
                select(RevisionRow)
                .where(RevisionRow.scenario_id == scenario_id)
                .order_by(RevisionRow.revision.desc())
            ).all()
            return [_revision(r) for r in rows]

    def revision(self, scenario_id: str, number: int) -> Revision | None:
        with self._session() as session:
            row = session.get(RevisionRow, (scenario_id, number))
            return _revision(row) if row is not None else None

    def update(
        self,
        scenario_id: str,
        name: str,
        document: dict[str, Any],
        expected_revision: int,
        format_version: int = FORMAT_VERSION,
    ) -> Saved | Stale | None:
        """Replace the case if it is still at ``expected_revision`` (one atomic UPDATE ...
        WHERE revision = expected), keeping the revision in its history; :class:`Stale` when
        it has moved on, ``None`` when there is no such case."""
        now = _now()
        text = json.dumps(document, sort_keys=True)
        written_by = _version()
        with self._session() as session:
            done = session.execute(
                update(ScenarioRow)
                .where(ScenarioRow.id == scenario_id, ScenarioRow.revision == expected_revision)
                .values(
                    name=name,
                    document=text,
                    updated=now,
                    revision=ScenarioRow.revision + 1,
                    format_version=format_version,
                    written_by=written_by,
                )
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                row = session.get(ScenarioRow, scenario_id)
                return Stale(_saved(row)) if row is not None else None
            session.add(
                RevisionRow(
                    scenario_id=scenario_id,
                    revision=expected_revision + 1,
                    name=name,
                    document=text,
                    format_version=format_version,
                    written_by=written_by,
                    saved=now,
                )
            )
            row = session.get(ScenarioRow, scenario_id, populate_existing=True)
            assert row is not None
            return _saved(row)

    def delete(self, scenario_id: str, expected_revision: int | None = None) -> bool | Stale:
        """Delete a case and its history (only at ``expected_revision`` when given): True
        when deleted, False when there is no such case, :class:`Stale` when it moved on."""
        with self._session() as session:
            query = delete(ScenarioRow).where(ScenarioRow.id == scenario_id)
            if expected_revision is not None:
                query = query.where(ScenarioRow.revision == expected_revision)
            done = session.execute(query.execution_options(synchronize_session=False))
            if done.rowcount == 1:  # type: ignore[attr-defined]
                session.execute(delete(RevisionRow).where(RevisionRow.scenario_id == scenario_id))
                return True
            row = session.get(ScenarioRow, scenario_id)
            return Stale(_saved(row)) if row is not None else False
