import Foundation

/// Finds Glean's `Models` directory (pattern packs, gazetteers) from any working directory.
///
/// Search order, first hit wins:
/// 1. `$GLEAN_MODELS`, if set (it must then hold the wanted subdirectory, else nil: a wrong
///    setting is never papered over by another copy);
/// 2. beside the executable (its real path, symlinks resolved): `../share/glean/Models`
///    (an installed layout), then `Models` in the executable's directory and each of its parents
///    (a build tree: `.build/release/glean` finds the repository's `Models`);
/// 3. `Models` in the working directory and each of its parents.
///
/// ```swift
/// if let dir = ModelsDirectory.locate(containing: "patterns") {
///     // dir/patterns/default.yaml
/// }
/// ```
public enum ModelsDirectory {
    /// The environment variable that overrides the search.
    public static let environmentVariable = "GLEAN_MODELS"

    /// The first `Models` directory that has `subdirectory` in it (nil: none found).
    public static func locate(containing subdirectory: String = "patterns",
                              environment: [String: String] = ProcessEnvironment.variables,
                              executable: String? = nil) -> URL? {
        let fm = FileManager.default
        func holds(_ models: String) -> Bool {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: models + "/" + subdirectory, isDirectory: &isDir) && isDir.boolValue
        }
        if let env = environment[environmentVariable], !env.isEmpty {
            let url = URL(fileURLWithPath: env).standardizedFileURL
            return holds(url.path) ? url : nil
        }
        // The places beside the executable first, then (only if none holds it) the working
        // directory's; as paths, since each URL operation costs far more than the lookup.
        for candidate in executableCandidatePaths(executable.map { URL(fileURLWithPath: $0) }) where holds(candidate) {
            return URL(fileURLWithPath: candidate).standardizedFileURL
        }
        for candidate in workingDirectoryCandidatePaths() where holds(candidate) {
            return URL(fileURLWithPath: candidate).standardizedFileURL
        }
        return nil
    }

    /// Every place searched after the environment variable, in order.
    public static func candidates(executable: URL? = nil) -> [URL] {
        (executableCandidatePaths(executable) + workingDirectoryCandidatePaths()).map { URL(fileURLWithPath: $0) }
    }

    /// The places beside the executable (`executable`, else the running one's real path).
    static func executableCandidatePaths(_ executable: URL?) -> [String] {
        guard let exe = executable ?? executableURL() else { return [] }
        let dir = exe.deletingLastPathComponent()
        return [dir.path + "/../share/glean/Models"] + ancestors(of: dir).map { $0 == "/" ? "/Models" : $0 + "/Models" }
    }

    /// `Models` in the working directory and each of its parents.
    static func workingDirectoryCandidatePaths() -> [String] {
        ancestors(of: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).map { $0 == "/" ? "/Models" : $0 + "/Models" }
    }

    /// The directory (standardized: no "." or ".." left) and each of its parents up to "/".
    static func ancestors(of dir: URL) -> [String] {
        var d = dir.standardizedFileURL.path
        while d.count > 1 && d.hasSuffix("/") { d.removeLast() }
        var out = [d]
        while d != "/", let slash = d.lastIndex(of: "/") {
            d = slash == d.startIndex ? "/" : String(d[..<slash])
            out.append(d)
        }
        return out
    }

    /// The running executable's real path (worked out once: it does not change while it runs).
    static func executableURL() -> URL? { runningExecutable }

    private static let runningExecutable: URL? = {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path).resolvingSymlinksInPath()
        }
        #endif
        if let path = Bundle.main.executablePath { return URL(fileURLWithPath: path).resolvingSymlinksInPath() }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    }()

    /// The repository (or install) root: the folder that holds `Models` (for `corpora/`).
    public static func root() -> URL? {
        locate(containing: "patterns")?.deletingLastPathComponent()
    }
}
