"""Decide how a file's bytes become text, and refuse files that are not text at all.

Exports arrive as UTF-8 (with or without a BOM), UTF-16 (Excel's "Unicode text"), or
Windows-1252/Latin-1 from older helpdesk tools. We look at a sample of the file only, so large
files are never read whole just to be sniffed. Binary files (PDFs, images, archives, files full
of control bytes) and empty files raise `UnusableFile` so the caller can skip them with a reason.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from .records import UnusableFile

SAMPLE_BYTES = 256 * 1024

# File signatures of common binary formats that sometimes land in an evidence folder.
_MAGIC = {
    b"%PDF": "PDF document",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"PK\x03\x04": "ZIP archive (or Office file with the wrong extension)",
    b"\x1f\x8b": "gzip archive",
    b"\x7fELF": "executable",
    b"MZ": "executable",
    b"\xd0\xcf\x11\xe0": "legacy Office file (.doc/.xls); save it as .docx/.xlsx/.csv",
    b"Rar!": "RAR archive",
    b"7z\xbc\xaf": "7z archive",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Single-byte Western code pages charset-normalizer often cannot tell apart on short texts.
# cp1252 is by far the most common in real exports, so it wins a near-tie.
_WESTERN_SINGLE_BYTE = {
    "cp1252", "cp1250", "cp1257", "cp775", "cp850", "cp437", "latin_1", "iso8859_1",
    "iso8859_2", "iso8859_15", "mac_roman", "mac_latin2", "cp1254",
}


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) < 0xA0)
    return bad / len(text)


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit on one parity, as in UTF-16 Latin text."""
    even, odd = sample[0::2], sample[1::2]
    if not even or not odd:
        return None
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _decodes(sample: bytes, encoding: str, final: bool) -> str | None:
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        return decoder.decode(sample, final=final)
    except (UnicodeDecodeError, LookupError):
        return None


def _check_text(text: str, encoding: str) -> str:
    if _control_ratio(text) > 0.05:
        raise UnusableFile("binary", f"binary or non-text content (control characters after decoding as {encoding})")
    return encoding


def detect_encoding(path: Path, declared: str | None = None) -> str:
    """The Python codec name to read `path` with.

    `declared` (from `sources[i].encoding`) is trusted but verified on a sample: a file that
    does not decode with it is skipped as wrongly encoded rather than read as mojibake.
    Raises `UnusableFile` for empty, binary or undecodable files.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
    except OSError as err:
        raise UnusableFile("unreadable", f"unreadable: {err.strerror or err}") from None
    whole = size <= len(sample)
    if not sample.strip(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE + codecs.BOM_UTF16_BE):
        raise UnusableFile("empty", "empty file")

    if declared:
        try:
            codecs.lookup(declared)
        except LookupError:
            raise UnusableFile("unreadable", f"unknown encoding '{declared}' (sources[i].encoding)") from None
        text = _decodes(sample, declared, final=whole)
        if text is None:
            raise UnusableFile("wrongly encoded", f"wrongly encoded: not valid {declared} (set sources[i].encoding or remove it to auto-detect)")
        return _check_text(text, declared)

    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            text = _decodes(sample, encoding, final=whole)
            if text is None:
                raise UnusableFile("wrongly encoded", f"wrongly encoded: starts with a {encoding} byte-order mark but does not decode as {encoding}")
            return _check_text(text, encoding)

    for magic, what in _MAGIC.items():
        if sample.startswith(magic):
            raise UnusableFile("binary", f"binary file ({what})")

    if b"\x00" in sample:
        guess = _utf16_without_bom(sample)
        if guess:
            text = _decodes(sample[: len(sample) - len(sample) % 2], guess, final=whole)
            if text is not None:
                return _check_text(text, guess)
        raise UnusableFile("binary", "binary file (contains NUL bytes)")

    text = _decodes(sample, "utf-8", final=whole)
    if text is not None:
        return _check_text(text, "utf-8")

    from charset_normalizer import from_bytes

    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        raise UnusableFile("binary", "binary or undecodable content (no text encoding fits)")
    encoding = best.encoding
    if encoding in _WESTERN_SINGLE_BYTE and encoding != "cp1252":
        if any(m.encoding == "cp1252" for m in matches) and _decodes(sample, "cp1252", True) is not None:
            encoding = "cp1252"
    text = _decodes(sample, encoding, final=whole)
    if text is None:  # charset-normalizer judged a slice; be safe and use its own output
        text = str(best)
    return _check_text(text, encoding)


def read_text(path: Path, encoding: str) -> str:
    """The whole file as text (for formats that cannot be streamed: transcripts, JSON)."""
    try:
        return path.read_bytes().decode(encoding, errors="replace")
    except (OSError, LookupError) as err:
        raise UnusableFile("unreadable", f"unreadable: {err}") from None
