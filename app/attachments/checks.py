"""What an uploaded file (a receipt, an attachment) may be: JPEG, PNG or PDF by its bytes,
within size and pixel limits."""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from PIL import Image

# Any phone photo fits; a small file that claims more pixels is a decompression bomb.
MAX_PIXELS = 40_000_000
_NAME_LIMIT = 100


class FileRejectedError(ValueError):
    """An upload that is not a usable file; the message is shown next to the field."""


@dataclass(frozen=True)
class FileKind:
    content_type: str
    label: str  # what people call it
    extensions: tuple[str, ...]
    pillow_format: str | None


PDF = FileKind("application/pdf", "PDF", (".pdf",), None)
JPEG = FileKind("image/jpeg", "JPG", (".jpg", ".jpeg"), "JPEG")
PNG = FileKind("image/png", "PNG", (".png",), "PNG")
_SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_KINDS = (PDF, JPEG, PNG)


def check_upload(data: bytes, filename: str, max_bytes: int) -> FileKind:
    """Return the kind of an uploaded file, or raise FileRejectedError saying what is wrong."""
    if not data:
        raise FileRejectedError("The selected file is empty")
    if len(data) > max_bytes:
        raise FileRejectedError(f"The selected file must be smaller than {_megabytes(max_bytes)}")
    kind = next((k for signature, k in _SIGNATURES if data.startswith(signature)), None)
    if kind is None:
        raise FileRejectedError("The selected file must be a JPG, PNG or PDF")
    _check_name_matches(filename, kind)
    if kind.pillow_format:
        _check_image(data, kind, kind.pillow_format)
    return kind


def _check_name_matches(filename: str, kind: FileKind) -> None:
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in kind.extensions:
        return
    if any(extension in other.extensions for other in _KINDS):
        raise FileRejectedError(
            f"The selected file is a {kind.label} but its name ends in {extension}: "
            "rename it or choose another file"
        )
    raise FileRejectedError("The selected file must be a JPG, PNG or PDF")


def _check_image(data: bytes, kind: FileKind, pillow_format: str) -> None:
    width, height = _open_image(data, kind, pillow_format, verify=False)
    if width * height > MAX_PIXELS:
        raise FileRejectedError(
            f"The selected image is {width:,} by {height:,} pixels: "
            f"it must be at most {MAX_PIXELS // 1_000_000} megapixels"
        )
    _open_image(data, kind, pillow_format, verify=True)  # only now read it through


def _open_image(data: bytes, kind: FileKind, pillow_format: str, verify: bool) -> tuple[int, int]:
    """An image's dimensions from its header; with verify, check the whole file is intact."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                if verify:
                    image.verify()
                return image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise FileRejectedError(
            "The selected image has too many pixels: choose a smaller photo or scan"
        ) from e
    except (OSError, SyntaxError, ValueError) as e:
        raise FileRejectedError(f"The selected file is not a readable {kind.label}") from e


def display_name(filename: str, kind: FileKind) -> str:
    """A safe name to show and to offer on download: no paths, no control characters."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", name).strip()
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return f"file{kind.extensions[0]}"  # a name that is only an extension, or none
    return stem[: _NAME_LIMIT - len(extension) - 1] + "." + extension


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


def human_size(size: int) -> str:
    """1234 -> '1.2 KB', as shown next to a file's name."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"
