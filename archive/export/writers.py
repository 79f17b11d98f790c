"""The file formats of a release: Parquet (zstd, typed), gzip JSON lines and CSV.

Each writer takes rows in release form (see ``archive.export.reading``) a batch at a time,
column by column, and writes them as they come. Every setting that shows in the bytes is fixed (Parquet
writer options, gzip without a name or time), so the same rows give the same file.
"""

from __future__ import annotations

import array
import csv
import gzip
import io
import itertools
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from archive.export.reading import Batch
from archive.export.resources import Field, Resource

FORMATS = ("parquet", "jsonl", "csv")
EXTENSIONS = {"parquet": ".parquet", "jsonl": ".jsonl.gz", "csv": ".csv"}
MEDIA_TYPES = {"parquet": "application/vnd.apache.parquet", "jsonl": "application/jsonl", "csv": "text/csv"}
# Level 1: compressing the bodies (nearly all of a release's bytes) is most of a Parquet export's
# work. Writing 12,000 synthetic articles took 0.68 s of CPU at level 1, 0.94 s at 2 and 1.32 s at 3,
# for files 31% and 6% larger than at 3; level 9 was slower still and held far more memory.
ZSTD_LEVEL = 1
# Level 3: on article text level 6 took 2.7x as long for files 7% smaller.
GZIP_LEVEL = 3
_LINK = pa.struct([("url", pa.string()), ("text", pa.string())])
ARROW_TYPES = {
    "integer": pa.int64(),
    "string": pa.string(),
    "text": pa.string(),
    "boolean": pa.bool_(),
    # Parquet keeps no whole-second unit; milliseconds are its coarsest.
    "beijing_time": pa.timestamp("ms", tz="+08:00"),
    "utc_time": pa.timestamp("ms", tz="UTC"),
    "strings": pa.list_(pa.string()),
    "links": pa.list_(_LINK),
    # Not a Parquet map: Hugging Face datasets cannot read one, and a map is stored as these pairs anyway.
    "shares": pa.list_(pa.struct([("field", pa.string()), ("share", pa.float64())])),
}


def arrow_schema(resource: Resource) -> pa.Schema:
    return pa.schema(
        [
            pa.field(f.name, ARROW_TYPES[f.kind], metadata={"description": f.description})
            for f in resource.fields
        ]
    )


def _utf8_array(values: list[bytes | None]) -> pa.Array:
    """A string array from UTF-8 bytes laid end to end: far faster than converting value by value."""
    if None in values:
        return pa.array(values, type=pa.binary()).cast(pa.string())
    # 32-bit offsets, as a string array has: a batch holds some tens of MB (reading.BATCH_BYTES).
    offsets = array.array("i", itertools.accumulate(map(len, values), initial=0))
    text = pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(b"".join(values)))
    text.validate(full=True)  # the bytes are UTF-8
    return text


def decoded(fields: tuple[Field, ...], columns: list[list[Any]]) -> list[list[Any]]:
    """The columns with ``text`` fields (read as UTF-8 bytes) as strings."""
    return [
        [None if value is None else value.decode("utf-8") for value in column] if f.kind == "text" else column
        for f, column in zip(fields, columns, strict=True)
    ]


def _arrow_column(field: Field, values: list[Any]) -> pa.Array:
    kind = field.kind
    if kind == "text":
        return _utf8_array(values)
    if kind in ("beijing_time", "utc_time"):
        # Times come as ISO 8601 text with their zone; Arrow parses a whole column at once.
        return pa.array(values, type=pa.string()).cast(ARROW_TYPES[kind])
    if kind == "links":
        values = [
            [{"url": link.get("url"), "text": link.get("text")} for link in links] if links else links
            for links in values
        ]
    elif kind == "shares":
        values = [
            None if shares is None else [{"field": k, "share": v} for k, v in sorted(shares.items())]
            for shares in values
        ]
    return pa.array(values, type=ARROW_TYPES[kind])


