"""Chunked reading keeps every row's line number, reports malformed lines instead of dropping
them, and skips blank rows; Excel streams, Parquet comes in batches; reading ahead in a child
process gives the same chunks and errors."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salesdw.load import readers
from salesdw.load.errors import ImportFileError
from salesdw.load.formats import FileFormat


def _chunks(path: Path, fmt: FileFormat, rows: int = 2) -> list[readers.RawChunk]:
    return list(readers.read_chunks(path, fmt, chunk_rows=rows))


def test_csv_line_numbers_count_records_and_skip_malformed_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('a,b,c\n1,2,3\n"multi\nline",5,6\n7,8,9,10\n\n11,12,13\n14,15\n',
                    encoding="utf-8")  # fmt: skip
    chunks = _chunks(path, FileFormat("csv"))
    numbers = np.concatenate([c.line_numbers for c in chunks]).tolist()
    assert numbers == [2, 3, 5, 6, 7]  # record 4 is malformed; 5 blank (the checks drop it)
    bad = [b for c in chunks for b in c.bad_lines]
    assert [(b.line_number, b.detail) for b in bad] == [(4, "expected 3 fields, saw 4")]
    readers.fill_bad_lines(path, FileFormat("csv"), bad)
    assert bad[0].raw == {"column_1": "7", "column_2": "8", "column_3": "9", "column_4": "10"}
    values = pa.concat_tables([c.table for c in chunks if c.table.num_rows]).to_pydict()
    assert values["a"] == ["1", "multi\nline", "", "11", "14"]
    assert values["c"][-1] in ("", None)  # a short line is padded


def test_an_extra_field_on_the_first_data_line_is_that_line_alone(tmp_path: Path) -> None:
    """pandas takes a first row longer than the header as an index column, shifting every
    column of the file; it must be one malformed line like any other."""
    path = tmp_path / "first.csv"
    path.write_text("a,b,c\n1,2,3,extra\n4,5,6\n", encoding="utf-8")
    chunks = _chunks(path, FileFormat("csv"))
    bad = [(b.line_number, b.detail) for c in chunks for b in c.bad_lines]
    values = pa.concat_tables([c.table for c in chunks if c.table.num_rows]).to_pydict()
    assert bad == [(2, "expected 3 fields, saw 4")]
    assert values == {"a": ["4"], "b": ["5"], "c": ["6"]}


def test_headerless_csv_gets_numbered_columns(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes("1;Österreich\n2;España\n".encode("latin-1"))
    chunks = _chunks(path, FileFormat("csv", "latin-1", ";", has_header=False))
    assert chunks[0].table.column_names == ["column_1", "column_2"]
    assert chunks[0].line_numbers.tolist() == [1, 2]
    assert chunks[0].table.column("column_2").to_pylist() == ["Österreich", "España"]


def test_equal_rows_hash_equal(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("a,b\n1,x\n2,x\n1,x\n", encoding="utf-8")
    (chunk,) = _chunks(path, FileFormat("csv"), rows=10)
    first, second, third = chunk.row_hashes.tolist()
    assert first == third != second


def test_excel_rows_keep_spreadsheet_numbers_and_skip_blank_rows(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "when", "qty"])
    sheet.append([17850.0, "2010-12-01", 6])
    sheet.append([None, None, None])
    sheet.append([13047, None, 2.5])
    book.save(tmp_path / "d.xlsx")
    chunks = _chunks(tmp_path / "d.xlsx", FileFormat("xlsx"), rows=1)
    assert np.concatenate([c.line_numbers for c in chunks]).tolist() == [2, 4]
    values = pa.concat_tables([c.table for c in chunks]).to_pydict()
    assert values == {"id": ["17850", "13047"], "when": ["2010-12-01", None],
                      "qty": ["6", "2.5"]}  # fmt: skip


def test_parquet_batches_are_numbered_from_1(tmp_path: Path) -> None:
    pq.write_table(pa.table({"a": list(range(5))}), tmp_path / "e.parquet")
    chunks = _chunks(tmp_path / "e.parquet", FileFormat("parquet"))
    assert np.concatenate([c.line_numbers for c in chunks]).tolist() == [1, 2, 3, 4, 5]
    assert chunks[0].table.column("a").type == pa.int64()


def test_reading_ahead_in_a_child_gives_the_same_chunks(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('a,b,c\n1,2,3\n"multi\nline",5,6\n7,8,9,10\n\n11,12,13\n14,15\n',
                    encoding="utf-8")  # fmt: skip
    here = _chunks(path, FileFormat("csv"))
    ahead = list(readers.read_chunks_ahead(path, FileFormat("csv"), chunk_rows=2))
    assert len(ahead) == len(here) == 3
    for mine, theirs in zip(here, ahead, strict=True):
        assert theirs.table.equals(mine.table)
        assert theirs.line_numbers.tolist() == mine.line_numbers.tolist()
        assert [(b.line_number, b.detail) for b in theirs.bad_lines] == [
            (b.line_number, b.detail) for b in mine.bad_lines
        ]
        assert theirs.progress == mine.progress
        if mine.row_hashes is not None:
            assert theirs.row_hashes.tolist() == mine.row_hashes.tolist()


def test_an_error_reading_ahead_is_raised_here_with_its_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n1,\xff\xfe\n")
    with pytest.raises(ImportFileError, match="is not valid utf-8"):
        list(readers.read_chunks_ahead(path, FileFormat("csv"), chunk_rows=2))


def test_closing_the_chunks_early_stops_the_reading_process(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("a,b\n" + "".join(f"{i},x\n" for i in range(10_000)), encoding="utf-8")
    chunks = readers.read_chunks_ahead(path, FileFormat("csv"), chunk_rows=10)
    assert next(chunks).line_numbers.tolist()[0] == 2
    (child,) = multiprocessing.active_children()
    chunks.close()
    assert not child.is_alive()
    assert multiprocessing.active_children() == []
