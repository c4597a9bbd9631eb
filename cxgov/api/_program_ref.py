"""Naming a program on the command line: by its directory or by its id, the same everywhere."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from cxgov.errors import UsageError
from cxgov.model import Owner, Program
from cxgov.program_files.assembly import LoadedProgram, discover, load_program
from cxgov.program_files.fields import did_you_mean

__all__ = [
    "PROGRAMS_FOLDER",
    "ProgramRef",
    "owner_named",
    "program_ref",
    "programs_in",
    "stored_program_ids",
]

PROGRAMS_FOLDER = "programs"
"""Where an id is looked up: the folder of programs `cxgov validate` reads by default."""


@dataclass(frozen=True, slots=True)
class ProgramRef:
    """A program as the command line named it."""

    id: str
    directory: str | None
    """Its files; None for a program only the store knows (its files are elsewhere)."""


def programs_in(folder: str) -> dict[str, LoadedProgram]:
    """Program id -> the program as read (not yet checked by the rules), for every program in
    `folder` (itself or its subfolders); the first of two with one id."""
    if not Path(folder).is_dir():
        return {}
    found, _ = discover([folder])
    programs: dict[str, LoadedProgram] = {}
    for directory, files in found:
        loaded = load_program(directory, files)
        programs.setdefault(loaded.name, loaded)
    return programs


def _ids_in(folder: str) -> dict[str, str]:
    """Program id -> directory, for every program in `folder`."""
    return {ident: loaded.directory for ident, loaded in programs_in(folder).items()}


def program_ref(
    value: str,
    *,
    root: str = PROGRAMS_FOLDER,
    stored: Callable[[], Collection[str]] | None = None,
) -> ProgramRef:
    """The program `value` names: a program directory (read for its id), or an id, looked up
    as `root/<id>`, then among every program under `root`, then (with `stored`) among the
    program ids the store holds. Anything else is a usage error that lists the valid ids."""
    if Path(value).is_dir():
        found = _ids_in(value)
        if len(found) != 1:
            raise UsageError(
                f"--program {value}: expected one program directory, found {len(found)} programs"
                + (f" ({', '.join(sorted(found))}): give one of them" if found else "")
            )
        [(program_id, directory)] = found.items()
        return ProgramRef(program_id, directory)
    # the usual layout first (programs/<id>, the folder named after the id), so naming a
    # program by its id reads one program, not all of them
    likely = Path(root) / value
    if likely.is_dir() and _ids_in(str(likely)).get(value) is not None:
        return ProgramRef(value, str(likely))
    in_folder = _ids_in(root)
    if value in in_folder:
        return ProgramRef(value, in_folder[value])
    known = set(stored()) if stored is not None else set()
    if value in known:
        return ProgramRef(value, None)
    choices = sorted(known | set(in_folder))
    hint = did_you_mean(value, choices)
    raise UsageError(
        f"--program {value}: no such program directory, and no program has the id '{value}'"
        + (f"; {hint}" if hint else "")
        + (
            f" (program ids: {', '.join(choices)})"
            if choices
            else f" (no program found under {root}/)"
        )
    )


def owner_named(program: Program, owner_id: str) -> Owner:
    """The owner `owner_id` of `program`; a usage error with the closest id and every owner id
    otherwise (an unknown owner gets no mail, and its actions escalate unseen)."""
    owners = [o.id for o in program.owners]
    found = next((o for o in program.owners if o.id == owner_id), None)
    if found is None:
        hint = did_you_mean(owner_id, owners)
        raise UsageError(
            f"no owner '{owner_id}' in program {program.program.id}"
            + (f"; {hint}" if hint else "")
            + f" (owners: {', '.join(owners) or 'none'})"
        )
    return found


def stored_program_ids(db: str | None = None) -> set[str]:
    """The ids of the programs the store at `db` holds batches, runs or actions of."""
    # imported here: naming a program by its directory needs no store
    from cxgov.api._store import opened_store
    from cxgov.store.status import stored_programs

    with opened_store(db) as engine, engine.connect() as connection:
        return stored_programs(connection)
