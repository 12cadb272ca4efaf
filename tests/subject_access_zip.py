"""Reading a subject access export back, for its tests: the ZIP's members, its JSON, and the
summary PDF's text as poppler's ``pdftotext`` reads it (as a person would)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest


def members(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def stored_zip(export) -> bytes:
    with export.file.open("rb") as file:
        return file.read()


def export_json(files: dict[str, bytes]) -> dict:
    return json.loads(files["export.json"])


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "summary.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def every_text(files: dict[str, bytes]) -> str:
    """Everything a reader of the ZIP sees: the names, the JSON, the summary's text."""
    return "\n".join(
        [*files, files["export.json"].decode(), " ".join(pdf_text(files["summary.pdf"]).split())]
    )
