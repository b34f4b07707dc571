"""What kind of file this is, told from its bytes (the extension is only a hint): CSV with its
encoding, delimiter and header, Excel (.xlsx) or Parquet; anything else is refused with what to
do about it."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from salesdw.load.errors import ImportFileError

__all__ = ["FileFormat", "sniff"]

SAMPLE_BYTES = 256 * 1024
_BLOCK = 16 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
_NUMBER_OR_DATE = re.compile(r"^\s*[-+(]?[\d.,:/ \-T]+\)?\s*$")


@dataclass(frozen=True)
class FileFormat:
    """How to read the file: kind is csv, xlsx or parquet; the rest applies to CSV."""

    kind: str
    encoding: str = "utf-8"
    delimiter: str = ","
    has_header: bool = True

    def describe(self) -> str:
        if self.kind == "xlsx":
            return "Excel workbook (.xlsx), first sheet"
        if self.kind == "parquet":
            return "Parquet"
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
        header = "with a header" if self.has_header else "without a header"
        return f"CSV, {self.encoding}, {names.get(self.delimiter, repr(self.delimiter))}, {header}"


def sniff(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    has_header: bool | None = None,
    known_names: frozenset[str] = frozenset(),
) -> FileFormat:
    """Tell the format from the content; the keyword arguments (from a mapping file) win over
    what the content suggests. `known_names` are normalised column names that mark a header."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(SAMPLE_BYTES)
    except FileNotFoundError:
        raise ImportFileError(f"no file at {path}; check the path") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size == 0:
        raise ImportFileError(f"{path.name} is empty (0 bytes): there is nothing to import")
    if head.startswith(b"PAR1"):
        return FileFormat("parquet")
    if head.startswith(b"PK\x03\x04"):
        return FileFormat(_zip_kind(path))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            f"{path.name} is a legacy Excel (.xls) workbook; save it as .xlsx or CSV and "
            "import that"
        )
    if head.startswith(b"\x1f\x8b"):
        raise ImportFileError(f"{path.name} is gzip-compressed; decompress it first (gunzip)")
    chosen = encoding or _encoding(path, head)
    text = _decode_sample(head, chosen, complete=len(head) == size)
    if not text.strip():
        raise ImportFileError(f"{path.name} holds only blank lines: there is nothing to import")
    sep = delimiter or _delimiter(text, path.name)
    header = has_header if has_header is not None else _has_header(text, sep, known_names)
    return FileFormat("csv", chosen, sep, header)


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ImportFileError(
            f"{path.name} starts like a zip archive (.xlsx) but is damaged; export it again"
        ) from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names:
        raise ImportFileError(
            f"{path.name} is an OpenDocument spreadsheet; save it as .xlsx or CSV"
        )
    raise ImportFileError(f"{path.name} is a zip archive; unzip it and import the file inside")


def _encoding(path: Path, head: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 by BOM; otherwise Windows-1252 if every byte
    decodes, else Latin-1. Binary content (NUL bytes, many control bytes) is refused."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    control = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    if b"\x00" in head or control > max(8, len(head) // 200):
        raise ImportFileError(
            f"{path.name} is not a text file (it holds binary bytes): import a CSV, Excel "
            "(.xlsx) or Parquet file of order lines"
        )
    if _decodes(path, "utf-8"):
        return "utf-8"
    _refuse_broken_utf8(path)
    return "cp1252" if _decodes(path, "cp1252") else "latin-1"


def _refuse_broken_utf8(path: Path) -> None:
    """Refuse a file that is UTF-8 but for a few bytes (a pasted Latin-1 character): read as
    Windows-1252 throughout, its every ü would be stored as Ã¼, without a word."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    valid = bad = lines = 0
    first_bad_line = None
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            text = decoder.decode(block)
            found = text.count("\ufffd")
            if found and first_bad_line is None:
                first_bad_line = lines + text[: text.index("\ufffd")].count("\n") + 1
            bad += found
            valid += len(text) - len(text.encode("ascii", "ignore")) - found  # non-ASCII
            lines += text.count("\n")
    # in Windows-1252 text, a byte that opens a UTF-8 sequence is seldom followed by the bytes
    # that would complete one: more valid sequences than bad bytes means UTF-8
    if valid > bad:
        raise ImportFileError(
            f"{path.name} is UTF-8 but for {bad:,} byte{'s' if bad > 1 else ''} that "
            f"{'are' if bad > 1 else 'is'} not (the first on line {first_bad_line}): correct "
            "them, or name the encoding the whole file is in with a mapping file (encoding: "
            "cp1252)"
        )


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as fh:
            while block := fh.read(_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decode_sample(head: bytes, encoding: str, *, complete: bool) -> str:
    text = head.decode(encoding, errors="replace")
    if not complete and "\n" in text:
        text = text[: text.rindex("\n")]  # the last line may be cut
    return text


def _rows(text: str, delimiter: str, limit: int = 200) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            if row:
                rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def _delimiter(text: str, name: str) -> str:
    """The candidate that splits most lines into the same number (> 1) of fields."""
    best, best_score = None, (0.0, 0)
    for candidate in DELIMITERS:
        rows = _rows(text, candidate)
        if not rows:
            continue
        counts = [len(row) for row in rows]
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = candidate, score
    if best is None:
        raise ImportFileError(
            f"{name} does not look like a CSV of order lines: no comma, semicolon, tab or "
            "pipe splits its lines into columns"
        )
    return best


def _has_header(text: str, delimiter: str, known_names: frozenset[str]) -> bool:
    """A first row naming known columns is a header; so is one with no number or date where
    the rows below have some."""
    rows = _rows(text, delimiter, limit=50)
    first, rest = rows[0], rows[1:]
    if any(normalise_name(cell) in known_names for cell in first):
        return True
    if any(_NUMBER_OR_DATE.match(cell) for cell in first if cell.strip()):
        return False
    return any(_NUMBER_OR_DATE.match(cell) for row in rest for cell in row if cell.strip())


def normalise_name(name: object) -> str:
    """Column names compared without case, spaces or punctuation: 'Invoice No' = 'invoiceno'."""
    return re.sub(r"[^0-9a-z]", "", str(name).casefold())


def with_overrides(fmt: FileFormat, **changes: object) -> FileFormat:
    return replace(fmt, **{key: value for key, value in changes.items() if value is not None})
