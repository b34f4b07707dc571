"""Read an order-lines file a chunk at a time, so memory stays bounded whatever its size: CSV
through pandas' C parser (chunksize), Excel through openpyxl's streaming read-only mode, Parquet
through pyarrow's record batches. Each chunk carries the line number of every row; CSV lines
with too many fields are reported, not dropped, so every row read is accounted for."""

from __future__ import annotations

import csv
import io
import multiprocessing
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from salesdw.load.errors import ImportFileError
from salesdw.load.formats import FileFormat

__all__ = ["BadLine", "RawChunk", "read_chunks", "read_chunks_ahead", "read_sample"]

CHUNK_ROWS = 100_000
_BAD_LINE = re.compile(r"Skipping line (\d+): (.*)")


@dataclass
class BadLine:
    """A CSV line the parser could not split into the header's columns."""

    line_number: int
    detail: str
    raw: dict[str, str] = field(default_factory=dict)


@dataclass
class RawChunk:
    """Rows as read: `table` holds every column (text for CSV and Excel, typed for Parquet),
    `line_numbers` each row's line; `bad_lines` the malformed lines met while reading it;
    `progress` how far through the file (bytes, or rows for Excel and Parquet)."""

    table: pa.Table
    line_numbers: np.ndarray
    bad_lines: list[BadLine]
    progress: int
    row_hashes: np.ndarray | None = None  # 64-bit hash of each row's raw values, when cheap


def hash_rows(table: pa.Table) -> np.ndarray:
    """A 64-bit hash of each row over all its text values (equal rows, equal hashes)."""
    hashes = np.zeros(table.num_rows, np.uint64)
    with np.errstate(over="ignore"):
        for column in table.columns:
            # each distinct value hashed once: dates, codes and countries repeat
            encoded = pc.dictionary_encode(column.combine_chunks())
            distinct = pd.util.hash_array(encoded.dictionary.to_numpy(zero_copy_only=False))
            hashes = hashes * np.uint64(1_000_003) ^ distinct[encoded.indices.to_numpy()]
    return hashes


class _Counting(io.RawIOBase):
    """A binary file that remembers how many bytes were read from it (for the progress bar)."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh, self.position = fh, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.fh.read(len(buffer))
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


def read_sample(path: Path, fmt: FileFormat, rows: int = 2_000) -> pa.Table:
    """The first rows, for detecting the mapping."""
    for chunk in read_chunks(path, fmt, chunk_rows=rows):
        return chunk.table
    return pa.table({})


def read_chunks(path: Path, fmt: FileFormat, chunk_rows: int = CHUNK_ROWS) -> Iterator[RawChunk]:
    if fmt.kind == "csv":
        yield from _csv_chunks(path, fmt, chunk_rows)
    elif fmt.kind == "xlsx":
        yield from _xlsx_chunks(path, chunk_rows)
    else:
        yield from _parquet_chunks(path, chunk_rows)


def read_chunks_ahead(
    path: Path, fmt: FileFormat, chunk_rows: int = CHUNK_ROWS
) -> Iterator[RawChunk]:
    """read_chunks in a forked child process that reads the next chunk while this one checks
    and stages the current one: parsing and the checks then run on two cores, without sharing
    one interpreter lock (a thread did not help). At most one chunk waits in the pipe. Reads
    here, as read_chunks, where processes cannot be forked."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from read_chunks(path, fmt, chunk_rows)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_chunks, args=(sender, path, fmt, chunk_rows),
                            name="salesdw-read", daemon=True)  # fmt: skip
    child.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                child.join()
                raise RuntimeError(
                    f"the process reading {path.name} stopped (exit code {child.exitcode}); "
                    "nothing was imported"
                ) from None
            if kind == "chunk":
                yield payload
            elif kind == "error":
                raise payload
            else:
                return
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def _send_chunks(sender, path: Path, fmt: FileFormat, chunk_rows: int) -> None:
    """The child's side of read_chunks_ahead: every chunk, then 'done' or the error met."""
    try:
        for chunk in read_chunks(path, fmt, chunk_rows):
            sender.send(("chunk", chunk))
        sender.send(("done", None))
    except BaseException as exc:  # handed to the parent, which raises it
        try:
            sender.send(("error", exc))
        except Exception:  # an error that cannot be pickled: its text
            sender.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        sender.close()


