#!/usr/bin/env python3
"""Measures what running Glean inside Spark costs, on one machine (figures, not assertions).

1. single process: `glean annotate CORPUS -o /dev/null --threads T`, T = 1, 2;
2. the pipe: the same records fed through glean's stdin and read back from its stdout by
   glean_spark.pipe_partition (what each Spark task does), against glean reading the file itself;
   the difference per record is the cost of the pipe;
3. Spark: glean_spark.annotate in local mode with 1 and 2 executor threads (--threads: other
   counts, e.g. 1,2,4,8,16 on a bigger machine), one glean thread per task and two partitions
   per thread, the SparkSession already started (its start-up is reported apart).

The corpus is corpora/public/news.jsonl repeated (--copies, each copy with its own ids).
Wall times on a busy machine are noisy: CPU seconds (user + sys of glean and of this Python
process) are given beside them where they can be counted.

Usage: .venv/bin/python integrations/spark/benchmark.py [--copies 8] [--glean .build/release/glean]
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import glean_spark  # noqa: E402


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cpu_self():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def tree_cpu(root):
    """CPU seconds of process `root` and its live descendants, with the children they reaped
    (the JVM, PySpark's daemon and workers, and through them every glean process)."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # After the name: state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based.
            stats[int(entry)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo += [child for child, (ppid, _) in stats.items() if ppid == pid]
    return total / ticks


def timed(fn):
    c0, s0, t0 = cpu_children(), cpu_self(), time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0, cpu_children() - c0, cpu_self() - s0


def make_corpus(directory, copies):
    news = [l for l in (ROOT / "corpora" / "public" / "news.jsonl").read_text(encoding="utf-8").split("\n") if l.strip()]
    records = []
    for c in range(copies):
        for line in news:
            obj = json.loads(line)
            obj["id"] = f"{obj['id']}-{c}"
            records.append(json.dumps(obj, ensure_ascii=False))
    path = directory / "corpus.jsonl"
    path.write_text("".join(r + "\n" for r in records), encoding="utf-8")
    return path, records


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--glean", default=str(ROOT / ".build" / "release" / "glean"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the fastest is kept")
    parser.add_argument("--threads", default="1,2",
                        help="glean --threads and Spark local[N] values to measure, comma-separated (default 1,2)")
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]
    glean = os.path.abspath(args.glean)
    work = Path(tempfile.mkdtemp(prefix="glean-bench-"))
    try:
        corpus, records = make_corpus(work, args.copies)
        mb = corpus.stat().st_size / 1e6
        n = len(records)
        print(f"corpus: {n} records, {mb:.2f} MB ({args.copies} copies of corpora/public/news.jsonl); "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        rows = []

        def best(label, fn):
            runs = [timed(fn) for _ in range(args.repeat)]
            _, wall, cpu_child, cpu_py = min(runs, key=lambda r: r[1])
            rows.append((label, wall, cpu_child + cpu_py))
            print(f"{label:58s} {wall:7.2f} s wall {n / wall:8.0f} rec/s {mb / wall:6.2f} MB/s"
                  f"  cpu: glean {cpu_child / n * 1e6:4.0f} us/rec, Python {cpu_py / n * 1e6:4.0f} us/rec")
            return wall, cpu_child + cpu_py

        startup = min(timed(lambda: subprocess.run([glean, "annotate", "--quiet"], input=b"", check=True))[1:3]
                      for _ in range(args.repeat))
        print(f"{'glean start-up (annotate an empty stdin: models loaded)':58s} {startup[0]:7.2f} s wall"
              f"  cpu {startup[1]:6.2f} s")
        for threads in thread_counts:
            best(f"glean annotate FILE --threads {threads}",
                 lambda: subprocess.run([glean, "annotate", str(corpus), "-o", "/dev/null", "--quiet",
                                         "--threads", str(threads)], check=True))
        command = [glean, "annotate", "--inline-errors", "--quiet", "--threads", "1"]
        def from_file():
            p = subprocess.Popen(command[:2] + [str(corpus)] + command[2:], stdout=subprocess.PIPE)
            assert sum(1 for _ in p.stdout) == n
            p.wait()
        file_wall, file_cpu = best("glean annotate FILE --threads 1 | Python reads stdout", from_file)

        def through_pipe():
            # (offset, text) as Spark's TextInputFormat gives them.
            pairs, offset = [], 0
            for r in records:
                pairs.append((offset, r))
                offset += len(r.encode()) + 1
            count = sum(1 for _ in glean_spark.pipe_partition(command, iter(pairs)))
            assert count == n
        pipe_wall, pipe_cpu = best("Python -> glean stdin -> stdout -> Python (pipe_partition)", through_pipe)
        print(f"the pipe costs {(pipe_wall - file_wall) / n * 1e6:.0f} us per record of wall time and "
              f"{(pipe_cpu - file_cpu) / n * 1e6:.0f} us of CPU ({(pipe_wall / file_wall - 1) * 100:.0f}% wall)")

        from pyspark.sql import SparkSession
        os.environ["PYSPARK_PYTHON"] = sys.executable
        for threads in thread_counts:
            t0 = time.perf_counter()
            spark = (SparkSession.builder.master(f"local[{threads}]").appName("glean-bench")
                     .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate())
            spark.sparkContext.setLogLevel("ERROR")
            start = time.perf_counter() - t0
            jvm = spark.sparkContext._gateway.proc.pid
            runs = []
            for i in range(args.repeat):
                out = work / f"spark-{threads}-{i}"
                c0, s0, t0 = tree_cpu(jvm), cpu_self(), time.perf_counter()
                glean_spark.annotate(spark, [str(corpus)], str(out), glean=glean, min_partitions=2 * threads)
                runs.append((time.perf_counter() - t0, tree_cpu(jvm) - c0 + cpu_self() - s0))
                shutil.rmtree(out)
            wall, cpu = min(runs)
            label = f"Spark local[{threads}], {2 * threads} partitions (session start {start:.1f} s)"
            print(f"{label:58s} {wall:7.2f} s wall {n / wall:8.0f} rec/s {mb / wall:6.2f} MB/s"
                  f"  cpu: JVM + Python + glean {cpu / n * 1e6:4.0f} us/rec")
            spark.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
