"""Every ``PEERVALUE_*`` setting of the web service, read and checked in one place.

``peervalue serve`` calls :func:`load_settings` before it starts uvicorn, and
:func:`peervalue.web.app.create_app` calls it again in each worker, so a bad setting is one
line naming it and what it should be (an :class:`~peervalue.errors.InputError`: exit 2 on
the command line), never a traceback. The README's serving section has the table.

This module imports nothing heavy at import time (the CLI's start-up is measured).
"""

from __future__ import annotations

import base64
import contextlib
import math
import os
import secrets
import socket
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from peervalue.errors import InputError, input_error, quote

DATABASE_URL = "PEERVALUE_DATABASE_URL"
DATA_DIR = "PEERVALUE_DATA_DIR"
API_TOKEN = "PEERVALUE_API_TOKEN"
RUN_TIMEOUT = "PEERVALUE_RUN_TIMEOUT"
MAX_RUNS = "PEERVALUE_MAX_RUNS"
ALLOWED_HOSTS = "PEERVALUE_ALLOWED_HOSTS"
BASE_URL = "PEERVALUE_BASE_URL"
SECRET_KEY = "PEERVALUE_SECRET_KEY"
SECRET_FILE = "PEERVALUE_SECRET_FILE"
MAX_CONNECTIONS = "PEERVALUE_MAX_CONNECTIONS"
REQUEST_TIMEOUT = "PEERVALUE_REQUEST_TIMEOUT"
KEEP_ALIVE = "PEERVALUE_KEEP_ALIVE"
TOKEN_FAILURES = "PEERVALUE_TOKEN_FAILURES_PER_MINUTE"
RUNS_PER_MINUTE = "PEERVALUE_RUNS_PER_MINUTE"

#: the Host names answered when PEERVALUE_ALLOWED_HOSTS is not set: this machine only
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
#: the name of the secret file made in the data folder when PEERVALUE_SECRET_KEY is not set
SECRET_FILE_NAME = "peervalue-secret.key"
#: the fewest characters of PEERVALUE_SECRET_KEY (and bytes of a secret file)
MIN_SECRET = 32
#: seconds allowed to reach PostgreSQL (or another server database) when checking the URL
CONNECT_TIMEOUT = 5
#: the databases the migrations are written and tested for
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
#: the first bytes of every SQLite database file
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Settings:
    """The web service's settings, checked (see :func:`load_settings`)."""

    database_url: str
    data_dir: Path
    api_token: str | None = None
    run_timeout: float = 60.0
    max_runs: int = 2
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    base_url: str | None = None
    secret_key: bytes = field(default=b"", repr=False)
    max_connections: int = 4000
    request_timeout: float = 30.0
    keep_alive: int = 5
    token_failures_per_minute: int = 10
    runs_per_minute: int = 60

    def with_(self, **changes: Any) -> Settings:
        """A copy with some settings changed (tests: ``allowed_hosts=("testserver",)``)."""
        return replace(self, **changes)


def _error(setting: str, problem: str, expected: str = "") -> InputError:
    return input_error(setting, "", problem, expected)


def _number(
    env: Mapping[str, str], name: str, default: float, low: float, high: float, whole: bool
) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    kind = "a whole number" if whole else "a number"
    span = f"{int(low):,} to {int(high):,}" if whole else f"{low:g} to {high:g}"
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        raise _error(name, f"got {quote(text)}", f"{kind} from {span}")
    return value


# --- hosts and addresses ----------------------------------------------------------------


def _host_problem(host: str) -> str | None:
    """What is wrong with a host name or address of PEERVALUE_ALLOWED_HOSTS, if anything."""
    if host == "*":
        return None
    bare = host[2:] if host.startswith("*.") else host
    if ":" in bare:
        try:
            socket.inet_pton(socket.AF_INET6, bare.strip("[]"))
        except OSError:
            return f"{quote(host)} is neither a host name nor an IPv6 address"
        return None
    labels = bare.split(".")
    if (
        not bare
        or len(bare) > 253
        or not all(
            0 < len(label) <= 63
            and all(c.isascii() and (c.isalnum() or c == "-") for c in label)
            and not label.startswith("-")
            for label in labels
        )
    ):
        return f"{quote(host)} is not a host name (letters, digits, hyphens and dots)"
    return None


def normal_host(host: str) -> str:
    """A host name or address as the allow-list compares it: lower case, IPv6 brackets off."""
    return host.strip().lower().strip("[]").rstrip(".")


