"""JSON Schemas for editors and other tools, generated from the pydantic models (never by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cxgov.model import ProgramFile

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILES = {"program-file.schema.json": ProgramFile}


def build_schemas() -> dict[str, str]:
    """File name -> schema text, deterministic so a stale copy is a plain text difference."""
    rendered = {}
    for name, model in SCHEMA_FILES.items():
        schema: dict[str, Any] = {"$schema": DRAFT, "$id": name, **model.model_json_schema()}
        rendered[name] = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return rendered


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in build_schemas().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(directory: Path) -> list[str]:
    """Names of schema files that are missing or differ from the models."""
    stale = []
    for name, text in build_schemas().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale
