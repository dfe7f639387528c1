"""`glean annotate --shard K/N`: N independent runs annotate every record exactly once.

For N in {1, 2, 3, 7}, the N shards' outputs together hold each line of the unsharded output
exactly once (and so do their error records, with the same sources and absolute line numbers),
and each shard keeps the unsharded order. Two layouts of real text: several files (the sample,
the public news corpus in parts, a file of broken records; with N = 7 there are fewer files than
shards, so the split is by record) and one large file (the public news corpus repeated), split
by record. A directory output gets each file from the one shard that owns it.
"""

import json

import pytest

from cluster_support import SAMPLE, assert_partition, lines, public_news, run, write_lines

BROKEN = [
    'not json',
    '{"id": "broken-2", "body": "no text"}',
    '',
    '{"id": "broken-3", "text": 12}',
    '{"id": "broken-4", "text": "cut',
    '{"id": "fine-5", "text": "Sydney, 2 March 2023."}',
]


def news_records():
    return [l for l in public_news().read_text(encoding="utf-8").split("\n") if l.strip()]


@pytest.fixture(scope="module")
def several_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("files")
    news = news_records()
    files = [SAMPLE]
    for part in range(4):
        files.append(write_lines(d / f"news-{part}.jsonl", news[part::4]))
    files.append(write_lines(d / "broken.jsonl", BROKEN * 3))
    return files


@pytest.fixture(scope="module")
def one_large_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("large")
    records = []
    for copy in range(4):
        for r in news_records():
            obj = json.loads(r)
            obj["id"] = f"{obj['id']}-copy{copy}"
            records.append(json.dumps(obj, ensure_ascii=False))
        records += BROKEN
    return [write_lines(d / "large.jsonl", records)]


def annotate(inputs, out, extra=()):
    """Output lines and error lines of one run into `out`."""
    run(["annotate", *inputs, "-o", out, "--errors", f"{out}.errors", "--quiet", "--threads", "2", *extra])
    errors = out.parent / f"{out.name}.errors"
    return lines(out.read_bytes()), lines(errors.read_bytes()) if errors.exists() else []


@pytest.mark.parametrize("layout", ["several_files", "one_large_file"])
def test_shards_together_equal_the_unsharded_run(layout, request, tmp_path):
    inputs = request.getfixturevalue(layout)
    whole, whole_errors = annotate(inputs, tmp_path / "whole.jsonl")
    assert len(whole) > 300 and len(whole_errors) > 5
    for n in (1, 2, 3, 7):
        shares, error_shares = [], []
        for k in range(n):
            out, errors = annotate(inputs, tmp_path / f"shard-{k}-of-{n}.jsonl", ["--shard", f"{k}/{n}"])
            shares.append(out)
            error_shares.append(errors)
        assert_partition(shares, whole, f"{layout}, N={n}, records")
        assert_partition(error_shares, whole_errors, f"{layout}, N={n}, errors")
        if n > 1:
            assert all(shares), f"{layout}, N={n}: a shard got nothing"


def test_by_record_split_follows_line_numbers(one_large_file, tmp_path):
    """Shard K of N holds exactly the records on lines L with (L - 1) mod N == K (one input)."""
    source = one_large_file[0].read_text(encoding="utf-8").split("\n")[:-1]
    for k in range(3):
        out, errors = annotate(one_large_file, tmp_path / f"s{k}.jsonl", ["--shard", f"{k}/3"])
        wanted_ids = [json.loads(l)["id"] for i, l in enumerate(source)
                      if i % 3 == k and l.startswith('{"id": "') and '"text": "' in l and not l.endswith('cut')]
        assert [json.loads(l)["id"] for l in out] == wanted_ids
        assert all((json.loads(e)["line"] - 1) % 3 == k for e in errors)


def test_directory_output_each_file_from_its_shard(several_files, tmp_path):
    run(["annotate", *several_files, "-o", f"{tmp_path / 'whole'}/", "--quiet"])
    for k in range(3):
        run(["annotate", *several_files, "-o", f"{tmp_path / 'sharded'}/", "--quiet", "--shard", f"{k}/3", "--shard-by", "file"])
    whole = sorted(p.relative_to(tmp_path / "whole") for p in (tmp_path / "whole").rglob("*") if p.is_file())
    sharded = sorted(p.relative_to(tmp_path / "sharded") for p in (tmp_path / "sharded").rglob("*") if p.is_file())
    assert whole == sharded
    for rel in whole:
        assert (tmp_path / "whole" / rel).read_bytes() == (tmp_path / "sharded" / rel).read_bytes()
    # Each shard's errors have a file of their own beside the directory.
    shard_errors = sorted(p.name for p in tmp_path.glob("sharded.shard-*.errors.jsonl"))
    assert len(shard_errors) >= 1
    merged = sorted(l for p in tmp_path.glob("sharded.shard-*.errors.jsonl") for l in lines(p.read_bytes()))
    assert merged == sorted(lines((tmp_path / "whole.errors.jsonl").read_bytes()))


def test_record_shards_into_a_directory_are_refused(several_files, tmp_path):
    p = run(["annotate", *several_files[:2], "-o", f"{tmp_path}/out/", "--shard", "0/4"], check=None)
    assert p.returncode == 2 and b"--shard-by file" in p.stderr
