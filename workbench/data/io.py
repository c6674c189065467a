"""All file and database reading and writing of tables and results: CSV, Excel, Parquet, DuckDB,
JSON, and the configuration YAML files (``read_yaml``, ``read_yaml_with_lines``).

Reading (``read_table``): CSV in UTF-8, UTF-8 with BOM, UTF-16 with BOM or GBK / GB18030 (detected with
charset-normalizer, or named with ``encoding``), Excel workbooks (``.xlsx``/``.xlsm``, first sheet
or ``sheet``, read by calamine, a Rust reader several times faster than openpyxl on large order
exports), Parquet and DuckDB. Numbers written with thousands separators
(``1,944``, ``¥1,944.50``) become numbers; header names may be in any language and are trimmed of
surrounding spaces; a header named twice is refused.

Writing (``write_table``, ``write_json``): atomically (a reader never sees half a file, a failed
write leaves the old file), with the permissions a new file of the user gets (``0666 & ~umask``).
``refuse_overwrite`` stops a command from writing its output over one of its inputs.
"""

from __future__ import annotations

import codecs

import csv
import io
import json
import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Collection, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.errors import ConfigError, DataValidationError, ParameterError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
DUCKDB_SUFFIXES = {".duckdb", ".db", ".ddb"}
WRITE_SUFFIXES = (".csv", ".xlsx", ".parquet")
# What a CSV that is not UTF-8 is tried as when detection gives no answer: GB18030 is a superset
# of GBK and GB2312, the encodings of Chinese Windows and of most Chinese platforms' exports.
FALLBACK_ENCODINGS = ("gb18030",)
_DETECT_BYTES = 1_000_000  # detection reads the first whole lines of up to 1 MB; decoding is strict on all
_CHINESE_CODECS = {"gb2312", "gbk", "gb18030", "cp936"}
_NUMBER = re.compile(r"^\s*[¥￥]?\s*[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*$")
_SEPARATED = re.compile(r"[,¥￥]")


