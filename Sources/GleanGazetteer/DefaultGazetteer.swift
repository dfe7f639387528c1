import Foundation
import GleanCore

/// Finds Glean's `Models/` directory and the default gazetteer in it, from any working directory.
///
/// Rules (the same as the pattern packs' lookup): the environment variable `GLEAN_MODELS` if set
/// (the `Models` directory itself); else the directories above the executable's real path
/// (symbolic links resolved), nearest first, until one holds `Models/gazetteers`. A binary at
/// `/repo/.build/release/glean` finds `/repo/Models`.
public enum GazetteerModels {
    /// The `Models` directory, or nil when none is found.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: String? = nil) -> URL? {
        if let path = environment[ModelsDirectory.environmentVariable], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return ModelsDirectory.locate(containing: "gazetteers", environment: environment, executable: executable)
    }

    /// The default gazetteer's source: `Models/gazetteers/default.tsv` (compiled in memory at
    /// start, smart case, common words already left out), or `default.glz` beside it if present.
    public static func defaultGazetteerPath(models: URL? = locate()) -> String? {
        guard let models else { return nil }
        let dir = models.appendingPathComponent("gazetteers")
        for name in ["default.glz", "default.tsv"] {
            let path = dir.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }
}

extension GazetteerModels {
    /// The document languages the default gazetteer applies to: English. Its names are English
    /// and international spellings, and its common-word filter knows English words only, so in
    /// other languages it would match everyday words ("Der Zug" -> Zug, Switzerland).
    public static let defaultLanguages: Set<String> = ["en"]

    /// Opens the default gazetteer: `default.glz` if the Models directory has one; else
    /// `default.tsv`, compiled once and kept in a cache (``CacheDirectory``: `$GLEAN_CACHE_DIR`,
    /// `$XDG_CACHE_HOME/glean` or `~/.cache/glean`), keyed on the source's bytes, the format version and `tokenizerIdentity`
    /// (e.g. the ICU version), so that later runs map the compiled file instead of compiling.
    /// When the cache cannot be written, it compiles in memory every time. The result applies to
    /// English documents only (``defaultLanguages``).
    public static func openDefault(tokenizerIdentity: String, tokenize: NameTokenizer,
                                   models: URL? = locate(),
                                   environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Gazetteer? {
        guard let path = defaultGazetteerPath(models: models) else { return nil }
        if path.hasSuffix(".glz") { return try Gazetteer.load(path: path).restricted(toLanguages: defaultLanguages) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GazetteerSourceError(file: path, line: 0, reason: "cannot read the file")
        }
        // The key: the format version and tokenizer, then the source's bytes, each checksummed
        // where it lies (the source is copied only when it has to be compiled).
        let prefix = Array("glz\(GLZ.version)|\(tokenizerIdentity)|".utf8)
        let prefixSum = prefix.withUnsafeBytes { GLZ.checksum($0.baseAddress!, $0.count) }
        let sourceSum = data.withUnsafeBytes { $0.baseAddress.map { GLZ.checksum($0, data.count) } ?? 0 }
        let key = TokenKey.mix(prefixSum ^ TokenKey.mix(sourceSum &+ 1))
        let cacheDirectory = CacheDirectory.path(environment: environment)
        let name = "default-" + String(key, radix: 16) + ".glz"
        let cached = cacheDirectory.map { $0 + "/" + name }
        if let cached, FileManager.default.fileExists(atPath: cached), let g = try? Gazetteer.load(path: cached) {
            return g.restricted(toLanguages: defaultLanguages)
        }
        let entries = try GazetteerSources.parseTSV([UInt8](data), file: path)
        let (image, _) = try GazetteerCompiler.compile(entries, options: GazetteerCompileOptions(), tokenize: tokenize)
        if let cacheDirectory { CacheDirectory.store(image, as: name, in: cacheDirectory) }
        return try Gazetteer(image: image, origin: path, verifyChecksum: false).restricted(toLanguages: defaultLanguages)
    }
}