def _allowed_hosts(env: Mapping[str, str], base_url: str | None) -> tuple[str, ...]:
    text = env.get(ALLOWED_HOSTS, "").strip()
    hosts: list[str] = list(LOOPBACK_HOSTS)
    if text:
        hosts = []
        for part in text.split(","):
            host = part.strip().lower()
            if not host:
                continue
            if (problem := _host_problem(host)) is not None:
                raise _error(
                    ALLOWED_HOSTS,
                    problem,
                    "host names separated by commas, such as 'calc.example.org,localhost' "
                    "('*.example.org' for its subdomains, '*' for any)",
                )
            hosts.append(normal_host(host))
        if not hosts:
            raise _error(ALLOWED_HOSTS, "names no host", "host names separated by commas")
    if base_url is not None:
        host = normal_host(urlsplit(base_url).hostname or "")
        if host not in hosts:
            hosts.append(host)
    return tuple(dict.fromkeys(hosts))


def _base_url(env: Mapping[str, str]) -> str | None:
    text = env.get(BASE_URL, "").strip()
    if not text:
        return None
    expected = "the address users open, such as 'https://calc.example.org' (no path)"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise _error(BASE_URL, f"{quote(text)} is not a URL", expected) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _error(BASE_URL, f"{quote(text)} is not an http or https address", expected)
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise _error(BASE_URL, f"{quote(text)} has a path, query or user name", expected)
    if (problem := _host_problem(parts.hostname)) is not None or "*" in parts.hostname:
        raise _error(BASE_URL, problem or f"{quote(text)} has a wildcard", expected)
    default = {"http": 80, "https": 443}[parts.scheme]
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if port is not None and port != default:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}"


# --- the token ---------------------------------------------------------------------------


def _api_token(env: Mapping[str, str]) -> str | None:
    token = env.get(API_TOKEN, "")
    if not token:
        return None
    if not all(c.isascii() and c.isprintable() and not c.isspace() for c in token):
        raise _error(
            API_TOKEN,
            "holds a space, a control character or a character outside ASCII (it could not "
            "be sent in an Authorization header)",
            "printable ASCII characters without spaces",
        )
    return token


# --- the database and the data folder ----------------------------------------------------


def _data_dir(env: Mapping[str, str]) -> Path:
    text = env.get(DATA_DIR, "").strip()
    if text:
        return Path(text).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("peervalue", appauthor=False))


