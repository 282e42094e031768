"""Large receipt files made on the spot: a PDF of an exact size and a big noisy JPEG."""

from __future__ import annotations

import io
import random

from PIL import Image

_PDF_WIDTH = 2048  # of the scanned image inside the PDF, in pixels
_PDF_RESERVE = 4096  # bytes left for the PDF's structure and its padding comment


def pdf_of_size(size: int, seed: int = 0) -> bytes:
    """A valid one-page PDF of exactly `size` bytes (at least 1 MB): an A4 page showing a
    grey-noise scan, padded to size with comment lines before its cross-reference table."""
    height = (size - _PDF_RESERVE) // _PDF_WIDTH
    pixels = random.Random(seed).randbytes(_PDF_WIDTH * height)
    parts = _pdf_objects(pixels, _PDF_WIDTH, height)
    body = b"".join(parts)
    tail = _pdf_tail(parts, xref_at=size - 1)  # as long as the real one: same digit count
    padded = body + _comment_lines(size - len(body) - len(tail))
    pdf = padded + _pdf_tail(parts, xref_at=len(padded))
    if len(pdf) != size:
        raise RuntimeError(f"The PDF came out at {len(pdf)} bytes, not {size}")
    return pdf


def _pdf_objects(pixels: bytes, width: int, height: int) -> list[bytes]:
    """The header, then objects 1-5: catalog, pages, page, its drawing, the image."""
    drawing = b"q 595 0 0 842 0 0 cm /Im1 Do Q\n"
    image = (
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
        f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Length {len(pixels)} >>"
    ).encode()
    return [
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>\nendobj\n",
        b"4 0 obj\n<< /Length %d >>\nstream\n%sendstream\nendobj\n" % (len(drawing), drawing),
        b"5 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (image, pixels),
    ]


def _pdf_tail(parts: list[bytes], xref_at: int) -> bytes:
    """The cross-reference table of the objects in parts[1:], the trailer and %%EOF."""
    offsets, position = [], len(parts[0])
    for part in parts[1:]:
        offsets.append(position)
        position += len(part)
    entries = "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    return (
        f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n{entries}"
        f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n"
    ).encode()


def _comment_lines(length: int) -> bytes:
    """Exactly `length` bytes of PDF comment lines (80 bytes each, the last one shorter)."""
    full, rest = divmod(length, 80)
    last = b"%" + b"x" * (rest - 2) + b"\n" if rest >= 2 else b"\n" * rest
    return (b"%" + b"x" * 78 + b"\n") * full + last


def noisy_jpeg(width: int = 4000, height: int = 3000, sigma: float = 30) -> bytes:
    """A phone-photo-sized JPEG of a few MB: noise in red and blue over a green gradient
    (noise barely compresses, so the file stays large)."""
    size = (width, height)
    gradient = Image.linear_gradient("L").resize(size)
    bands = (Image.effect_noise(size, sigma), gradient, Image.effect_noise(size, sigma))
    out = io.BytesIO()
    Image.merge("RGB", bands).save(out, "JPEG", quality=85)
    return out.getvalue()
