import Foundation

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
        if let path = environment["GLEAN_MODELS"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        let exe = executable ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? ""
        var dir = URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent()
        while true {
            let candidate = dir.appendingPathComponent("Models", isDirectory: true)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("gazetteers").path, isDirectory: &isDirectory),
               isDirectory.boolValue {
                return candidate
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
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
