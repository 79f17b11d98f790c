"""``orgnews extract`` as a user runs it: the real command in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crawler.extract import ARTICLE_FIELDS
from tests.conftest import ROOT, run_cli

PAGES = ROOT / "tests" / "pages"
SEED = PAGES / "seed" / "dangqi-piaoyang" / "page.html"
TRS = PAGES / "trs" / "zgjssw-page1" / "page.html"
TRS_URL = "http://www.zgjssw.gov.cn/shixianchuanzhen/nanjing/201909/t20190918_6345678.shtml"
CHALLENGE = PAGES / "negative" / "ruishu-ts-challenge" / "page.html"
LIST_PAGE = PAGES / "negative" / "list-page" / "page.html"


def json_lines(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines() if line.strip()]


def test_prints_one_json_object_per_file_with_exactly_the_article_fields() -> None:
    result = run_cli("extract", str(SEED), str(TRS))
    assert result.returncode == 0, result.stderr.decode()
    records = json_lines(result.stdout)
    assert len(records) == 2
    for record in records:
        assert list(record) == list(ARTICLE_FIELDS)
    assert records[0]["title"] == "着力打造机关党建示范标杆"
    assert records[0]["published_at"] == "2021-02-03T08:15:00+08:00"
    assert records[1]["title"] == "南京市推行村（社区）党组织书记专职化管理"


def test_url_option_sets_the_url_and_resolves_relative_links_against_it() -> None:
    result = run_cli("extract", str(TRS), "--url", TRS_URL)
    assert result.returncode == 0, result.stderr.decode()
    (record,) = json_lines(result.stdout)
    assert record["url"] == TRS_URL
    assert record["site"] == "www.zgjssw.gov.cn"
    assert record["images"] == [
        "http://www.zgjssw.gov.cn/shixianchuanzhen/nanjing/201909/W020190918512345678901.jpg"
    ]


def test_without_url_the_file_url_is_used() -> None:
    result = run_cli("extract", str(SEED))
    (record,) = json_lines(result.stdout)
    assert record["url"] == SEED.resolve().as_uri()


def test_text_format_is_readable_not_json() -> None:
    result = run_cli("extract", str(SEED), "--format", "text")
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode("utf-8")
    assert "着力打造机关党建示范标杆" in out
    assert "耿硕2" in out
    assert "(作者系浙江省委组织部常务副部长、机关党委书记)" in out
    assert not out.lstrip().startswith("{")


def test_non_articles_go_to_stderr_the_rest_still_print_and_status_is_1(tmp_path: Path) -> None:
    missing = tmp_path / "gone.html"
    result = run_cli("extract", str(CHALLENGE), str(SEED), str(LIST_PAGE), str(missing), str(TRS))
    assert result.returncode == 1
    titles = [record["title"] for record in json_lines(result.stdout)]
    assert titles == ["着力打造机关党建示范标杆", "南京市推行村（社区）党组织书记专职化管理"]
    stderr = result.stderr.decode("utf-8")
    for path in (CHALLENGE, LIST_PAGE, missing):
        assert str(path) in stderr
    assert "Traceback" not in stderr


def test_extract_does_not_import_scrapy() -> None:
    # The command runs through the real click group in a fresh interpreter, then
    # reports which heavy packages ended up loaded.
    probe = (
        "import sys\n"
        "from crawler.cli import main\n"
        f"sys.argv = ['orgnews', 'extract', {str(SEED)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "loaded = sorted(m for m in ('scrapy', 'twisted', 'datasette') if m in sys.modules)\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, cwd=ROOT, timeout=60)
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 0, stderr
    assert "LOADED []" in stderr
    assert json_lines(done.stdout)[0]["title"] == "着力打造机关党建示范标杆"