def read_table(source: str | Path, *, encoding: str | None = None, sheet: str | int | None = None,
               table: str | None = None, query: str | None = None,
               text_columns: Collection[str] | bool = (), fields: Collection[str] = ()) -> pd.DataFrame:
    """Read a table from CSV, Excel, Parquet or DuckDB, by the file's suffix.

    Parameters
    ----------
    source: path of a ``.csv``/``.txt``/``.tsv`` (``.tsv`` is tab-separated), ``.xlsx``/``.xlsm``,
        ``.parquet``/``.pq`` or DuckDB (``.duckdb``/``.db``/``.ddb``) file.
    encoding: CSV only: a Python codec name (``gbk``, ``gb18030``, ``utf-8``...) that overrides
        detection. Without it UTF-8 (with or without BOM) is tried first, then GB18030 (the
        superset of GBK) when it decodes strictly to common Chinese text, then the encoding
        charset-normalizer detects (GB18030 whenever it is among the plausible encodings: short
        files are ambiguous between the East Asian double-byte encodings).
    sheet: Excel only: sheet name or 0-based position (default: the first sheet).
    table, query: DuckDB only: exactly one, a table or view name or an SQL query.
    text_columns: columns kept as text exactly as written (SKU codes with leading zeros, long
        order numbers), or ``True`` for every column; other columns get their inferred types.
    fields: the columns the reader knows, by its own names: a header that is an alias of one of
        them (``商品ID`` for ``sku``: ``workbench.data.headers``, the one mapping) is renamed to it,
        ``attrs["renamed"]`` saying which; ``text_columns`` apply under either name.

    Returns the frame; ``attrs["source"]`` names where it came from, a CSV's ``attrs["encoding"]``
    the codec it was read with (``encoding_hint`` uses it), and ``attrs["csv_rows"]`` is true when
    the row labelled ``i`` is line ``i + 2`` of the file (CSV) or row ``i + 2`` of the sheet
    (Excel), so errors can name it (see ``workbench.data.validate.describe_rows``); a CSV
    with blank lines or line breaks inside quoted fields is labelled by each record's first line. Object columns whose
    every value is a number, some with thousands separators or a ¥ sign, become numbers.

    Raises ``DataValidationError`` naming the file: not found, unknown type, undecodable (with
    the encodings tried and how to re-save), unknown sheet or table, a header named twice, or the
    parser's own message, two headers naming one of ``fields``; ``ParameterError`` for options
    that do not fit the file type.
    """
    from workbench.data.headers import aliases_of, standard_headers

    path = Path(source)
    if not path.exists():
        looked = "" if path.is_absolute() else f" (looked for {path.absolute()})"
        raise DataValidationError(f"{path}: file not found{looked}; check the path")
    if path.is_dir():
        raise DataValidationError(f"{path}: is a folder, not a table file")
    suffix = path.suffix.lower()
    if path.name.lower().endswith(".csv.gz"):
        suffix = ".csv.gz"
    is_csv = suffix in CSV_SUFFIXES or suffix == ".csv.gz"
    if encoding is not None and not is_csv:
        raise ParameterError(f"{path}: --encoding applies to CSV files only; {suffix} files carry "
                             f"their own encoding")
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        raise ParameterError(f"{path}: --sheet applies to Excel workbooks (.xlsx) only")
    if (table or query) and suffix not in DUCKDB_SUFFIXES:
        raise ParameterError(f"{path}: --table / --query apply to DuckDB files only")
    text = {"all": True} if text_columns is True else \
        {"some": {a for c in text_columns or () for a in (aliases_of(c) if fields else (c,))}}
    try:
        if is_csv:
            frame = _read_csv(path, encoding, text, sep="\t" if suffix == ".tsv" else ",")
        elif suffix in EXCEL_SUFFIXES:
            frame = _read_excel(path, sheet, text)
        elif suffix in PARQUET_SUFFIXES:
            frame = pd.read_parquet(path)
        elif suffix in DUCKDB_SUFFIXES:
            frame = _read_duckdb(path, table=table, query=query)
        elif suffix == ".xls":
            raise DataValidationError(
                f"{path}: the old Excel format .xls is not read; open it in Excel or WPS and save "
                f"it as .xlsx (Excel Workbook) or CSV UTF-8")
        else:
            raise DataValidationError(
                f"{path}: unknown file type {suffix!r}; use .csv, .xlsx, .parquet or a DuckDB file "
                f"({', '.join(sorted(DUCKDB_SUFFIXES))})")
    except (DataValidationError, ParameterError):
        raise
    except Exception as exc:  # parser errors carry the library's own detail
        raise DataValidationError(f"{path}: cannot be read: {exc}") from exc
    frame.columns = [c.strip() if isinstance(c, str) else c for c in frame.columns]
    _refuse_repeated_headers(frame.columns, path)
    if fields:
        frame = standard_headers(frame, fields, str(path))
    unnamed = [c for c in frame.columns if isinstance(c, str) and c.startswith("Unnamed:") or c == ""]
    if len(unnamed) >= 2 and len(unnamed) * 2 > len(frame.columns):
        raise DataValidationError(
            f"{path}: the first row is not a header: {len(unnamed)} of {len(frame.columns)} columns have "
            f"no name (headers read: {[str(c) for c in frame.columns][:8]}). If the file starts with a "
            f"title or notes, delete the rows above the header")
    keep_text = set(frame.columns) if "all" in text else text["some"]
    for column in frame.columns:
        if is_csv and _is_text(frame[column]):
            frame[column] = _unwrapped_excel_text(frame[column])
        if column not in keep_text and _is_text(frame[column]):
            frame[column] = _separated_numbers(frame[column])
    label = str(path)
    if sheet is not None:
        label = f"{path} (sheet {sheet!r})"
    elif table or query:
        label = f"{path} ({table or query})"
    frame.attrs["source"] = label
    frame.attrs["csv_rows"] = is_csv or suffix in EXCEL_SUFFIXES
    if suffix in EXCEL_SUFFIXES:
        frame.attrs["row_word"] = "sheet row"
    return frame


