import ArgumentParser
import Foundation
import Glean

/// The `glean` command: a thin layer that parses options and hands them to the Glean library.
@main
struct GleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glean",
        abstract: "Annotate large text corpora fast: ICU tokens and sentences, PCRE2 patterns, gazetteer entities, as JSONL.",
        discussion: """
            Examples:
              glean annotate corpus.jsonl -o annotated.jsonl
              glean annotate corpus/ -o out/ --threads 8
              zcat news.jsonl.gz | glean annotate --emit tokens,sents > out.jsonl
              glean render annotated.jsonl -o page.html
              glean stats annotated.jsonl
            """,
        version: GleanVersion.line,
        subcommands: [AnnotateCommand.self, RenderCommand.self, StatsCommand.self, CompileCommand.self, GazetteerCommand.self, PatternsCommand.self, BenchCommand.self],
        defaultSubcommand: AnnotateCommand.self
    )

    /// Usage errors exit with status 2 (the contract), help and --version with 0.
    static func main() {
        if let message = unknownCommandMessage(Array(CommandLine.arguments.dropFirst())) {
            FileHandle.standardError.write(Data("glean: \(message)\n".utf8))
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let error as UsageError {
            FileHandle.standardError.write(Data("glean: \(error)\n".utf8))
            Foundation.exit(2)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("glean: \(error)\n".utf8))
            Foundation.exit(2)
        } catch let error as InputError {
            FileHandle.standardError.write(Data("glean: \(error)\n".utf8))
            Foundation.exit(2)
        } catch let error as OutputError {
            FileHandle.standardError.write(Data("glean: \(error)\n".utf8))
            Foundation.exit(2)
        } catch let error as ResumeError {
            FileHandle.standardError.write(Data("glean: \(error)\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data(("glean: " + message + "\n").utf8))
            Foundation.exit(code == .failure ? 1 : 2)
        }
    }
}

extension GleanCommand {
    /// The names a first argument can be: the subcommands and `help`.
    static var commandNames: [String] {
        configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
    }

    /// A usage error for a mistyped subcommand ("glean anotate" -> did you mean 'annotate'?).
    /// The first argument is taken as a subcommand's misspelling only when it is no file or
    /// directory, names no known command, and is within two edits of one; otherwise it is left
    /// to `annotate`, the default subcommand, as an input path.
    static func unknownCommandMessage(_ arguments: [String], fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !first.contains("/"), !first.contains("."),
              !commandNames.contains(first), !fileExists(first) else { return nil }
        let scored = commandNames.map { ($0, editDistance(first.lowercased(), $0)) }.sorted { $0.1 < $1.1 }
        guard let best = scored.first, best.1 <= 2, best.1 < best.0.count / 2 + 1 else { return nil }
        return "unknown command '\(first)'; did you mean 'glean \(best.0)'? (commands: \(commandNames.joined(separator: ", ")))"
    }

    /// Levenshtein distance with transpositions counted as one edit.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }
}

/// A usage or configuration error: status 2, nothing written.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
