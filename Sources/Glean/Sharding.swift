/// `--shard K/N`: one of N disjoint, deterministic shares of a run's input records, so that N
/// independent tasks (a Kubernetes Indexed Job, a Slurm job array, GNU parallel) annotate every
/// record exactly once.
///
/// A shard depends only on the input list (its order and length), on N and on line numbers,
/// never on timing, threads or file sizes, so every task computes the same split:
/// - by **file**: input `i` (from 0, in the order the inputs expand to) belongs to shard
///   `i mod N`; a shard opens only its own files;
/// - by **record**: the record on line `L` (1-based) of input `i` belongs to shard
///   `(i + L - 1) mod N`; every shard reads every input and keeps its own lines.
///
/// ``ShardUnit/automatic`` chooses by file when there are at least N inputs and by record
/// otherwise (one big file is split by record). A record's output never depends on the
/// sharding, and error records keep the absolute line numbers of the input.
///
/// ```swift
/// let shard = try Shard(parsing: "1/3")          // the second of three shares
/// let resolved = shard.resolved(inputs: 1)       // one input: by record
/// resolved.owns(line: 5, fileIndex: 0)           // true: (0 + 5 - 1) mod 3 == 1
/// ```
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// K, from 0.
    public let index: Int
    /// N, at least 1.
    public let count: Int
    public var unit: ShardUnit

    public init(index: Int, count: Int, unit: ShardUnit = .automatic) throws {
        guard count >= 1 else { throw ConfigurationError("--shard K/N: N must be at least 1") }
        guard index >= 0, index < count else {
            throw ConfigurationError("--shard K/N: K must be from 0 to N-1 (got \(index)/\(count))")
        }
        self.index = index
        self.count = count
        self.unit = unit
    }

    /// Parses `K/N`, e.g. `0/4`.
    public init(parsing text: String, unit: ShardUnit = .automatic) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw ConfigurationError("--shard must be K/N with K from 0 to N-1, e.g. 0/4 (got '\(text)')")
        }
        try self.init(index: k, count: n, unit: unit)
    }

    public var description: String { "\(index)/\(count)" }

    /// The same shard with ``ShardUnit/automatic`` replaced by file or record for `inputs` inputs.
    public func resolved(inputs: Int) -> Shard {
        var s = self
        if s.unit == .automatic { s.unit = inputs >= count ? .file : .record }
        return s
    }

    /// Whether input `fileIndex` is read at all (always, when sharding by record).
    public func owns(fileIndex: Int) -> Bool {
        unit == .record || fileIndex % count == index
    }

    /// Whether the record on `line` of input `fileIndex` is this shard's (always, for a file
    /// this shard owns, when sharding by file).
    public func owns(line: Int, fileIndex: Int) -> Bool {
        switch unit {
        case .record: return (fileIndex + line - 1) % count == index
        case .file, .automatic: return fileIndex % count == index
        }
    }

    /// Drops the records of a batch that belong to other shards.
    public func filter(_ batch: inout RecordBatch) {
        guard unit == .record, count > 1 else { return }
        let fileIndex = batch.fileIndex
        batch.records.removeAll { !owns(line: $0.line, fileIndex: fileIndex) }
    }
}

/// How ``Shard`` splits the inputs (`--shard-by`).
public enum ShardUnit: String, Sendable, CaseIterable {
    /// By file when there are at least N inputs, by record otherwise.
    case automatic = "auto"
    case file
    case record
}
