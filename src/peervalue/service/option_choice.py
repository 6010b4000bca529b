"""One option of a scenario's ``[[options]]`` chosen by name, as the case to analyse: the
scenario's files with that option layered on (:func:`~peervalue.service.scenario_options.
option_files`), so that a sensitivity analysis of the case's own NPV (``scenario tornado``,
``scenario two-way``) can be run for any option as for the case itself."""

from __future__ import annotations

from peervalue.errors import field_error
from peervalue.service.scenario_resolve import ResolvedFiles


def files_for_option(files: ResolvedFiles, name: str | None) -> ResolvedFiles:
    """``files`` with the option named ``name`` layered on (``None``: the case itself,
    ``files`` unchanged); an unknown name is refused with the names there are."""
    if name is None:
        return files
    from peervalue.service.scenario_options import option_files

    options = files.loaded.scenario.options or []
    for i, option in enumerate(options):
        if option.name == name:
            return option_files(files, i, option)
    known = ", ".join(repr(o.name) for o in options)
    raise field_error(
        "option",
        f"{name!r} is not an option of {files.loaded.source}",
        f"one of its [[options]] by name ({known})"
        if options
        else "no option: the file has no [[options]] (leave the option out to analyse the case "
        "itself)",
    )
