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
    public static func locate(environment: [String: String] = ProcessEnvironment.variables,
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
                                   environment: [String: String] = ProcessEnvironment.variables) throws -> Gazetteer? {
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
        if let cached, FileManager.default.fileExists(atPath: cached) {
            let stamp = GazetteerValidationStamp(compiledFile: cached)
            if let g = try? Gazetteer.load(path: cached, validatedChecksum: stamp.checksum) {
                if stamp.checksum != g.checksum { stamp.record(g.checksum) }
                return g.restricted(toLanguages: defaultLanguages)
            }
        }
        let entries = try GazetteerSources.parseTSV([UInt8](data), file: path)
        let (image, _) = try GazetteerCompiler.compile(entries, options: GazetteerCompileOptions(), tokenize: tokenize)
        // Validated in memory (the structure; the checksum is the compiler's own).
        let g = try Gazetteer(image: image, origin: path, verifyChecksum: false)
        if let cacheDirectory, let cached, CacheDirectory.store(image, as: name, in: cacheDirectory) {
            GazetteerValidationStamp(compiledFile: cached).record(g.checksum)
        }
        return g.restricted(toLanguages: defaultLanguages)
    }
}

/// A note, beside a compiled gazetteer in the cache directory, that this build of the program
/// has validated the structure of that file's bytes: `default-KEY.glz.validated`, one line
/// `glz-validated <format version>|<executable identity>|<checksum in hex>`.
///
/// Opening a compiled file costs two passes: the checksum over every byte (damage), then the
/// structural validation of every slot, node and entry (bounds, so that a file whose checksum
/// is right but whose offsets are not cannot make a lookup read outside the mapping); on the
/// default gazetteer the second costs about four times the first. With a stamp whose checksum
/// matches, the checksum is still verified on every open, so a damaged file (a write, a
/// truncation, a changed byte on disk) is still found before it is used, and is then rebuilt;
/// only the validation is skipped, for bytes that this same build (the stamp names the
/// executable's path, size and modification time) has validated already. What that gives up:
/// a file crafted to collide with the checksum of a validated one (the checksum is not
/// cryptographic) would be trusted. The cache directory is the user's own, written only by
/// Glean, so this is the same trust as in the cached pattern pack and lexicon; a gazetteer
/// given on the command line is always validated in full.
///
/// ```swift
/// let stamp = GazetteerValidationStamp(compiledFile: "~/.cache/glean/default-1f.glz")
/// stamp.checksum            // nil: never validated by this build
/// stamp.record(0xfeed)      // after a full validation
/// GazetteerValidationStamp(compiledFile: "~/.cache/glean/default-1f.glz").checksum   // 0xfeed
/// ```
struct GazetteerValidationStamp {
    let path: String
    /// The checksum of the bytes this build validated, nil when there is no stamp for this build.
    let checksum: UInt64?

    /// The stamp's first part: the format and the program.
    static var prefix: String { "glz-validated \(GLZ.version)|\(CacheDirectory.executableIdentity)|" }

    init(compiledFile: String) {
        path = compiledFile + ".validated"
        // Without the executable's identity no build can be told from another: no stamp counts.
        guard !CacheDirectory.executableIdentity.isEmpty, let data = FileManager.default.contents(atPath: path),
              let line = String(data: data, encoding: .utf8), line.hasPrefix(Self.prefix), line.hasSuffix("\n") else {
            checksum = nil
            return
        }
        checksum = UInt64(line.dropFirst(Self.prefix.count).dropLast(), radix: 16)
    }

    /// Records that the bytes whose checksum is `checksum` were validated (nothing where the
    /// stamp cannot be written, or the executable's identity is unknown).
    func record(_ checksum: UInt64) {
        guard !CacheDirectory.executableIdentity.isEmpty else { return }
        let directory = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        CacheDirectory.store(Data((Self.prefix + String(checksum, radix: 16) + "\n").utf8), as: name, in: directory)
    }
}