def _leaf_paths(name: str, kind: pa.DataType) -> list[str]:
    """The Parquet column paths of an Arrow field (a list of structs is several columns), by which
    the writer's per-column options name them."""
    if pa.types.is_list(kind):
        return _leaf_paths(f"{name}.list.element", kind.value_type)
    if pa.types.is_struct(kind):
        return [path for child in kind for path in _leaf_paths(f"{name}.{child.name}", child.type)]
    return [name]


def _summarized_columns(resource: Resource) -> list[str]:
    """The columns worth a dictionary and min/max statistics: all but long text, where every value
    differs (the dictionary is tried and dropped in every row group) and no reader skips row groups
    by their bounds."""
    return [
        path for f in resource.fields if f.kind != "text" for path in _leaf_paths(f.name, ARROW_TYPES[f.kind])
    ]


class ParquetPart:
    def __init__(self, path: Path, resource: Resource) -> None:
        self.resource = resource
        self.schema = arrow_schema(resource)
        summarized = _summarized_columns(resource)
        self.writer = pq.ParquetWriter(
            path,
            self.schema,
            compression="zstd",
            compression_level=ZSTD_LEVEL,
            use_dictionary=summarized,
            version="2.6",
            write_statistics=summarized,
            store_schema=True,
        )

    def write(self, batch: Batch) -> None:
        arrays = [
            _arrow_column(field, column)
            for field, column in zip(self.resource.fields, batch.columns, strict=True)
        ]
        # One batch is one row group: the same rows give the same groups.
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        self.writer.write_table(table, row_group_size=len(batch))

    def close(self) -> None:
        self.writer.close()


class JsonLinesPart:
    def __init__(self, path: Path, resource: Resource) -> None:
        self.fields = resource.fields
        self.names = resource.field_names
        self.raw = open(path, "wb")  # closed in close()
        # No file name and time 0 in the gzip header: the same rows give the same bytes.
        self.stream = gzip.GzipFile(
            filename="", mode="wb", fileobj=self.raw, mtime=0, compresslevel=GZIP_LEVEL
        )

    def write(self, batch: Batch) -> None:
        names, dumps = self.names, json.dumps
        rows = zip(*decoded(self.fields, batch.columns), strict=True)
        text = "".join([dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n" for row in rows])
        self.stream.write(text.encode("utf-8"))

    def close(self) -> None:
        self.stream.close()
        self.raw.close()


def _csv_column(field: Field, values: list[Any]) -> list[Any]:
    """A column as CSV cells: lists and objects as JSON text, booleans as true and false."""
    if field.kind in ("strings", "links", "shares"):
        return [None if value is None else json.dumps(value, ensure_ascii=False) for value in values]
    if field.kind == "boolean":
        return [None if value is None else ("true" if value else "false") for value in values]
    return values


class CsvPart:
    def __init__(self, path: Path, resource: Resource, excel: bool = False) -> None:
        self.fields = resource.fields
        # utf-8-sig starts the file with a byte order mark, which Excel needs to read UTF-8.
        self.handle: io.TextIOWrapper = open(
            path, "w", encoding="utf-8-sig" if excel else "utf-8", newline=""
        )
        self.writer = csv.writer(self.handle)
        self.writer.writerow(resource.field_names)

    def write(self, batch: Batch) -> None:
        columns = [
            _csv_column(f, values)
            for f, values in zip(self.fields, decoded(self.fields, batch.columns), strict=True)
        ]
        self.writer.writerows(zip(*columns, strict=True))

    def close(self) -> None:
        self.handle.close()


def open_part(
    fmt: str, path: Path, resource: Resource, excel: bool = False
) -> ParquetPart | JsonLinesPart | CsvPart:
    if fmt == "parquet":
        return ParquetPart(path, resource)
    if fmt == "jsonl":
        return JsonLinesPart(path, resource)
    return CsvPart(path, resource, excel=excel)
