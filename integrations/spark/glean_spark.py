#!/usr/bin/env python3
"""Annotate a corpus of JSONL files with Glean inside Apache Spark.

Each partition of the input is piped through one `glean annotate --inline-errors --quiet`
process on the executor that holds it. Glean answers every non-blank input line with exactly one
output line, in order (an annotated record, or an inline error record in its place), so the
job can pair every output line with the file and byte offset of its input line.

Writes, under OUTPUT:
  annotated/part-NNNNN[.gz]   annotated JSONL, one part per partition; the parts in name order
                              hold the records in input order (files sorted by path)
  errors/part-NNNNN           one error record per failed input record:
                              {"error": {"source", "line"?, "offset", "id"?, "reason"}, "id"?}
                              naming the input file, its byte offset (in the decompressed
                              stream) and the line where the partition starts its file
  entities/                   (with --entities) a Parquet table, one row per entity, with the
                              columns of `glean annotate --output-format entities`: doc_id, file,
                              line, start, end, text, label, kb_id, source, name

Usage (see integrations/spark/README.md for a cluster):
  spark-submit --master local[2] integrations/spark/glean_spark.py corpus/ -o out/ \
      --glean .build/release/glean --entities

Input: files and directories (read recursively) of .jsonl/.ndjson/.json files, optionally
compressed with a codec Hadoop knows (.gz, .bz2); any Hadoop file system (file:, hdfs:, s3a:).
"""

import argparse
import collections
import glob
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".deflate")
GLEAN_KEYS = ("tokens", "sents", "ents", "spans")
ENTITY_COLUMNS = ["doc_id", "file", "line", "start", "end", "text", "label", "kb_id", "source", "name"]


# ---------------------------------------------------------------------------------------------
# Finding the inputs and the binary


