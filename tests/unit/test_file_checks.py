"""Receipt files are recognised by their bytes, with specific messages for each problem."""

from __future__ import annotations

import pytest

from app.attachments.checks import (
    PDF,
    PNG,
    FileRejectedError,
    check_upload,
    display_name,
    human_size,
)
from tests.files import jpeg, pdf, png, png_bomb

LIMIT = 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (png(), "receipt.png", "image/png"),
        (jpeg(), "IMG_0001.JPG", "image/jpeg"),
        (jpeg(), "photo.jpeg", "image/jpeg"),
        (pdf(), "invoice.pdf", "application/pdf"),
    ],
)
def test_receipts_are_recognised_by_their_bytes(data: bytes, name: str, content_type: str) -> None:
    assert check_upload(data, name, LIMIT).content_type == content_type


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.pdf", "The selected file is empty"),
        (b"%PDF-" + b"0" * LIMIT, "big.pdf", "The selected file must be smaller than 5 MB"),
        (
            b"<!DOCTYPE html><html><body>hi</body></html>",
            "page.pdf",
            "The selected file must be a JPG, PNG or PDF",
        ),
        (pdf(), "receipt.png", "The selected file is a PDF but its name ends in .png"),
        (png(), "receipt.pdf", "The selected file is a PNG but its name ends in .pdf"),
        (b"MZ\x90\x00" + b"\x00" * 100, "setup.exe", "The selected file must be a JPG, PNG or PDF"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "r.svg",
            "The selected file must be a JPG, PNG or PDF",
        ),
        (pdf(), "receipt.pdf.exe", "The selected file must be a JPG, PNG or PDF"),
        (pdf(), "noextension", "The selected file must be a JPG, PNG or PDF"),
        (png()[:40], "cut.png", "The selected file is not a readable PNG"),
        (b"\xff\xd8\xff" + b"garbage" * 10, "bad.jpg", "The selected file is not a readable JPG"),
        (png_bomb(8_000, 8_000), "big.png", "The selected image is 8,000 by 8,000 pixels"),
        (png_bomb(), "bomb.png", "too many pixels"),
        (png_bomb(200_000, 200_000), "bigger.png", "too many pixels"),
    ],
)
def test_bad_files_get_a_specific_message(data: bytes, name: str, message: str) -> None:
    with pytest.raises(FileRejectedError, match=message.replace(".", r"\.")):
        check_upload(data, name, LIMIT)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("receipt.pdf", "receipt.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\ada\\taxi.pdf", "taxi.pdf"),
        ("évian\u202egnp.pdf", "éviangnp.pdf"),
        ("a" * 300 + ".pdf", "a" * 96 + ".pdf"),
        (".pdf", "file.pdf"),
        ("", "file.pdf"),
        ("квитанция.pdf", "квитанция.pdf"),
    ],
)
def test_names_are_kept_only_as_safe_display_text(name: str, shown: str) -> None:
    assert display_name(name, PDF) == shown
    assert len(display_name(name, PNG)) <= 100


def test_sizes_read_like_people_write_them() -> None:
    sizes = [human_size(n) for n in (512, 1_234, 5 * 1024 * 1024)]
    assert sizes == ["512 bytes", "1.2 KB", "5.0 MB"]