def size_of(path: Path, fmt: FileFormat) -> int:
    """What `progress` counts up to: bytes for CSV, rows for Excel and Parquet."""
    if fmt.kind == "parquet":
        return pq.ParquetFile(path).metadata.num_rows
    if fmt.kind == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            return workbook.worksheets[0].max_row or 0
        finally:
            workbook.close()
    return path.stat().st_size


def _column_names(count: int) -> list[str]:
    return [f"column_{i + 1}" for i in range(count)]


def _csv_chunks(path: Path, fmt: FileFormat, chunk_rows: int) -> Iterator[RawChunk]:
    header_lines = 1 if fmt.has_header else 0
    names = None
    if not fmt.has_header:
        with path.open(encoding=fmt.encoding, newline="") as fh:
            first = next(csv.reader(fh, delimiter=fmt.delimiter), [])
        names = _column_names(len(first))
    next_line = header_lines + 1
    pending_bad: list[BadLine] = []
    # pandas reads a first record longer than the header as an index column (shifting every
    # column) or, with index_col=False, cuts it short without a word: it is told apart here
    long_first = _long_first_record(path, fmt) if fmt.has_header else None
    with path.open("rb") as raw:
        counting = _Counting(raw)
        buffered = io.BufferedReader(counting, buffer_size=1 << 20)
        try:
            reader = pd.read_csv(
                buffered, sep=fmt.delimiter, encoding=fmt.encoding,
                header=0 if fmt.has_header else None, names=names, dtype=object,
                na_filter=False, keep_default_na=False, skip_blank_lines=False,
                on_bad_lines="warn", chunksize=chunk_rows, engine="c", index_col=False,
                encoding_errors="strict",
            )  # fmt: skip
            with reader:
                while True:
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always", pd.errors.ParserWarning)
                        try:
                            frame = next(reader)
                        except StopIteration:
                            frame = None
                    pending_bad.extend(_bad_lines(caught))
                    if frame is None:
                        break
                    if long_first is not None:  # the first record: a malformed line
                        frame = frame.iloc[1:]
                        pending_bad.append(long_first)
                        long_first = None
                    numbers, next_line, pending_bad, done = _number(
                        len(frame), next_line, pending_bad
                    )
                    values = [frame[name].to_numpy(dtype=object) for name in frame.columns]
                    table = _text_table(frame.columns, values)
                    yield RawChunk(table, numbers, done, counting.position, hash_rows(table))
        except pd.errors.EmptyDataError:
            raise ImportFileError(
                f"{path.name} has no columns: there is nothing to import"
            ) from None
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"{path.name} is not valid {fmt.encoding} (byte {exc.start}); give the right "
                "encoding in a mapping file (encoding: latin-1)"
            ) from None
        except pd.errors.ParserError as exc:
            first = str(exc).strip().splitlines()[0]
            raise ImportFileError(f"{path.name} cannot be read as CSV: {first}") from None
    if pending_bad:  # malformed lines after the last row
        yield RawChunk(pa.table({}), np.zeros(0, np.int64), pending_bad, counting.position)


def _long_first_record(path: Path, fmt: FileFormat) -> BadLine | None:
    """The first record after the header as a malformed line, when it has more fields than
    the header; None otherwise, or when the start cannot be read (pandas then says why)."""
    try:
        with path.open(encoding=fmt.encoding, newline="") as fh:
            records = csv.reader(fh, delimiter=fmt.delimiter)
            header = next(records, [])
            first = next(records, None)
    except (UnicodeDecodeError, csv.Error):
        return None
    if first is None or len(first) <= len(header):
        return None
    return BadLine(2, f"expected {len(header)} fields, saw {len(first)}")