def decode_bytes(data: bytes, *, source: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file's bytes; returns ``(text, encoding used)``.

    With ``encoding``, that codec strictly. Otherwise UTF-16 when the bytes start with its byte
    order mark (Excel's and WPS's "Unicode text" export), UTF-8 (a leading BOM is dropped), then
    GB18030 when it decodes strictly to common Chinese text (``reads_as_chinese``), then GB18030
    if charset-normalizer finds it plausible, else its best guess, then GB18030. A file in a
    Korean or Traditional Chinese double-byte encoding may read as GB18030: name it. Raises
    ``DataValidationError`` listing the encodings tried and how to re-save the file.
    """
    if encoding is not None:
        try:
            codec = "utf-8-sig" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else encoding
            return data.decode(codec), encoding
        except LookupError:
            raise ParameterError(f"--encoding {encoding!r} is not a known encoding; use e.g. utf-8, "
                                 f"gbk or gb18030") from None
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise DataValidationError(
                f"{source}: line {line} is not valid {encoding} (byte {exc.start}); check --encoding "
                f"or leave it out to detect the encoding") from None
    # a UTF-16 byte order mark is unambiguous: Excel's and WPS's "Unicode text" exports (trial 12 F5)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataValidationError(
                f"{source}: starts with a UTF-16 byte order mark but is not valid UTF-16 (byte {exc.start}); "
                f"re-save it as 'CSV UTF-8', or name its encoding with --encoding") from None
    tried = ["utf-8"]
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Detectors rank single-byte code pages (Cyrillic ptcp154, cp1251) first for a GBK file whose
    # only Chinese is a header and a few repeated names; a strict GB18030 reading that is common
    # Chinese text is what a Chinese export is.
    tried.append("gb18030")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and reads_as_chinese(text):
        return text, "gb18030"
    from charset_normalizer import from_bytes

    sample = data if len(data) <= _DETECT_BYTES else data[: data.rfind(b"\n", 0, _DETECT_BYTES) + 1 or _DETECT_BYTES]
    plausible = [match.encoding.lower().replace("-", "_") for match in from_bytes(sample)]
    # Short files are ambiguous between the East Asian double-byte encodings (a two-line GBK file
    # may rank Big5 or CP949 first): a Chinese export is GB18030 whenever that is plausible.
    candidates = ["gb18030"] if _CHINESE_CODECS & set(plausible) else plausible[:1]
    candidates += [c for c in FALLBACK_ENCODINGS if c not in candidates]
    for codec in candidates:
        if codec not in tried:
            tried.append(codec)
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise DataValidationError(
        f"{source}: cannot be decoded as text; tried {', '.join(tried)}. Re-save it as "
        f"'CSV UTF-8' (Excel: File > Save As > CSV UTF-8; WPS: 另存为 CSV, 编码 UTF-8), or name "
        f"its encoding with --encoding")


def encoding_hint(frame: pd.DataFrame, otherwise: str) -> str:
    """The advice for a missing-column error on ``frame`` (as ``read_table`` returns it).

    When the first sheet of a workbook of several was read (no sheet named), says which and how
    to name another (trial 10 F9: a notes sheet first); a first sheet of more than two columns
    (a table of its own: the data with a column misnamed) gets ``otherwise`` first and no other
    sheet named as an example (the re-check of trial 10: "e.g. --sheet 说明" pointed at its notes). When a CSV was read in an encoding other
    than UTF-8 and its header has non-ASCII names that
    read as UTF-8 or as common Chinese in GBK, says so, shows the names so read and the
    ``--encoding`` to add; with other non-ASCII names, says which encoding was used and how to
    name another, then ``otherwise``; else ``otherwise`` (e.g. "Check --date-col ...").
    """
    sheets = frame.attrs.get("sheets")
    if sheets and len(sheets[1]) > 1 and not sheets[2]:  # a workbook of several sheets, the first one read
        chosen, names, _ = sheets
        others = [n for n in names if n != chosen]
        if len(frame.columns) > 2:  # a table of its own (the data, a column misnamed): the advice first
            return (f"{otherwise} (It read sheet {chosen!r}, the first of the workbook's {names}; if the data is on "
                    f"another, name it with --sheet.)")
        return (f"It read sheet {chosen!r}, the first of the workbook's {names}; if the data is on another, name it "
                f"with --sheet (e.g. --sheet {others[0]}). {otherwise}")
    used = frame.attrs.get("encoding")
    names = [str(c) for c in frame.columns]
    if not used or used.lower().replace("_", "-") in {"utf-8", "utf8"} or all(n.isascii() for n in names):
        return otherwise
    how = f"the file was read as {used} ({'named by --encoding' if frame.attrs.get('encoding_given') else 'detected'})"
    for codec, flag in (("utf-8", "utf-8"), ("gb18030", "gbk")):
        if codec == used.lower().replace("_", ""):
            continue
        try:
            other = [n.encode(used).decode(codec) for n in names]
        except (UnicodeError, LookupError):
            continue
        if other != names and (codec == "utf-8" or reads_as_chinese("".join(other))):
            return (f"The header looks mis-decoded: {how}; as {flag} it reads {other}. "
                    f"Use --encoding {flag}.")
    return (f"{how[0].upper()}{how[1:]}; if the names above are garbled, name the file's "
            f"encoding with --encoding gbk, gb18030 or utf-8. {otherwise}")


def reads_as_chinese(text: str) -> bool:
    """Whether ``text``'s non-ASCII characters are mostly common Chinese: at least 90% in GB2312
    (the 6,763 common hanzi and full-width punctuation) and at least half CJK ideographs. Text
    mis-decoded into Chinese codes lands mostly in GBK's rare extension areas or elsewhere."""
    counts = Counter(c for c in text if ord(c) > 127 and c != "\ufeff")
    total = sum(counts.values())
    if not total:
        return False
    hanzi = sum(n for c, n in counts.items() if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf")
    common = sum(n for c, n in counts.items() if _in_gb2312(c))
    return common >= 0.9 * total and hanzi >= 0.5 * total


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _read_csv(path: Path, encoding: str | None, text: dict, *, sep: str) -> pd.DataFrame:
    raw = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        import gzip

        raw = gzip.decompress(raw)
    content, used = decode_bytes(raw, source=str(path), encoding=encoding)
    if not content.strip():
        raise DataValidationError(f"{path}: the file is empty; it needs a header line and rows")
    first_line = content.lstrip("\ufeff").split("\n", 1)[0]
    if "," not in first_line:  # Excel's "Unicode Text" is tab-separated; European CSV uses ";"
        sep = "\t" if "\t" in first_line else ";" if ";" in first_line else sep
    header = next(csv.reader(io.StringIO(first_line), delimiter=sep))
    _refuse_repeated_headers([h.strip() for h in header], path)
    dtype = str if "all" in text else {c: str for c in header if c.strip() in text["some"]} or None
    content = content.lstrip("\ufeff")
    frame = pd.read_csv(io.StringIO(content), sep=sep, dtype=dtype, skipinitialspace=True)
    lines = content.count("\n") + (not content.endswith("\n"))
    if lines != len(frame) + 1:  # blank lines or quoted line breaks: index rows by their file line
        starts = _record_start_lines(content, sep)
        if len(starts) == len(frame):
            frame.index = pd.Index(np.asarray(starts) - 2)
    frame.attrs["encoding"] = used
    frame.attrs["encoding_given"] = encoding is not None
    return frame


def _record_start_lines(content: str, sep: str) -> list[int]:
    """The file line on which each data record starts (the header's line excluded)."""
    reader = csv.reader(io.StringIO(content), delimiter=sep)
    starts, seen_header = [], False
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return starts
        except csv.Error:
            return []
        if not any(field.strip() for field in record):
            continue
        if seen_header:
            starts.append(start)
        seen_header = True


def _read_excel(path: Path, sheet: str | int | None, text: dict) -> pd.DataFrame:
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:
        raise DataValidationError(f"{path}: is not a readable .xlsx workbook ({exc}); open it in "
                                  f"Excel or WPS and save it again as .xlsx") from exc
    with book:
        names = book.sheet_names
        if sheet is None:
            chosen = names[0]
        elif sheet in names:
            chosen = sheet
        elif isinstance(sheet, int) or str(sheet).isdigit():
            position = int(sheet)
            if not 0 <= position < len(names):
                raise DataValidationError(f"{path}: no sheet number {position} (0-based); it has {names}")
            chosen = names[position]
        else:
            raise DataValidationError(f"{path}: no sheet {sheet!r}; it has {names}")
        if "all" in text:
            dtype = str
        else:
            header = pd.read_excel(book, sheet_name=chosen, nrows=0).columns
            dtype = {c: str for c in header if str(c).strip() in text["some"]} or None
        frame = pd.read_excel(book, sheet_name=chosen, dtype=dtype)
    if frame.empty and len(frame.columns) == 0:
        raise DataValidationError(f"{path}: sheet {chosen!r} is empty")
    frame.attrs["sheets"] = (chosen, list(names), sheet is not None)  # for encoding_hint: which sheet was read
    return frame


def _refuse_repeated_headers(columns, path: Path) -> None:
    seen, repeated = set(), []
    for name in columns:
        if name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    if repeated:
        raise DataValidationError(f"{path}: the header names {repeated} more than once; give each "
                                  f"column its own name")


def _is_text(column: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)


def _separated_numbers(column: pd.Series) -> pd.Series:
    """A text column whose every value is a number, some written ``1,944`` or ``¥12.50``, as
    numbers; any other column unchanged."""
    values = column.dropna()
    if values.empty or not all(isinstance(v, str) for v in values):
        return column
    values = values.astype(str)
    if not values.str.contains(_SEPARATED).any() or not values.str.match(_NUMBER).all():
        return column
    return parse_numbers(column)


def parse_numbers(column: pd.Series) -> pd.Series:
    """Numbers from a column that may hold text like ``1,944``, ``¥1,944.50`` or `` 12 ``;
    values that are not numbers become NaN (callers report them)."""
    if not _is_text(column):
        return pd.to_numeric(column, errors="coerce")

    def plain(value):
        if isinstance(value, str) and _NUMBER.match(value):
            return re.sub(r"[,¥￥\s]", "", value)
        return value

    return pd.to_numeric(column.map(plain), errors="coerce")


def _read_duckdb(path: Path, *, table: str | None, query: str | None) -> pd.DataFrame:
    import duckdb

    if bool(table) == bool(query):
        raise DataValidationError(f"{path}: a DuckDB source needs exactly one of --table or --query")
    with duckdb.connect(str(path), read_only=True) as con:
        if table:
            names = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
            if table not in names:
                raise DataValidationError(
                    f"{path}: no table or view {table!r}; it has {sorted(names)}")
            return con.execute(f'select * from "{table}"').df()
        return con.execute(query).df()


def _user_file_mode() -> int:
    """The permission bits a new file gets under the process's umask (``0o666 & ~umask``)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_output(path: str | Path):
    """Yield a temporary path beside ``path``; on success give it the user's usual file mode
    (``0666 & ~umask``) and rename it onto ``path`` (readers never see a half-written file), on
    failure remove it and leave any existing file untouched."""
    path = Path(path)
    if path.is_dir():
        raise ParameterError(f"{path}: is a folder; give a file name for the output")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ParameterError(f"{path}: cannot be written, {path.parent} is a file, not a folder") from None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, _user_file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def refuse_overwrite(output: str | Path | None, *inputs: str | Path | None, flag: str = "--out") -> None:
    """Raise ``ParameterError`` when ``output`` is the same file as one of ``inputs``.

    Paths are compared after resolving symlinks and ``..``, and by device and inode when both
    exist (hard links); ``None`` entries are ignored. Call it before any work is done.
    """
    if output is None:
        return
    out = Path(output)
    for given in inputs:
        if given is None:
            continue
        source = Path(given)
        same = out.resolve() == source.resolve()
        if not same and out.exists() and source.exists():
            try:
                same = os.path.samefile(out, source)
            except OSError:
                same = False
        if same:
            raise ParameterError(f"{flag} {output} is the input file {given}; the command would "
                                 f"overwrite its own input. Write the output to another path")


# a text cell Excel would read as a number and change: 12 or more digits (shown as 3.7E+18, kept
# to 15 significant digits: the 19-digit 抖店/快手/视频号 product IDs merge) or a leading zero
_EXCEL_NUMBER_LIKE = re.compile(r"^(\d{12,}|0\d+)$")
_EXCEL_TEXT_FORMULA = re.compile(r'^="(.*)"$')


def excel_safe_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for a CSV that Excel or WPS opens: each text cell of digits that Excel would read
    as a number and change (``_EXCEL_NUMBER_LIKE``: a 19-digit product ID, a code with a leading
    zero) is written as the text formula ``="3700000000000665924"``, which Excel and WPS show as
    the text itself (Microsoft's documented way to keep a CSV field as text). Number columns and
    other text are unchanged; ``read_table`` reads such cells back as their text. Returns a copy
    where a cell changes, else ``frame``."""
    out = frame
    for column in frame.columns:
        values = frame[column]
        if not _is_text(values):
            continue
        text = values.astype("string")
        hit = text.str.fullmatch(_EXCEL_NUMBER_LIKE.pattern).fillna(False).to_numpy(bool)
        if hit.any():
            out = out.copy() if out is frame else out
            out[column] = values.astype(object).where(~hit, ('="' + text + '"').astype(object))
    return out


def _unwrapped_excel_text(values: pd.Series) -> pd.Series:
    """A CSV column with Excel's text formulas (``="00123"``, as ``excel_safe_text`` writes) read
    as their text."""
    text = values.astype("string")
    inner = text.str.extract(_EXCEL_TEXT_FORMULA, expand=False)
    if inner.isna().all():
        return values
    return values.where(inner.isna(), inner.astype(object))


def write_table(frame: pd.DataFrame, path: str | Path, *, excel_csv: bool = False,
                date_name: str | None = None, decimals: Mapping[str, int] | None = None,
                encoding: str | None = None) -> Path:
    """Write ``frame`` atomically as CSV, Excel or Parquet, by the suffix of ``path``.

    Parameters
    ----------
    frame: the table; its index is not written.
    path: ``.csv`` (UTF-8), ``.xlsx`` (one sheet, dates as YYYY-MM-DD) or ``.parquet``/``.pq``.
    excel_csv: CSV only: write UTF-8 with a BOM, so Excel opens Chinese text ungarbled, and long
        digit codes as text (``excel_safe_text``: a 19-digit product ID would lose its last digits).
    encoding: CSV only: another encoding (e.g. ``gbk``, as Chinese Windows tools write); default
        UTF-8. Not with ``excel_csv``.
    date_name: rename the ``ds`` column to this name (e.g. the input's own date column); the
        default keeps ``ds``, the name other tools read.
    decimals: column -> decimals to round to (units: 0 or 1, money in CNY: 2); columns not named
        keep full precision.

    Dates at midnight are written as ``YYYY-MM-DD``. Returns the path. Raises ``ParameterError``
    for an unknown suffix, ``excel_csv`` on a non-CSV file, an unknown ``decimals`` column or a
    ``date_name`` that clashes with another column.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    kind = ("csv" if suffix in {".csv", ".txt"} else "xlsx" if suffix == ".xlsx"
            else "parquet" if suffix in PARQUET_SUFFIXES else None)
    if kind is None:
        raise ParameterError(f"{path}: unknown output type {suffix or '(no suffix)'!r}; end the name "
                             f"with {', '.join(WRITE_SUFFIXES)}")
    if (excel_csv or encoding) and kind != "csv":
        raise ParameterError(f"{path}: {'--excel-csv' if excel_csv else 'an encoding'} applies to .csv outputs only")
    if excel_csv and encoding:
        raise ParameterError("--excel-csv writes UTF-8 with BOM; leave out the other encoding")
    out = frame
    if decimals:
        unknown = [c for c in decimals if c not in out.columns]
        if unknown:
            raise ParameterError(f"cannot round {unknown}: no such column in {list(out.columns)}")
        out = out.round(dict(decimals))
    if date_name is not None and date_name != "ds" and "ds" in out.columns:
        if date_name in out.columns:
            raise ParameterError(f"cannot rename ds to {date_name!r}: the table already has that column")
        out = out.rename(columns={"ds": date_name})
    with atomic_output(path) as tmp:
        if kind == "parquet":
            out.to_parquet(tmp, index=False)
        elif kind == "xlsx":
            with pd.ExcelWriter(tmp, engine="openpyxl", date_format="YYYY-MM-DD",
                                datetime_format="YYYY-MM-DD HH:MM:SS") as writer:
                _dates_as_dates(out).to_excel(writer, index=False, sheet_name="data")
        else:
            (excel_safe_text(out) if excel_csv else out).to_csv(
                tmp, index=False, encoding="utf-8-sig" if excel_csv else encoding or "utf-8")
    return path


def _dates_as_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns whose values are all at midnight as dates, so a sheet shows YYYY-MM-DD."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_datetime64_any_dtype(values) and values.dt.tz is None:
            if (values.dropna() == values.dropna().dt.normalize()).all():
                out[column] = values.dt.date
    return out


def json_ready(value):
    """``value`` with numpy scalars as Python numbers and NaN / infinity as None (JSON null)."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(data, path: str | Path) -> Path:
    """Write ``data`` as indented UTF-8 JSON (see ``json_ready``), atomically."""
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(json_ready(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n",
                       encoding="utf-8")
    return Path(path)


# YAML: every configuration file (budget scenarios, event calendars, report manifests, order
# mappings) is read here, with a size limit, a limit on aliases (a "billion laughs" file is refused
# instead of expanded), duplicate keys refused, and errors naming the file and line.
MAX_YAML_BYTES = 1_000_000  # configuration files are a few kB
MAX_YAML_VALUES = 100_000  # values built from one file, aliases expanded
MAX_YAML_ALIASES = 100  # aliases to mappings or lists


@dataclass(frozen=True)
class Location:
    """Where a value was written: file (absolute path) and 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


def display_path(path: str | Path) -> str:
    """``path`` relative to the working directory when it is below it, else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_yaml(path: str | Path, *, max_bytes: int = MAX_YAML_BYTES, what: str = "file",
              key_types: tuple[type, ...] = (str,)):
    """Parse a YAML file into plain Python values, safely (see ``read_yaml_with_lines``)."""
    return read_yaml_with_lines(path, max_bytes=max_bytes, what=what, key_types=key_types)[0]


def read_yaml_with_lines(path: str | Path, *, max_bytes: int = MAX_YAML_BYTES, what: str = "file",
                         key_types: tuple[type, ...] = (str,)) -> tuple[object, dict[tuple, Location]]:
    """Parse a YAML file into plain Python values and a map ``key path -> Location``.

    Key paths are tuples of mapping keys and list indices from the document root; the root
    itself is ``()``. Only YAML's safe types are built. ``what`` names the kind of file in
    messages ("scenario", "mapping"...); ``key_types`` the types mapping keys may have (text
    only by default; a calendar file also keys years by number).

    Raises ``ConfigError`` naming the file (and line where there is one): not found, larger than
    ``max_bytes``, not UTF-8 (a BOM is fine), empty, invalid YAML, a duplicate key (PyYAML would
    silently keep the last), a non-text key, more than ``MAX_YAML_ALIASES`` aliases to mappings
    or lists, or more than ``MAX_YAML_VALUES`` values once aliases are expanded, or a value
    YAML cannot build (an impossible date such as ``2025-02-30``).
    """
    import yaml

    path = Path(path)
    name = display_path(path)
    if not path.is_file():
        raise ConfigError(f"{name}: file not found" if not path.exists() else f"{name}: not a file")
    size = path.stat().st_size
    if size > max_bytes:
        raise ConfigError(f"{name}: the file has {size:,} bytes, more than a {what}'s limit of "
                          f"{max_bytes:,}; is it the right file?")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text (byte {exc.start}); save the {what} as UTF-8") from None
    loader = yaml.SafeLoader(text)
    locations: dict[tuple, Location] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError(f"{name}: the file is empty")
        locations[()] = Location(path.resolve(), node.start_mark.line + 1)
        data = _build_yaml(loader, node, (), path.resolve(), locations, _YamlBudget(name, what, key_types))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: not valid YAML: {problem}") from exc
    finally:
        loader.dispose()
    return data, locations


class _YamlBudget:
    """Counts the values built from one YAML file and the aliases (``*name``) followed, so that
    a file whose aliases multiply (a "billion laughs" bomb) is refused instead of expanded."""

    def __init__(self, name: str, what: str, key_types: tuple[type, ...] = (str,)):
        self.name = name
        self.key_types = key_types
        self.what = what
        self.values = 0
        self.aliases = 0
        self.seen: set[int] = set()

    def visit(self, node) -> None:
        import yaml

        self.values += 1
        if id(node) in self.seen and not isinstance(node, yaml.ScalarNode):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise ConfigError(f"{self.name}:{node.start_mark.line + 1}: more than {MAX_YAML_ALIASES} "
                                  f"aliases (*name) to mappings or lists; write the values out")
        self.seen.add(id(node))
        if self.values > MAX_YAML_VALUES:
            raise ConfigError(f"{self.name}:{node.start_mark.line + 1}: more than {MAX_YAML_VALUES:,} values "
                              f"(aliases multiply them); a {self.what} is far smaller")


def _build_yaml(loader, node, path: tuple, file: Path, locations: dict, budget: _YamlBudget) -> object:
    import yaml

    budget.visit(node)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            name = display_path(file)
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConfigError(f"{name}:{line}: keys must be text, got a {key_node.id}")
            key = _scalar(loader, key_node, name)
            if not isinstance(key, budget.key_types) or isinstance(key, bool):
                raise ConfigError(f"{name}:{line}: keys must be text, got {key!r}")
            if key in out:
                first = locations[path + (key,)].line
                raise ConfigError(f"{name}:{line}: {'.'.join(map(str, path + (key,)))}: duplicate key "
                                  f"(first written on line {first}); keep one")
            locations[path + (key,)] = Location(file, line)
            out[key] = _build_yaml(loader, value_node, path + (key,), file, locations, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        out = []
        for i, item in enumerate(node.value):
            locations[path + (i,)] = Location(file, item.start_mark.line + 1)
            out.append(_build_yaml(loader, item, path + (i,), file, locations, budget))
        return out
    return _scalar(loader, node, display_path(file))


def _scalar(loader, node, name: str):
    """A scalar built by YAML's safe rules; a value they cannot build (``2025-02-30`` matches
    the date pattern, then fails) is a ``ConfigError`` at its line, not a raw ValueError."""
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:
        raise ConfigError(f"{name}:{node.start_mark.line + 1}: {node.value!r} is not a valid value "
                          f"({exc}); write dates as real dates (YYYY-MM-DD)") from None
