"""Failure behaviour of the release binary: what Glean touches, read and write failures, exit
statuses, signals, --max-errors, file descriptors in DIR/ mode.

Each test runs the real `glean` binary (env GLEAN_BIN, default .build/release/glean) on real
files: a FIFO, a symlink, /proc/self/mem (a file that opens and then fails to read with EIO), a
file made unreadable for an unprivileged user (setpriv), a 1 MiB tmpfs (a full disk; mounting it
needs root: without it the test fails, it is not skipped), RLIMIT_FSIZE (EFBIG).

Run: .venv/bin/python -m pytest -q Tests/python/test_reliability.py
"""

import hashlib
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

import cluster_support

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT / "corpora" / "sample" / "news.jsonl"


@pytest.fixture
def corpus(tmp_path):
    """The sample corpus 20 times (about 370 kB in, 4 MB out)."""
    path = tmp_path / "corpus.jsonl"
    path.write_bytes(NEWS.read_bytes() * 20)
    return path


def glean_binary():
    return str(cluster_support.glean_binary())


GLEAN = None


@pytest.fixture(autouse=True)
def _binary():
    global GLEAN
    GLEAN = glean_binary()


def run(args, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("timeout", 300)
    return subprocess.run([GLEAN, "annotate", "-q", *map(str, args)], **kw)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def records(n, bad=()):
    """n JSONL lines; the 1-based line numbers in `bad` are broken JSON."""
    lines = []
    for i in range(1, n + 1):
        if i in bad:
            lines.append('{"id": %d, "text": broken' % i)
        else:
            lines.append(json.dumps({"id": i, "text": f"Record {i} was written in Sydney on 4 May 2021."}))
    return "\n".join(lines) + "\n"


def listing(d):
    return sorted(p.name for p in Path(d).iterdir())


# ---------------------------------------------------------------------------------------------
# Glean touches only what it owns


@pytest.mark.parametrize(
    "extra",
    [
        ["--errors", "{o}"],
        ["--summary-json", "{o}"],
        ["--errors", "{e}", "--summary-json", "{e}"],
    ],
)
def test_outputs_naming_one_file_are_usage_errors(tmp_path, extra):
    out = tmp_path / "out.jsonl"
    other = tmp_path / "e.jsonl"
    out.write_text("precious\n")
    args = [a.format(o=out, e=other) for a in extra]
    r = run([NEWS, "-o", out, *args])
    assert r.returncode == 2, r.stderr
    assert b"name the same file" in r.stderr
    assert out.read_text() == "precious\n"
    assert listing(tmp_path) == ["out.jsonl"]


def test_output_through_a_symlink_to_the_input_is_a_usage_error(tmp_path):
    data = tmp_path / "in.jsonl"
    data.write_text(records(3))
    (tmp_path / "link.jsonl").symlink_to("in.jsonl")
    r = run([data, "-o", tmp_path / "link.jsonl"])
    assert r.returncode == 2 and b"is the input" in r.stderr, r.stderr
    assert data.read_text() == records(3)
    r = run([data, "-o", tmp_path / "x.jsonl", "--errors", data])
    assert r.returncode == 2 and b"is the input" in r.stderr


def test_directory_output_that_would_merge_two_inputs_is_a_usage_error(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.jsonl").write_text(records(2))
    (src / "a.txt").write_text("Some text.")
    r = run([src, "-o", str(tmp_path / "out") + "/"])
    assert r.returncode == 2 and b"would both be written to" in r.stderr, r.stderr
    assert not (tmp_path / "out").exists()


def test_directory_output_onto_its_inputs_is_a_usage_error(tmp_path):
    (tmp_path / "a.jsonl").write_text(records(2))
    r = run([tmp_path, "-o", str(tmp_path) + "/"])
    assert r.returncode == 2 and b"is the input" in r.stderr, r.stderr
    assert (tmp_path / "a.jsonl").read_text() == records(2)


def test_an_errors_file_is_not_deleted_by_a_run_without_errors(tmp_path):
    errors = tmp_path / "out.errors.jsonl"
    errors.write_text("not glean's\n")
    r = run([NEWS, "-o", tmp_path / "out.jsonl"])
    assert r.returncode == 0, r.stderr
    assert errors.read_text() == "not glean's\n"
    assert listing(tmp_path) == ["out.errors.jsonl", "out.jsonl"]


def test_a_symlink_output_replaces_its_target_and_stays_a_symlink(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "data.jsonl"
    target.write_text("old\n")
    link = tmp_path / "out.jsonl"
    link.symlink_to("real/data.jsonl")
    r = run([NEWS, "-o", link])
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == "real/data.jsonl"
    ref = tmp_path / "ref.jsonl"
    assert run([NEWS, "-o", ref]).returncode == 0
    assert target.read_bytes() == ref.read_bytes()
    assert listing(tmp_path / "real") == ["data.jsonl"]


def test_a_dangling_symlink_output_creates_its_target(tmp_path):
    link = tmp_path / "out.jsonl"
    link.symlink_to("made.jsonl")
    assert run([NEWS, "-o", link]).returncode == 0
    assert link.is_symlink() and (tmp_path / "made.jsonl").stat().st_size > 0


def test_a_replaced_file_keeps_its_mode(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    os.chmod(out, 0o600)
    assert run([NEWS, "-o", out]).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text() != "old\n"


def test_a_fifo_output_is_written_directly(tmp_path):
    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    r = run([NEWS, "-o", fifo])
    got = reader.communicate(timeout=60)[0]
    assert r.returncode == 0, r.stderr
    ref = tmp_path / "ref.jsonl"
    assert run([NEWS, "-o", ref]).returncode == 0
    assert got == ref.read_bytes()
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert listing(tmp_path) == ["out.jsonl", "ref.jsonl"]


def test_resume_needs_a_file_output():
    r = run([NEWS, "--resume"])
    assert r.returncode == 2 and b"--resume" in r.stderr


def test_dev_null_as_output_and_errors():
    r = run([NEWS, "-o", "/dev/null", "--errors", "/dev/null"])
    assert r.returncode == 0, r.stderr


# ---------------------------------------------------------------------------------------------
# One in, one out on read failures


def as_nobody():
    if shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is needed to run glean as an unprivileged user")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_an_input_that_cannot_be_opened_exits_2_and_writes_nothing():
    import tempfile

    # pytest's own temporary directories are private to root; this one is open to the user.
    tmp_path = Path(tempfile.mkdtemp(prefix="glean-nobody-"))
    os.chmod(tmp_path, 0o777)
    good = tmp_path / "good.jsonl"
    good.write_text(records(5))
    secret = tmp_path / "secret.jsonl"
    secret.write_text(records(5))
    os.chmod(secret, 0o000)
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")
    os.chmod(out, 0o666)
    r = subprocess.run(as_nobody() + [GLEAN, "annotate", "-q", str(good), str(secret), "-o", str(out)],
                       capture_output=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert b"secret.jsonl" in r.stderr and b"Permission denied" in r.stderr
    assert out.read_text() == "previous\n"
    assert listing(tmp_path) == ["good.jsonl", "out.jsonl", "secret.jsonl"]
    shutil.rmtree(tmp_path)


def test_a_read_failure_in_the_middle_is_one_error_record_and_the_run_goes_on(tmp_path):
    # /proc/self/mem opens for reading, then read() fails with EIO at offset 0.
    a = tmp_path / "a.jsonl"
    a.write_text(records(4))
    b = tmp_path / "b.jsonl"
    b.write_text(records(3))
    out = tmp_path / "out.jsonl"
    r = run([a, "/proc/self/mem", b, "--format", "jsonl", "-o", out])
    assert r.returncode == 1, r.stderr
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert len(errors) == 1
    assert errors[0]["source"] == "/proc/self/mem" and "Input/output error" in errors[0]["reason"]
    ra, rb = tmp_path / "ra.jsonl", tmp_path / "rb.jsonl"
    assert run([a, "-o", ra]).returncode == 0 and run([b, "-o", rb]).returncode == 0
    assert out.read_bytes() == ra.read_bytes() + rb.read_bytes()


def test_a_corrupt_gzip_member_is_one_error_record(tmp_path):
    import gzip

    good = gzip.compress(records(6).encode())
    broken = bytearray(gzip.compress(records(6).encode()))
    broken[len(broken) // 2] ^= 0xFF
    data = tmp_path / "in.jsonl.gz"
    data.write_bytes(good + bytes(broken))
    other = tmp_path / "next.jsonl"
    other.write_text(records(2))
    out = tmp_path / "out.jsonl"
    r = run([data, other, "-o", out])
    assert r.returncode == 1, r.stderr
    errors = (tmp_path / "out.errors.jsonl").read_text().splitlines()
    assert len(errors) == 1 and json.loads(errors[0])["source"] == str(data)
    # The next input is read in full after the damaged one.
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert ids[-2:] == [1, 2]


def gzip_recovers(path):
    """The lines `gzip -dc` writes before it stops at the damage, and its status."""
    r = subprocess.run(["gzip", "-dc", str(path)], capture_output=True, timeout=120)
    return r.stdout.split(b"\n")[:-1], r.returncode


def damaged_members(path):
    """Five gzip members of 100 records each; the last one damaged in its middle."""
    import gzip

    lines = records(500).encode().splitlines(keepends=True)
    members = [gzip.compress(b"".join(lines[k * 100:(k + 1) * 100])) for k in range(5)]
    last = bytearray(members[-1])
    for j in range(len(last) // 2, len(last) // 2 + 8):
        last[j] ^= 0xFF
    path.write_bytes(b"".join(members[:-1]) + bytes(last))
    return [line.rstrip(b"\n") for line in lines]


def damaged_single_member(path):
    """One gzip member of 20,000 records, 16 bytes zeroed in its middle."""
    import gzip

    lines = records(20000).encode().splitlines(keepends=True)
    data = bytearray(gzip.compress(b"".join(lines)))
    data[len(data) // 2:len(data) // 2 + 16] = bytes(16)
    path.write_bytes(bytes(data))
    return [line.rstrip(b"\n") for line in lines]


@pytest.mark.parametrize("make", [damaged_members, damaged_single_member])
@pytest.mark.parametrize("batch", [7, 512])
def test_records_before_damaged_gzip_data_come_out_then_one_read_error(tmp_path, make, batch):
    data = tmp_path / "in.jsonl.gz"
    lines = make(data)
    recovered, status = gzip_recovers(data)
    assert status != 0
    intact = 0
    while intact < len(recovered) and recovered[intact] == lines[intact]:
        intact += 1
    assert intact >= 100
    other = tmp_path / "next.jsonl"
    other.write_text(records(2))
    out = tmp_path / "out.jsonl"
    r = run([data, other, "-o", out, "--emit", "tokens", "--batch-size", batch])
    assert r.returncode == 1, r.stderr
    written = [json.loads(line) for line in out.read_text().splitlines()]
    # Every record gzip -dc recovers intact comes out, in order, first.
    assert [w["id"] for w in written[:intact]] == list(range(1, intact + 1))
    # The next input is read in full after the damaged one.
    assert [w["id"] for w in written[-2:]] == [1, 2]
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert all(e["source"] == str(data) for e in errors)
    # One error for the file, the last of its errors, after every line read: lines decoded from
    # the damaged data before zlib detects it (gzip -dc writes them too) each get their own
    # record or error.
    reads = [e for e in errors if "the rest of the file cannot be read" in e["reason"]]
    assert len(reads) == 1 and errors[-1] is reads[0], errors[-3:]
    assert "corrupt gzip data" in reads[0]["reason"]
    # The lines that came from the damaged member are named (its checksum cannot vouch for them).
    first = 401 if make is damaged_members else 1
    assert f"lines {first} to {reads[0]['line'] - 1} came from the damaged gzip member" in reads[0]["reason"], reads[0]
    assert reads[0]["line"] > intact and reads[0]["offset"] >= sum(len(x) + 1 for x in lines[:intact])
    assert all(e["line"] < reads[0]["line"] for e in errors[:-1])


# ---------------------------------------------------------------------------------------------
# --max-errors, DIR/ mode and file descriptors


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_max_errors_ends_the_output_at_the_record_that_reaches_n(tmp_path, suffix):
    bad = {5, 9, 14, 20, 700}
    data = tmp_path / "in.jsonl"
    data.write_text(records(1000, bad))
    out = tmp_path / ("out" + suffix)
    r = run([data, "-o", out, "--max-errors", "3"])
    assert r.returncode == 1, r.stderr
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert [e["line"] for e in errors] == [5, 9, 14]
    if suffix.endswith(".gz"):
        import gzip

        text = gzip.decompress(out.read_bytes()).decode()
    else:
        text = out.read_text()
    ids = [json.loads(line)["id"] for line in text.splitlines()]
    assert ids == [i for i in range(1, 14) if i not in bad]


def test_directory_mode_works_past_the_file_descriptor_limit(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(300):
        (src / f"f{i:03}.jsonl").write_text(records(2))

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    r = subprocess.run([GLEAN, "annotate", "-q", str(src), "-o", str(tmp_path / "out") + "/", "--threads", "2"],
                       capture_output=True, timeout=300, preexec_fn=limit)
    assert r.returncode == 0, r.stderr
    assert len(listing(tmp_path / "out")) == 300
    assert listing(tmp_path) == ["out", "src"]


# ---------------------------------------------------------------------------------------------
# Signals


def wait_for(p, seconds=60):
    try:
        return p.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        p.kill()
        pytest.fail(f"glean did not stop within {seconds} s of the signal")


@pytest.mark.parametrize("sig,status", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGQUIT, 131)])
def test_a_signal_stops_a_reader_blocked_on_a_fifo(tmp_path, sig, status):
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    out = tmp_path / "out.jsonl"
    p = subprocess.Popen([GLEAN, "annotate", "-q", str(fifo), "-o", str(out)], stderr=subprocess.PIPE)
    time.sleep(1.0)
    p.send_signal(sig)
    assert wait_for(p) == status
    err = p.stderr.read().decode()
    assert "--resume" in err, err
    assert not out.exists()
    # Exactly the partial output and the checkpoint, nothing hidden beside them.
    assert listing(tmp_path) == [".out.jsonl.glean-partial", "in.jsonl", "out.jsonl.glean-checkpoint"]


def test_sigterm_stops_a_reader_blocked_on_stdin(tmp_path):
    out = tmp_path / "out.jsonl"
    r, w = os.pipe()
    p = subprocess.Popen([GLEAN, "annotate", "-q", "-o", str(out)], stdin=r, stderr=subprocess.PIPE)
    os.close(r)
    os.write(w, records(3).encode())
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    assert wait_for(p) == 143
    os.close(w)
    assert not out.exists()


def test_sigint_while_reading_dev_zero(tmp_path):
    out = tmp_path / "out.jsonl"
    p = subprocess.Popen([GLEAN, "annotate", "-q", "/dev/zero", "--format", "jsonl", "-o", str(out)], stderr=subprocess.PIPE)
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    assert wait_for(p) == 130
    assert not out.exists()


# ---------------------------------------------------------------------------------------------
# Write failures


def test_a_file_size_limit_is_a_write_error_that_keeps_the_target(tmp_path, corpus):
    out = tmp_path / "out.jsonl"
    out.write_text("good\n")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    r = subprocess.run([GLEAN, "annotate", "-q", str(corpus), "-o", str(out)], capture_output=True, timeout=300, preexec_fn=limit)
    assert r.returncode == 2, r.stderr
    assert b"File too large" in r.stderr and str(out).encode() in r.stderr
    assert b"NSCocoaErrorDomain" not in r.stderr
    assert out.read_text() == "good\n"
    assert (tmp_path / "out.jsonl.glean-checkpoint").exists()
    # Once the limit is gone, --resume finishes the same bytes as an uninterrupted run.
    r = run([corpus, "-o", out, "--resume"])
    assert r.returncode == 0, r.stderr
    ref = tmp_path / "ref.jsonl"
    assert run([corpus, "-o", ref]).returncode == 0
    assert out.read_bytes() == ref.read_bytes()
    assert listing(tmp_path) == ["corpus.jsonl", "out.jsonl", "ref.jsonl"]


def test_a_vanished_output_directory_is_a_clear_error(tmp_path):
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    outdir = tmp_path / "o"
    out = outdir / "out.jsonl"
    p = subprocess.Popen([GLEAN, "annotate", "-q", str(fifo), "-o", str(out)], stderr=subprocess.PIPE)
    time.sleep(1.0)
    shutil.rmtree(outdir)
    with open(fifo, "w") as f:
        f.write(records(3))
    assert wait_for(p) == 2
    err = p.stderr.read().decode()
    assert str(out) in err and "No such file or directory" in err, err


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.fail("cannot mount a 1 MiB tmpfs to test a full disk (needs root): " + r.stderr.decode())
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)])


def test_a_full_disk_is_a_clear_error_and_resume_continues_once_space_is_back(tmp_path, small_disk, corpus):
    data = corpus
    out = small_disk / "out.jsonl"
    out.write_text("good\n")
    r = run([data, "-o", out])
    assert r.returncode == 2, r.stderr
    assert b"No space left on device" in r.stderr and str(out).encode() in r.stderr, r.stderr
    assert b"NSCocoaErrorDomain" not in r.stderr
    assert out.read_text() == "good\n"
    assert (small_disk / "out.jsonl.glean-checkpoint").exists()
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    r = run([data, "-o", out, "--resume"])
    assert r.returncode == 0, r.stderr
    ref = tmp_path / "ref.jsonl"
    assert run([data, "-o", ref]).returncode == 0
    assert sha256(out) == sha256(ref)
    assert listing(small_disk) == ["out.jsonl"]


def test_dev_stdout_as_output_is_written_directly(tmp_path):
    r = subprocess.run([GLEAN, "annotate", "-q", str(NEWS), "-o", "/dev/stdout"], capture_output=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    ref = tmp_path / "ref.jsonl"
    assert run([NEWS, "-o", ref]).returncode == 0
    assert r.stdout == ref.read_bytes()


def test_sigterm_ends_a_run_whose_fifo_output_nobody_reads(tmp_path, corpus):
    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    # Opened for reading (so glean's open succeeds) but never read: glean's writes block.
    holder = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    p = subprocess.Popen([GLEAN, "annotate", "-q", str(corpus), "-o", str(fifo)], stderr=subprocess.PIPE)
    time.sleep(2.0)
    p.send_signal(signal.SIGTERM)
    try:
        assert wait_for(p, 60) == 143
    finally:
        os.close(holder)


def test_sigint_while_a_large_record_is_annotated(tmp_path):
    # One record of about 24 MB: reading it is quick, annotating it takes a while; the signal
    # lands while it is in flight, and the run stops without waiting for it.
    data = tmp_path / "big.jsonl"
    text = "Flights from Sydney resumed at 4pm on 3 May 2021, said Qantas. " * 380_000
    data.write_text(json.dumps({"id": "big", "text": text}) + "\n")
    out = tmp_path / "out.jsonl"
    p = subprocess.Popen([GLEAN, "annotate", "-q", str(data), "-o", str(out), "--threads", "1"], stderr=subprocess.PIPE)
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    status = wait_for(p, 120)
    if status in (0, 1):
        pytest.fail("the record was annotated before the signal; make it larger")
    assert status == 130
    assert not out.exists()
    assert listing(tmp_path) == [".out.jsonl.glean-partial", "big.jsonl", "out.jsonl.glean-checkpoint"]


def test_errors_through_a_symlink_and_to_a_fifo(tmp_path):
    data = tmp_path / "in.jsonl"
    data.write_text(records(5, bad={2}))
    (tmp_path / "real.err").write_text("old\n")
    (tmp_path / "link.err").symlink_to("real.err")
    r = run([data, "-o", tmp_path / "out.jsonl", "--errors", tmp_path / "link.err"])
    assert r.returncode == 1, r.stderr
    assert (tmp_path / "link.err").is_symlink()
    assert [json.loads(l)["line"] for l in (tmp_path / "real.err").read_text().splitlines()] == [2]
    fifo = tmp_path / "err.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    r = run([data, "-o", tmp_path / "out2.jsonl", "--errors", fifo])
    got = reader.communicate(timeout=60)[0]
    assert r.returncode == 1, r.stderr
    assert [json.loads(l)["line"] for l in got.decode().splitlines()] == [2]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_sigterm_arrives_when_the_parent_started_glean_with_it_blocked(tmp_path):
    # The signal mask is inherited across exec; some runners start children with signals blocked.
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    out = tmp_path / "out.jsonl"
    p = subprocess.Popen([GLEAN, "annotate", "-q", str(fifo), "-o", str(out)], stderr=subprocess.PIPE,
                         preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT}))
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    assert wait_for(p) == 143
    assert not out.exists()


# ---------------------------------------------------------------------------------------------
# Hostile models


def test_a_pattern_file_nested_5000_deep_is_a_clear_error_not_a_crash(tmp_path):
    patterns = tmp_path / "p.yaml"
    patterns.write_text("[" * 5000 + "]" * 5000 + "\n")
    data = tmp_path / "in.jsonl"
    data.write_text(records(2))
    out = tmp_path / "out.jsonl"
    for args in (["patterns", "check", patterns], ["annotate", "-q", data, "--patterns", patterns, "-o", out]):
        r = subprocess.run([GLEAN, *map(str, args)], capture_output=True, timeout=120)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert b"p.yaml:1: nested deeper than" in r.stderr + r.stdout, r.stderr
    assert not out.exists()