def _bad_lines(caught: list[warnings.WarningMessage]) -> list[BadLine]:
    found = []
    for warning in caught:
        for line in str(warning.message).splitlines():
            match = _BAD_LINE.search(line)
            if match:
                found.append(BadLine(int(match.group(1)), match.group(2).strip()))
    return found


def _number(
    rows: int, next_line: int, pending: list[BadLine]
) -> tuple[np.ndarray, int, list[BadLine], list[BadLine]]:
    """Line numbers of the next `rows` good rows: the numbers from next_line on, skipping the
    malformed lines (which the parser counted). Returns them, the next number, the malformed
    lines still ahead, and those now passed."""
    skip = np.array(sorted(b.line_number for b in pending), dtype=np.int64)
    candidates = np.arange(next_line, next_line + rows + len(skip), dtype=np.int64)
    numbers = candidates[~np.isin(candidates, skip)][:rows]
    upto = int(numbers[-1]) + 1 if rows else next_line
    done = [b for b in pending if b.line_number < upto]
    ahead = [b for b in pending if b.line_number >= upto]
    return numbers, upto, ahead, done


def _text_table(names, values: list[np.ndarray]) -> pa.Table:
    return pa.table({str(name): pa.array(column, pa.string(), from_pandas=True)
                     for name, column in zip(names, values, strict=True)})  # fmt: skip


def fill_bad_lines(path: Path, fmt: FileFormat, bad: list[BadLine]) -> None:
    """Read the raw fields of malformed CSV lines (a second pass, only when there are some)."""
    wanted = {b.line_number: b for b in bad}
    if not wanted or fmt.kind != "csv":
        return
    csv.field_size_limit(sys.maxsize)
    last = max(wanted)
    with path.open(encoding=fmt.encoding, newline="") as fh:
        for number, row in enumerate(csv.reader(fh, delimiter=fmt.delimiter), start=1):
            if number in wanted:
                wanted[number].raw = {_column_names(len(row))[i]: v for i, v in enumerate(row)}
            if number >= last:
                break


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_chunks(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    """The first sheet, streamed; its first row is the header."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise ImportFileError(f"{path.name} cannot be read as an Excel workbook: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFileError(f"{path.name}: the first sheet is empty")
        names = _unique([_cell(v) or f"column_{i + 1}" for i, v in enumerate(header)])
        buffer: list[tuple] = []
        numbers: list[int] = []
        for number, row in enumerate(rows, start=2):
            if all(v is None or v == "" for v in row):
                continue  # blank rows are not rows
            buffer.append(row)
            numbers.append(number)
            if len(buffer) >= chunk_rows:
                yield _xlsx_chunk(names, buffer, numbers)
                buffer, numbers = [], []
        if buffer:
            yield _xlsx_chunk(names, buffer, numbers)
    finally:
        workbook.close()


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}.{seen[name] - 1}")
    return out


def _xlsx_chunk(names: list[str], rows: list[tuple], numbers: list[int]) -> RawChunk:
    columns = {
        name: pa.array([_cell(row[i]) if i < len(row) else None for row in rows], pa.string())
        for i, name in enumerate(names)
    }
    # cells right of the header's last column have no name: they are ignored
    return RawChunk(pa.table(columns), np.array(numbers, np.int64), [], numbers[-1])


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError on damaged files
        raise ImportFileError(f"{path.name} cannot be read as Parquet: {exc}") from None
    offset = 0
    for batch in parquet.iter_batches(batch_size=chunk_rows):
        table = pa.Table.from_batches([batch])
        table = table.rename_columns([str(name) for name in table.column_names])
        numbers = np.arange(offset + 1, offset + table.num_rows + 1, dtype=np.int64)
        offset += table.num_rows
        yield RawChunk(table, numbers, [], offset)
