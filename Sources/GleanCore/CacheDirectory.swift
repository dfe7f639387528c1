import Foundation

/// Where Glean keeps what it compiles once and reuses on later runs (the default gazetteer's
/// compiled file, the expanded pattern packs), and how a file gets there.
///
/// The directory, first hit wins: `$GLEAN_CACHE_DIR` (the directory itself); else
/// `$XDG_CACHE_HOME/glean`; else `$HOME/.cache/glean`; else none (nothing is cached). A cache
/// that cannot be written is skipped: the caller compiles in memory, with the same result.
///
/// ```swift
/// CacheDirectory.path(environment: ["HOME": "/home/ann"])              // "/home/ann/.cache/glean"
/// CacheDirectory.path(environment: ["GLEAN_CACHE_DIR": "/tmp/c"])     // "/tmp/c"
/// CacheDirectory.store(bytes, as: "patterns-1f.bin")                  // false where it cannot
/// ```
public enum CacheDirectory {
    /// The environment variable that sets the directory.
    public static let environmentVariable = "GLEAN_CACHE_DIR"

    /// The cache directory for this environment, or nil when none can be named.
    public static func path(environment: [String: String] = ProcessEnvironment.variables) -> String? {
        if let dir = environment[environmentVariable], !dir.isEmpty { return dir }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/glean" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/glean" }
        return nil
    }

    /// Writes `bytes` to `directory/name` atomically (a temporary file beside it, then renamed
    /// into place, so that a reader sees the whole file or none), creating the directory.
    /// Returns false, leaving nothing behind, where that cannot be done.
    @discardableResult
    public static func store<Bytes: DataProtocol>(_ bytes: Bytes, as name: String, in directory: String) -> Bool {
        let target = directory + "/" + name
        let temporary = target + ".tmp-\(getpid())"
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil,
              (try? Data(bytes).write(to: URL(fileURLWithPath: temporary))) != nil else {
            try? FileManager.default.removeItem(atPath: temporary)
            return false
        }
        if rename(temporary, target) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            return false
        }
        return true
    }

    /// Removes the oldest files of `directory` whose names start with `prefix` and end with
    /// `suffix`, keeping the newest `keep` (by modification time): a cache keyed on its sources'
    /// bytes gets a new file whenever they change, and the old ones would otherwise pile up.
    public static func prune(_ directory: String, prefix: String, suffix: String, keep: Int) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        let matching = names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }
        guard matching.count > keep else { return }
        let dated = matching.map { name -> (name: String, date: Date) in
            let date = (try? fm.attributesOfItem(atPath: directory + "/" + name))?[.modificationDate] as? Date
            return (name, date ?? .distantPast)
        }
        for old in dated.sorted(by: { ($0.date, $0.name) > ($1.date, $1.name) }).dropFirst(keep) {
            try? fm.removeItem(atPath: directory + "/" + old.name)
        }
    }

    /// What identifies the running executable's build: its real path, size and modification
    /// time ("" where they cannot be read). A cache keyed on it is rebuilt after every rebuild of
    /// the program, so that a changed compiler of what is cached never reads an old file.
    public static let executableIdentity: String = {
        guard let exe = ModelsDirectory.executableURL(),
              let attributes = try? FileManager.default.attributesOfItem(atPath: exe.path) else { return "" }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(exe.path)|\(size)|\(modified)"
    }()
}
