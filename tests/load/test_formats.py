"""The format is told from the bytes: CSV dialects and encodings, Excel and Parquet whatever
their extension, and clear refusals for everything else."""

from __future__ import annotations

import gzip
import re
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salesdw.load.errors import ImportFileError
from salesdw.load.formats import sniff
from salesdw.load.mapping import KNOWN_NAMES


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("delimiter, name", [(",", "comma"), (";", "semicolon"),
                                             ("\t", "tab"), ("|", "pipe")])  # fmt: skip
def test_the_delimiter_is_the_one_that_splits_lines_evenly(
    tmp_path: Path, delimiter: str, name: str
) -> None:
    text = "\n".join(
        delimiter.join(row)
        for row in [
            ["InvoiceNo", "Description", "Quantity"],
            ["1", "Mug, blue", "2"],
            ["2", "Bowl", "1"],
        ]
    )
    if delimiter != ",":
        text = text.replace("Mug, blue", "Mug, blue; big")
    found = sniff(_write(tmp_path / "x.csv", text), known_names=KNOWN_NAMES)
    assert found.kind == "csv" and found.delimiter == delimiter
    assert name in found.describe()


def test_utf8_with_and_without_bom_and_latin1_are_told_apart(tmp_path: Path) -> None:
    text = "Country,Amount\nÖsterreich,1\nEspaña,2\n"
    assert sniff(_write(tmp_path / "a.csv", text)).encoding == "utf-8"
    assert sniff(_write(tmp_path / "b.csv", "\ufeff" + text)).encoding == "utf-8-sig"
    assert sniff(_write(tmp_path / "c.csv", text, "latin-1")).encoding == "cp1252"
    assert sniff(_write(tmp_path / "d.csv", text, "utf-16")).encoding == "utf-16"


def test_utf8_with_a_stray_latin1_byte_is_refused_not_read_as_cp1252(tmp_path: Path) -> None:
    """Read as Windows-1252 throughout, every ü would be stored as Ã¼, silently."""
    path = tmp_path / "mixed.csv"
    lines = ["product,amount", *[f"Prod ü {i},1" for i in range(20)], "Caf\xe9 latin,2"]
    path.write_bytes("\n".join(lines[:-1]).encode("utf-8") + b"\n" + lines[-1].encode("latin-1"))
    said = re.escape("mixed.csv is UTF-8 but for 1 byte that is not (the first on line 22)")
    with pytest.raises(ImportFileError, match=said):
        sniff(path)
    assert sniff(path, encoding="cp1252").encoding == "cp1252"  # as the message suggests


def test_a_header_is_told_from_names_or_from_values(tmp_path: Path) -> None:
    named = _write(tmp_path / "a.csv", "Kunde;Datum;Betrag\nK1;01.02.2024;3,50\n")
    assert sniff(named).has_header  # no number in the first row, numbers below
    known = _write(tmp_path / "b.csv", "customer_id,order_date,amount\n1,2024-01-01,3\n")
    assert sniff(known, known_names=KNOWN_NAMES).has_header
    bare = _write(
        tmp_path / "c.csv",
        "536365;85123A;6;01.12.2010 08:26;2,55\n536366;71053;6;01.12.2010 08:28;3,39\n",
    )
    assert not sniff(bare).has_header


def test_excel_and_parquet_are_recognised_whatever_the_extension(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["a", "b"])
    book.save(tmp_path / "orders.csv")  # an .xlsx named .csv
    assert sniff(tmp_path / "orders.csv").kind == "xlsx"
    pq.write_table(pa.table({"a": [1]}), tmp_path / "orders.xlsx")
    assert sniff(tmp_path / "orders.xlsx").kind == "parquet"


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\n\n  \n", "only blank lines"),
    (bytes(range(256)) * 40, "not a text file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "legacy Excel"),
    # mtime=0: the same bytes, so the same test id, in every pytest-xdist worker
    (gzip.compress(b"a,b\n1,2\n", mtime=0), "gzip"),
    (b"just one column\nand another line\n", "no comma, semicolon"),
])  # fmt: skip
def test_files_that_are_not_order_lines_are_refused(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        sniff(path)


def test_a_zip_that_is_no_workbook_is_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "x.xlsx", "w") as archive:
        archive.writestr("orders.csv", "a,b\n")
    with pytest.raises(ImportFileError, match="unzip it"):
        sniff(tmp_path / "x.xlsx")


def test_a_missing_file_or_a_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no file at"):
        sniff(tmp_path / "nope.csv")
    with pytest.raises(ImportFileError, match="is a folder"):
        sniff(tmp_path)


def test_overrides_win_over_what_the_content_suggests(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "1;2\n3;4\n")
    found = sniff(path, delimiter=";", has_header=True, encoding="latin-1")
    assert (found.delimiter, found.has_header, found.encoding) == (";", True, "latin-1")
