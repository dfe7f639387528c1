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
            """,
        version: GleanVersion.line,
        subcommands: [AnnotateCommand.self, CompileCommand.self, GazetteerCommand.self, PatternsCommand.self, BenchCommand.self],
        defaultSubcommand: AnnotateCommand.self
    )

    /// Usage errors exit with status 2 (the contract), help and --version with 0.
    static func main() {
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

/// A usage or configuration error: status 2, nothing written.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
