"""What the pipeline's tests share: the private storage in a test's own directory,
upload bodies as a hostile client sends them, and an application at any stage."""

from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage

from teams.models import Candidate


def private_storage_in(path: Path, request: pytest.FixtureRequest) -> Path:
    """Point the private storage (CVs) at `path` for this test, and return it."""
    path.mkdir(parents=True, exist_ok=True)
    settings = request.getfixturevalue("settings")
    settings.STORAGES = settings.STORAGES | {
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": path},
        }
    }
    # Candidate.cv called its storage callable once, when the model class was made.
    request.getfixturevalue("monkeypatch").setattr(
        Candidate._meta.get_field("cv"), "storage", FileSystemStorage(location=path)
    )
    return path


def stored_files(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


PDF = b"%PDF-1.4\n% a CV\n"
DOCX = b"PK\x03\x04" + b"\x00" * 40
DOC = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
EXE = b"MZ\x90\x00" + b"\x00" * 40
BOUNDARY = "----pipelinetestboundary"


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> bytes:
    """A multipart body with file names exactly as given (Django's test client keeps
    only their last part, as a browser would not)."""
    out = b""
    for name, value in fields.items():
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    for name, (filename, content) in files.items():
        out += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode("utf-8", "surrogateescape")
            + content
            + b"\r\n"
        )
    return out + f"--{BOUNDARY}--\r\n".encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