def list_inputs(spark, paths):
    """Every JSONL file under `paths`, through Hadoop's FileSystem (so hdfs: and s3a: work),
    as (path, size) sorted by path: the order of the output."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    found = []
    for p in paths:
        path = jvm.org.apache.hadoop.fs.Path(p)
        fs = path.getFileSystem(conf)
        if not fs.exists(path):
            raise SystemExit(f"glean_spark: {p}: no such file or directory")
        if fs.getFileStatus(path).isFile():
            found.append((str(fs.makeQualified(path).toString()), fs.getFileStatus(path).getLen()))
            continue
        files = fs.listFiles(path, True)  # recursive
        while files.hasNext():
            status = files.next()
            name = status.getPath().getName()
            if name.startswith((".", "_")):
                continue
            base = name
            for suffix in COMPRESSED_SUFFIXES:
                if base.endswith(suffix):
                    base = base[: -len(suffix)]
            if base.endswith(JSONL_SUFFIXES):
                found.append((status.getPath().toString(), status.getLen()))
    if not found:
        raise SystemExit(f"glean_spark: no .jsonl/.ndjson/.json files in {' '.join(paths)}")
    return sorted(set(found))


def find_glean(explicit=None):
    """The glean binary on an executor: an explicit path (relative to the working directory),
    else the release archive shipped with `--archives glean-*.tar.gz#glean` (unpacked in the
    working directory on YARN, in SparkFiles' root on other cluster managers and in local mode),
    else `glean` on PATH."""
    if explicit:
        if os.path.isabs(explicit) or os.path.exists(explicit):
            return os.path.abspath(explicit)
        roots = [os.getcwd()] + _sparkfiles_root()
        for root in roots:
            candidate = os.path.join(root, explicit)
            if os.path.exists(candidate):
                return candidate
        raise FileNotFoundError(f"glean binary {explicit} not found in {roots}")
    for root in [os.getcwd()] + _sparkfiles_root():
        hits = sorted(glob.glob(os.path.join(root, "glean", "glean-*", "bin", "glean"))
                      + glob.glob(os.path.join(root, "glean", "bin", "glean")))
        if hits:
            return hits[0]
    for d in os.environ.get("PATH", "").split(os.pathsep):
        candidate = os.path.join(d, "glean")
        if os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError("no glean binary: ship the release archive with --archives "
                            "dist/glean-VERSION-linux-ARCH.tar.gz#glean, or give --glean PATH")


def _sparkfiles_root():
    try:
        from pyspark import SparkFiles
        return [SparkFiles.getRootDirectory()]
    except Exception:
        return []


# ---------------------------------------------------------------------------------------------
# The pipe


def is_blank(text):
    """Glean's rule: a line that is empty or only spaces and tabs is not a record."""
    return text.strip(" \t") == ""


def is_error_line(line):
    """An inline error: {"error": {...}} with at most the id beside it and none of Glean's keys
    (an annotated record always has at least one of them)."""
    if not line.startswith('{"error":{'):
        return False
    obj = json.loads(line)
    return isinstance(obj.get("error"), dict) and not any(k in obj for k in GLEAN_KEYS)


def pipe_partition(command, records):
    """Pipes `records` ((offset, text) pairs of one input file, in order) through `command`.

    Yields (offset, line number or None, output line) for every non-blank input line, in order.
    The line number is exact when the partition starts at the beginning of its file (every
    compressed file, the first split of the others); else None. A writer thread feeds glean's
    stdin while this generator reads its stdout, so neither side can block the other. Exit
    statuses 0 and 1 (some records failed, each with an inline error) are success; anything
    else fails the task, which Spark then retries."""
    pending = collections.deque()  # (offset, line) of each line sent and not yet answered
    stderr = tempfile.TemporaryFile()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
    failure = []

    def feed():
        try:
            line_number = None
            for offset, text in records:
                if line_number is None:
                    line_number = 1 if offset == 0 else 0  # 0: not known
                elif line_number:
                    line_number += 1
                if is_blank(text):
                    continue
                pending.append((offset, line_number or None))
                process.stdin.write(text.encode("utf-8") + b"\n")
        except BrokenPipeError:
            pass  # glean stopped early: its exit status says why
        except BaseException as e:  # re-raised in the reading thread
            failure.append(e)
        finally:
            try:
                process.stdin.close()
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=feed, name="glean-stdin", daemon=True)
    writer.start()
    try:
        for raw in process.stdout:
            offset, line_number = pending.popleft()
            yield offset, line_number, raw.decode("utf-8").rstrip("\n")
        writer.join()
        status = process.wait()
        if failure:
            raise failure[0]
        if status not in (0, 1) or pending:
            stderr.seek(0)
            message = stderr.read().decode("utf-8", "replace")[-4000:]
            raise RuntimeError(f"{' '.join(command)} exited with status {status} after "
                               f"{len(pending)} unanswered lines: {message}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        stderr.close()


def relocate_error(line, source, line_number, offset):
    """An inline error from a pipe names `<stdin>` and the partition's line: name the input
    file, its line (when known) and byte offset instead."""
    obj = json.loads(line)
    error = obj["error"]
    located = {"source": source}
    if line_number is not None:
        located["line"] = line_number
    located["offset"] = offset
    for key, value in error.items():
        if key not in ("source", "line", "offset"):
            located[key] = value
    obj["error"] = located
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def field(record, name):
    """Glean's rule for --text-field: the whole dotted name as one key first, then the path."""
    if name in record:
        return record[name]
    value = record
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def entity_rows(line, source, line_number, id_field="id", text_field="text"):
    """The entity table's rows for one annotated record (offsets must be code points, Glean's
    default, so that Python's slice of the text is the entity's text)."""
    record = json.loads(line)
    text = field(record, text_field) or ""
    doc_id = record.get(id_field)
    if doc_id is not None and not isinstance(doc_id, str):
        doc_id = json.dumps(doc_id, ensure_ascii=False, separators=(",", ":"))
    for e in record.get("ents", []):
        yield (doc_id, source, line_number, e["start"], e["end"], text[e["start"]:e["end"]], e["label"],
               e.get("kb_id", ""), e.get("source", ""), e.get("name", e.get("alias", "")))


# ---------------------------------------------------------------------------------------------
# The job


def annotate(spark, inputs, output, glean=None, threads=1, glean_args=(), entities=False,
             min_partitions=None, compress=False, id_field="id", text_field="text"):
    """Runs the job; returns a dict of counts (records, errors, entities, partitions, files)."""
    from pyspark import StorageLevel
    from pyspark.sql.types import IntegerType, StringType, StructField, StructType

    sc = spark.sparkContext
    if __name__ != "__main__":
        # Imported as a module (not run by spark-submit): the executors' Python needs it too.
        sc.addPyFile(os.path.abspath(__file__))
    files = list_inputs(spark, inputs)
    # One RDD of (byte offset, line) per file, in path order; their union keeps that order and
    # tells each partition which file it reads.
    per_file = []
    partition_files = []
    total = sum(size for _, size in files)
    wanted = min_partitions or sc.defaultParallelism
    for path, size in files:
        splits = max(1, round(wanted * size / total)) if total else 1
        rdd = sc.newAPIHadoopFile(path, "org.apache.hadoop.mapreduce.lib.input.TextInputFormat",
                                  "org.apache.hadoop.io.LongWritable", "org.apache.hadoop.io.Text",
                                  conf={"mapreduce.input.fileinputformat.split.maxsize":
                                        str(max(1 << 16, size // splits + 1))})
        per_file.append(rdd)
        partition_files += [path] * rdd.getNumPartitions()
    lines = sc.union(per_file) if len(per_file) > 1 else per_file[0]
    # Shipped once per executor, not inside every task's closure.
    partition_files = sc.broadcast(partition_files)

    command = ["glean", "annotate", "--inline-errors", "--quiet", "--threads", str(threads),
               "--id-field", id_field, "--text-field", text_field, *glean_args]
    glean_path = glean

    def run_partition(index, records):
        cmd = [find_glean(glean_path)] + command[1:]
        source = partition_files.value[index]
        for offset, line_number, out in pipe_partition(cmd, records):
            error = is_error_line(out)
            if error:
                out = relocate_error(out, source, line_number, offset)
            yield error, line_number, out

    annotated = lines.mapPartitionsWithIndex(run_partition)
    annotated.persist(StorageLevel.MEMORY_AND_DISK)
    codec = "org.apache.hadoop.io.compress.GzipCodec" if compress else None
    try:
        annotated.filter(lambda r: not r[0]).map(lambda r: r[2]) \
            .saveAsTextFile(output.rstrip("/") + "/annotated", compressionCodecClass=codec)
        errors = annotated.filter(lambda r: r[0]).map(lambda r: r[2])
        errors.saveAsTextFile(output.rstrip("/") + "/errors")
        counts = {"files": len(files), "partitions": annotated.getNumPartitions(),
                  "errors": errors.count()}
        counts["records"] = annotated.count() - counts["errors"]
        if entities:
            def rows(index, items):
                source = partition_files.value[index]
                for error, line_number, out in items:
                    if not error:
                        yield from entity_rows(out, source, line_number, id_field, text_field)
            schema = StructType([StructField(name, IntegerType() if name in ("line", "start", "end") else StringType(),
                                             nullable=name in ("doc_id", "line"))
                                 for name in ENTITY_COLUMNS])
            table = spark.createDataFrame(annotated.mapPartitionsWithIndex(rows), schema)
            table.write.parquet(output.rstrip("/") + "/entities")
            counts["entities"] = spark.read.parquet(output.rstrip("/") + "/entities").count()
        return counts
    finally:
        annotated.unpersist()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", help="JSONL files or directories (any Hadoop file system)")
    parser.add_argument("-o", "--output", required=True, help="output directory (must not exist, unless --overwrite)")
    parser.add_argument("--glean", help="the glean binary on the executors (default: the archive "
                                        "shipped with --archives ...#glean, else glean on PATH)")
    parser.add_argument("--threads", type=int, default=1,
                        help="glean worker threads per task (match spark.task.cpus; default 1)")
    parser.add_argument("--partitions", type=int, help="partitions to aim for (default: Spark's default parallelism); "
                                                       "compressed files are one partition each")
    parser.add_argument("--entities", action="store_true", help="also write the entity table as Parquet")
    parser.add_argument("--compress", action="store_true", help="gzip the annotated parts")
    parser.add_argument("--id-field", default="id", help="the records' id field (default id)")
    parser.add_argument("--text-field", default="text", help="the records' text field (default text)")
    parser.add_argument("--glean-args", default="", help="more `glean annotate` options, e.g. \"--emit ents\"")
    parser.add_argument("--overwrite", action="store_true", help="remove OUTPUT first")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("glean").getOrCreate()
    try:
        if args.overwrite:
            jvm = spark.sparkContext._jvm
            path = jvm.org.apache.hadoop.fs.Path(args.output)
            path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).delete(path, True)
        counts = annotate(spark, args.inputs, args.output, glean=args.glean, threads=args.threads,
                          glean_args=shlex.split(args.glean_args), entities=args.entities,
                          min_partitions=args.partitions, compress=args.compress, id_field=args.id_field,
                          text_field=args.text_field)
        print(json.dumps(counts))
        return 1 if counts["errors"] else 0
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