def _writable_folder(setting: str, folder: Path, make: bool) -> None:
    """Check (and with ``make``, create) a folder the service writes in."""
    if make and not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _error(
                setting,
                f"the folder {folder} cannot be created ({exc.strerror or exc})",
                "a folder this user can write in",
            ) from None
    if not folder.is_dir():
        raise _error(
            setting, f"the folder {folder} does not exist", "an existing folder (create it first)"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _error(
            setting, f"the folder {folder} is not writable", "a folder this user can write in"
        )


def _sqlite_file(url: Any) -> Path | None:
    """The file of a SQLite URL (``None`` for an in-memory database)."""
    database = url.database
    if not database or database == ":memory:" or url.query.get("mode") == "memory":
        return None
    return Path(database).expanduser()


def _check_sqlite(path: Path) -> None:
    _writable_folder(DATABASE_URL, path.parent, make=False)
    if not path.exists():
        return
    if not path.is_file():
        raise _error(DATABASE_URL, f"{path} is not a file", "a SQLite database file")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise _error(
            DATABASE_URL, f"{path} cannot be read ({exc.strerror or exc})", "a readable file"
        ) from None
    if head and head != SQLITE_MAGIC:
        raise _error(
            DATABASE_URL,
            f"{path} is not a SQLite database",
            "a SQLite database file, or the name of a new one",
        )
    if not os.access(path, os.R_OK | os.W_OK):
        raise _error(DATABASE_URL, f"{path} is not writable", "a file this user can write")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


def check_database(url_text: str) -> None:
    """Check a database URL: a known scheme, and a SQLite file that is (or can become) a
    database, or a server that answers within CONNECT_TIMEOUT seconds."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    expected = (
        "a URL such as sqlite:////srv/peervalue/cases.db or postgresql+psycopg://user@host/db"
    )
    try:
        url = make_url(url_text)
    except ArgumentError:
        raise _error(DATABASE_URL, f"{quote(url_text)} is not a database URL", expected) from None
    shown = url.render_as_string(hide_password=True)
    try:
        url.get_dialect()
        known = url.get_backend_name() in SUPPORTED_BACKENDS
    except NoSuchModuleError:
        known = False
    if not known:
        raise _error(
            DATABASE_URL,
            f"the scheme {quote(url.drivername)} of {quote(shown)} is not a database this "
            "server can use",
            "sqlite or postgresql+psycopg",
        )
    if url.get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        if path is not None:
            _check_sqlite(path)
        return
    try:
        engine = create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT})
    except (SQLAlchemyError, TypeError, ValueError, ImportError) as exc:
        raise _error(DATABASE_URL, f"{quote(shown)}: {_first_line(exc)}", expected) from None
    try:
        with engine.connect():
            pass
    except (SQLAlchemyError, OSError) as exc:
        raise _error(
            DATABASE_URL,
            f"cannot connect to {quote(shown)} ({_first_line(exc)})",
            "a database server that is running and accepts this user",
        ) from None
    finally:
        engine.dispose()


def database_url_of(env: Mapping[str, str], data_dir: Path) -> str:
    """PEERVALUE_DATABASE_URL, else a SQLite file in the data folder (made if need be)."""
    url = env.get(DATABASE_URL, "").strip()
    if url:
        return url
    _writable_folder(DATA_DIR, data_dir, make=True)
    return f"sqlite:///{data_dir / 'peervalue.db'}"


# --- the secret ---------------------------------------------------------------------------


def secret_folder(database_url: str, data_dir: Path) -> Path:
    """Where the secret file goes: beside a SQLite database file, else the data folder."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and (path := _sqlite_file(url)) is not None:
        return path.parent
    return data_dir


def _read_secret_file(setting: str, path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        data = path.read_bytes().strip()
    except OSError as exc:
        raise _error(
            setting, f"the secret file {path} cannot be read ({exc.strerror or exc})"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise _error(
            setting,
            f"the secret file {path} can be read by other users (mode {stat.S_IMODE(mode):04o})",
            "mode 0600 (chmod 600 on it)",
        )
    if len(data) < MIN_SECRET:
        raise _error(
            setting,
            f"the secret file {path} holds {len(data)} bytes",
            f"at least {MIN_SECRET} bytes (delete it to have a new one made)",
        )
    return data


def _made_secret(folder: Path) -> bytes:
    """The secret in ``folder``'s secret file, made (mode 0600) if there is none.

    Several workers start at once: each writes a candidate to a file of its own and links
    it to the final name, which only the first can do (a link never replaces a file); the
    others read the winner's. A reader never sees a half-written secret."""
    path = folder / SECRET_FILE_NAME
    if not path.exists():
        _writable_folder(DATA_DIR, folder, make=True)
        candidate = folder / f".{SECRET_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(base64.urlsafe_b64encode(secrets.token_bytes(32)) + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(candidate, path)
        finally:
            candidate.unlink(missing_ok=True)
    return _read_secret_file(SECRET_FILE, path)


def _secret(env: Mapping[str, str], database_url: str, data_dir: Path) -> bytes:
    key = env.get(SECRET_KEY, "")
    if key:
        if len(key.strip()) < MIN_SECRET:
            raise _error(
                SECRET_KEY,
                f"holds {len(key.strip())} characters",
                f"at least {MIN_SECRET} random characters (python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')",
            )
        return key.strip().encode("utf-8")
    file_text = env.get(SECRET_FILE, "").strip()
    if file_text:
        return _read_secret_file(SECRET_FILE, Path(file_text).expanduser())
    return _made_secret(secret_folder(database_url, data_dir))


# --- all together -------------------------------------------------------------------------


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    database_url: str | None = None,
    check_database_url: bool = True,
) -> Settings:
    """Read and check every setting from ``env`` (default: the process's environment).

    ``database_url`` replaces PEERVALUE_DATABASE_URL (tests, :func:`create_app`'s argument).
    Raises :class:`~peervalue.errors.InputError` naming the first bad setting."""
    env = os.environ if env is None else env
    # the settings that need no file or server first: a typo is reported before anything
    # is made (the data folder, the database, the secret file)
    cores = os.cpu_count() or 2
    base_url = _base_url(env)
    checked = Settings(
        database_url="",
        data_dir=Path(),
        api_token=_api_token(env),
        run_timeout=_number(env, RUN_TIMEOUT, 60.0, 0.001, 3600, whole=False),
        max_runs=int(_number(env, MAX_RUNS, min(cores, 64), 1, 64, whole=True)),
        allowed_hosts=_allowed_hosts(env, base_url),
        base_url=base_url,
        max_connections=int(_number(env, MAX_CONNECTIONS, 4000, 10, 1_000_000, whole=True)),
        request_timeout=_number(env, REQUEST_TIMEOUT, 30.0, 1, 3600, whole=False),
        keep_alive=int(_number(env, KEEP_ALIVE, 5, 1, 300, whole=True)),
        token_failures_per_minute=int(_number(env, TOKEN_FAILURES, 10, 1, 10_000, whole=True)),
        runs_per_minute=int(_number(env, RUNS_PER_MINUTE, 60, 0, 100_000, whole=True)),
    )
    data_dir = _data_dir(env)
    url = database_url or database_url_of(env, data_dir)
    if check_database_url:
        check_database(url)
    return checked.with_(
        database_url=url, data_dir=data_dir, secret_key=_secret(env, url, data_dir)
    )


def request_timeout(env: Mapping[str, str] | None = None) -> float:
    """PEERVALUE_REQUEST_TIMEOUT alone (read by each connection's protocol; checked at
    start-up with the rest)."""
    return _number(os.environ if env is None else env, REQUEST_TIMEOUT, 30.0, 1, 3600, False)


def is_loopback(host: str) -> bool:
    """Whether ``--host`` is this machine only (a loopback name or address)."""
    import ipaddress

    bare = normal_host(host)
    if bare == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False
