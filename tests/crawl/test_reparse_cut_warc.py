"""A WARC file cut short inside a record, as a crawler killed in the middle of a write leaves it:
reparse reads the records before the cut and never takes the cut one for a page."""

from __future__ import annotations

import random

import pytest

from crawler.reparse import index_warc_responses, warc_files
from crawler.warc import WarcLocation, WarcRecorder, read_response

FIRST, SECOND = (
    "https://www.example.cn/n1/2026/0101/c1-1.html",
    "https://www.example.cn/n1/2026/0101/c1-1-2.html",
)


def page(seed: int) -> bytes:
    # Characters at random, so that gzip keeps the record long enough to cut in its middle.
    rnd = random.Random(seed)
    text = "".join(chr(0x4E00 + rnd.randrange(3000)) for _ in range(3000))
    return f"<html><body><div class='text'>{text}</div></body></html>".encode()


def record(recorder: WarcRecorder, url: str, body: bytes) -> WarcLocation:
    return recorder.write(
        url=url,
        status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=body,
        method="GET",
        request_headers=[("User-Agent", "orgnews-test")],
        request_body=None,
    )


def two_workers(folder) -> tuple[WarcRecorder, WarcRecorder]:
    """Two cluster workers' recorders, the second started no earlier: where both fetched a page,
    its record is the one reparse takes."""
    return WarcRecorder(folder, prefix="w1-site"), WarcRecorder(folder, prefix="w2-site")


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.98], ids=["headers", "body", "trailer"])
def test_a_record_cut_short_is_left_out_for_the_whole_one_of_another_fetch(tmp_path, keep, caplog):
    earlier, later = two_workers(tmp_path)
    whole = record(earlier, SECOND, page(2))
    earlier.close()
    record(later, FIRST, page(1))
    cut = record(later, SECOND, page(2))
    later.close()
    path = tmp_path / cut.file
    data = path.read_bytes()
    path.write_bytes(data[: cut.offset + int(cut.length * keep)])

    with caplog.at_level("WARNING", logger="crawler.reparse"):
        index = index_warc_responses(warc_files([tmp_path]))
    assert index[SECOND] == whole
    assert read_response(tmp_path, index[SECOND]).body == page(2)
    # The record before the cut is still read.
    assert index[FIRST].file == cut.file and read_response(tmp_path, index[FIRST]).body == page(1)
    assert [r.message for r in caplog.records if cut.file in r.message and "ends inside" in r.message]


def test_a_page_only_in_a_cut_record_is_not_in_the_index(tmp_path):
    recorder = WarcRecorder(tmp_path, prefix="w3-site")
    first = record(recorder, FIRST, page(1))
    cut = record(recorder, SECOND, page(2))
    recorder.close()
    path = tmp_path / cut.file
    path.write_bytes(path.read_bytes()[: cut.offset + cut.length // 2])
    index = index_warc_responses(warc_files([tmp_path]))
    assert index == {FIRST: first}
