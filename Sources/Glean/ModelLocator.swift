import Foundation

/// Finds the repository's `Models/` and `corpora/` folders from any working directory: the
/// `GLEAN_MODELS` variable, else the nearest ancestor of the executable's real path (then of the
/// working directory) that holds `Models/`.
public enum ModelLocator {
    public static func root() -> URL? {
        if let env = ProcessInfo.processInfo.environment["GLEAN_MODELS"], !env.isEmpty {
            return URL(fileURLWithPath: env).deletingLastPathComponent()
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for start in [executable.deletingLastPathComponent(), URL(fileURLWithPath: FileManager.default.currentDirectoryPath)] {
            var dir = start.standardizedFileURL
            while dir.path != "/" {
                if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Models").path) { return dir }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }

    /// The corpus `glean bench` uses by default.
    public static func defaultBenchmarkCorpus() -> [String] {
        guard let root = root() else { return [] }
        return ["corpora/sample/news.jsonl", "corpora/public/news.jsonl"]
            .map { root.appendingPathComponent($0).path }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }
}
