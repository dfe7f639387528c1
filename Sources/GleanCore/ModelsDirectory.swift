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
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: String? = nil) -> URL? {
        let fm = FileManager.default
        func holds(_ models: URL) -> Bool {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: models.appendingPathComponent(subdirectory).path, isDirectory: &isDir) && isDir.boolValue
        }
        if let env = environment[environmentVariable], !env.isEmpty {
            let url = URL(fileURLWithPath: env).standardizedFileURL
            return holds(url) ? url : nil
        }
        for candidate in candidates(executable: executable.map { URL(fileURLWithPath: $0) }) where holds(candidate) {
            return candidate.standardizedFileURL
        }
        return nil
    }

    /// Every place searched after the environment variable, in order.
    public static func candidates(executable: URL? = nil) -> [URL] {
        var out: [URL] = []
        if let exe = executable ?? executableURL() {
            let dir = exe.deletingLastPathComponent()
            out.append(dir.appendingPathComponent("../share/glean/Models"))
            out += ancestors(of: dir).map { $0.appendingPathComponent("Models") }
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        out += ancestors(of: cwd).map { $0.appendingPathComponent("Models") }
        return out
    }

    static func ancestors(of dir: URL) -> [URL] {
        var out: [URL] = []
        var d = dir.standardizedFileURL
        while true {
            out.append(d)
            let parent = d.deletingLastPathComponent().standardizedFileURL
            if parent.path == d.path || d.path == "/" { break }
            d = parent
        }
        return out
    }

    /// The running executable's real path.
    static func executableURL() -> URL? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path).resolvingSymlinksInPath()
        }
        #endif
        if let path = Bundle.main.executablePath { return URL(fileURLWithPath: path).resolvingSymlinksInPath() }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    }

    /// The repository (or install) root: the folder that holds `Models` (for `corpora/`).
    public static func root() -> URL? {
        locate(containing: "patterns")?.deletingLastPathComponent()
    }
}
