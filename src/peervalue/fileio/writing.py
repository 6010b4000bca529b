"""Writing outputs safely: :func:`atomic_write_text` and friends write through a temporary
file and a rename, so a reader never sees a half-written output; outputs may not replace
the run's inputs or (unless asked) an existing file."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

from peervalue import signals
from peervalue.errors import InputError, input_error, quote
from peervalue.fileio.reading import DATA_SUFFIXES, _os_reason


def _output_error(path: Path, reason: str, expected: str) -> InputError:
    return input_error(path, "", f"cannot write the output: {reason}", expected)


_OUTPUT_EXPECTED = {
    errno.ENOENT: "an existing folder (create it first)",
    errno.ENOTDIR: "a path whose folders all exist",
    errno.EACCES: "a file in a folder you may write to",
    errno.EPERM: "a file in a folder you may write to",
    errno.EROFS: "a file on a disk that can be written to",
    errno.ENAMETOOLONG: "a shorter file name",
    errno.EISDIR: "a file name, such as result.json, inside the folder",
    errno.ENOSPC: "a disk with free space",
    errno.EDQUOT: "a disk with free space",
}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def refuse_overwriting_inputs(path: Path, inputs: Sequence[Path]) -> None:
    """Refuse an output ``path`` that is one of ``inputs`` or a study file read from an input
    folder, or that would add a study file (``.yaml``, ``.yml``, ``.toml``) to an input
    folder, which the next run would read as a broken study."""

    def same(a: Path, b: Path) -> bool:
        try:
            return os.path.samefile(a, b)
        except OSError:
            return False  # a path that cannot be compared is not an input; writing reports it

    folders = [source for source in inputs if source.is_dir()]
    in_folder = path.suffix in DATA_SUFFIXES and any(same(path.parent, f) for f in folders)
    if any(same(path, source) for source in inputs) or (in_folder and path.exists()):
        raise _output_error(
            path, "it is an input of this run, which would be lost", "another file name"
        )
    if in_folder:
        raise _output_error(
            path,
            "it would put a file in the study folder, which later runs read as a study",
            "a file outside the study folder, or a name ending in .json, .csv or .txt",
        )


def _exists_error(path: Path) -> InputError:
    return _output_error(
        path, "the file already exists", "a new file name, or --force to replace it"
    )


def refuse_existing(path: Path) -> None:
    """An existing file at ``path`` is an error: a command that will not replace its output
    says so before it starts work (:func:`atomic_write_bytes` checks again as it writes)."""
    if path.exists() and not path.is_dir():
        raise _exists_error(path)


def atomic_write_text(path: Path, text: str, *, overwrite: bool = True) -> None:
    """Write ``text`` to ``path`` as UTF-8, all at once (:func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def check_output(path: Path, *, overwrite: bool = True) -> None:
    """Refuse, before any work is done, an output ``path`` that :func:`atomic_write_bytes`
    would refuse: no file name, a missing or unusable folder, a folder you may not write
    to, a name too long, a folder or device at the path, a read-only file, or (when
    ``overwrite`` is false) an existing file. Writing checks again."""
    _check_output(Path(path), overwrite)
    directory = Path(path).parent
    if not os.access(directory, os.W_OK | os.X_OK):
        raise _output_error(
            Path(path),
            "the output folder cannot be written to: permission denied",
            _OUTPUT_EXPECTED[errno.EACCES],
        )


def _check_output(path: Path, overwrite: bool) -> os.stat_result | None:
    """The checks of :func:`check_output`; the current file's status (``None``: new)."""
    if not path.name or str(path) in {"", "."}:
        raise _output_error(path, "no file name was given", "a file name, such as result.json")
    directory = path.parent
    try:
        folder = directory.stat()
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            reason = "the output folder does not exist"
        else:
            reason = f"the output folder cannot be used: {_os_reason(exc)}"
        raise _output_error(path, reason, _OUTPUT_EXPECTED.get(exc.errno or 0, "")) from None
    if not stat.S_ISDIR(folder.st_mode):
        raise _output_error(
            path,
            f"{quote(str(directory))} is a file, not a folder",
            _OUTPUT_EXPECTED[errno.ENOTDIR],
        )
    name_bytes = len(os.fsencode(path.name))
    try:
        name_max = os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    if name_bytes > name_max:
        raise _output_error(
            path,
            f"the file name is {name_bytes:,} bytes long, over this file system's limit of "
            f"{name_max}",
            _OUTPUT_EXPECTED[errno.ENAMETOOLONG],
        )
    try:
        current: os.stat_result | None = path.stat()
    except FileNotFoundError:
        current = None  # a new file (or a dangling link, which the rename replaces)
    except OSError as exc:
        expected = _OUTPUT_EXPECTED.get(exc.errno or 0, "a file name you may write to")
        raise _output_error(path, _os_reason(exc), expected) from None
    if current is not None:
        if not overwrite and not stat.S_ISDIR(current.st_mode):
            raise _exists_error(path)
        if stat.S_ISDIR(current.st_mode):
            raise _output_error(path, "it is a folder", _OUTPUT_EXPECTED[errno.EISDIR])
        if not stat.S_ISREG(current.st_mode):
            raise _output_error(
                path,
                "it is not a regular file (a device, pipe or socket)",
                "a file name; leave out --output to write to the screen",
            )
        if not os.access(path, os.W_OK):
            raise _output_error(
                path, "the file is read-only", "a file you may write to (or a new name)"
            )
    return current


def atomic_write_bytes(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` all at once: a temporary file, then a rename.

    A reader never sees a half-written file, and whatever goes wrong
    (including Ctrl-C or SIGTERM while writing) leaves no temporary file
    behind. The new file gets the mode an ordinary write would give: that of
    the file it replaces, or ``0o666`` less the umask. Every failure (missing
    folder, a folder or device as the target, no permission, a read-only
    file system, a name too long, a full disk) is an :class:`InputError`, and so
    is an existing file when ``overwrite`` is false. A signal that arrives while
    the file is renamed into place is held, the file rolled back and the signal
    then delivered (:mod:`peervalue.signals`).
    """
    atomic_write_many([(Path(path), data)], overwrite=overwrite)


def atomic_write_many(files: Sequence[tuple[Path, bytes]], *, overwrite: bool = True) -> None:
    """Write several files together or not at all (:func:`atomic_write_bytes` for each).

    Every file is checked and written to a temporary file first; only when all are
    written are they renamed into place, together, with signals held
    (:func:`peervalue.signals.held`). If a rename fails or a signal arrives, the files
    already renamed are rolled back: a new file is removed and a replaced one restored
    from a hard link kept for the purpose (on a file system without hard links a
    replaced file cannot be restored, and stays new).
    """
    paths = [Path(p) for p, _ in files]
    if len({os.path.abspath(p) for p in paths}) != len(paths):
        raise _output_error(paths[-1], "the same file is given twice", "two different files")
    staged: list[tuple[Path, str, bool]] = []  # (path, temporary file, existed)
    path = paths[0]
    try:
        for path, (_, data) in zip(paths, files, strict=True):
            current = _check_output(path, overwrite)
            mode = stat.S_IMODE(current.st_mode) if current is not None else 0o666 & ~_umask()
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
            staged.append((path, tmp, current is not None))
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), mode)
                handle.write(data)
        path = _commit(staged, overwrite)
        staged = []
    except FileExistsError:
        raise _exists_error(path) from None
    except OSError as exc:
        expected = _OUTPUT_EXPECTED.get(exc.errno or 0, "a file you may write to")
        reason = (
            "the file cannot be created in this folder"
            if exc.errno == errno.ENOENT
            else _os_reason(exc)
        )
        raise _output_error(path, reason, expected) from None
    finally:
        for _, tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def _commit(staged: Sequence[tuple[Path, str, bool]], overwrite: bool) -> Path:
    """Rename every staged file into place with signals held; roll back on any failure or
    signal. Returns the last path handled (for a message)."""
    done: list[tuple[Path, str | None, bool]] = []  # (path, backup, restorable)
    path = staged[0][0]
    try:
        with signals.held():
            for path, tmp, existed in staged:
                backup: str | None = None
                restorable = not existed
                if existed and overwrite:
                    backup = f"{tmp}.previous"
                    try:
                        os.link(path, backup)
                        restorable = True
                    except OSError:
                        backup = None
                try:
                    if overwrite:
                        os.replace(tmp, path)
                    else:
                        # a link fails if the name was taken since the check: never a
                        # silent replace
                        os.link(tmp, path)
                        Path(tmp).unlink()
                except BaseException:
                    if backup is not None:  # this file was not replaced: keep no copy
                        Path(backup).unlink(missing_ok=True)
                    raise
                done.append((path, backup, restorable))
    except BaseException:
        try:
            with signals.held():  # a second signal may not cut the rollback short
                for done_path, backup, restorable in reversed(done):
                    if backup is not None:
                        os.replace(backup, done_path)
                    elif restorable:
                        done_path.unlink(missing_ok=True)
        except signals.Pending:
            pass
        signals.resend()  # a signal held during the commit (or the rollback) stops the run
        raise
    for _, backup, _ in done:
        if backup is not None:
            Path(backup).unlink(missing_ok=True)
    signals.complete()
    return path
