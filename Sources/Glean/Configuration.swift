@_exported import GleanCore
@_exported import GleanIO
import GleanSegment

/// What `--emit` asks for. Stages whose output nothing needs do not run.
public struct EmitSet: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let tokens = EmitSet(rawValue: 1)
    public static let sents = EmitSet(rawValue: 2)
    public static let ents = EmitSet(rawValue: 4)
    public static let spans = EmitSet(rawValue: 8)
    public static let `default`: EmitSet = [.tokens, .sents, .ents]

    /// Parses "tokens,sents,ents,spans".
    public init(parsing list: String) throws {
        var set: EmitSet = []
        for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            switch item {
            case "tokens": set.insert(.tokens)
            case "sents": set.insert(.sents)
            case "ents": set.insert(.ents)
            case "spans": set.insert(.spans)
            default: throw ConfigurationError("--emit: unknown item '\(item)' (expected tokens, sents, ents, spans)")
            }
        }
        self = set
    }
}

/// A configuration that cannot work: a usage error, exit status 2, nothing written.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// How records are read and annotated; shared by all threads.
///
/// ```swift
/// var config = AnnotatorConfiguration()
/// config.emit = [.tokens, .ents]
/// let annotator = try Annotator(configuration: config)
/// let doc = try annotator.annotate("Flights from Sydney's airport resumed at 4pm.")
/// ```
public struct AnnotatorConfiguration: Sendable {
    /// Field holding the text; a dotted path `a.b` reaches into nested objects.
    public var textField = "text"
    /// Field holding the record's id (only used in error records).
    public var idField = "id"
    /// Language when a record has no `lang` field.
    public var defaultLanguage = "en"
    public var offsets: OffsetUnit = .codepoint
    public var emit: EmitSet = .default
    public var resolution: ResolutionPolicy = .longest
    /// Pattern and gazetteer stages, in the order they run.
    public var stages: [any AnnotationStage] = []
    /// Keep only entities with these labels (nil: all).
    public var labels: Set<String>? = nil
    /// In-document propagation after resolution (GleanNames' `Propagation`): later surnames
    /// and acronyms take the entity named in full earlier.
    public var propagation = true
    /// What the records are printed as (`--output-format`); JSONL by default.
    public var outputFormat: OutputFormat = .jsonl
    /// The entity stages see a document of more than 1.5 times this many bytes in windows of
    /// about this size, cut at line breaks or sentence starts (``EntityWindows``), so that their
    /// memory is bounded by the window; 0 never cuts.
    public var entityWindowBytes = EntityWindows.defaultTarget

    public init() {}
}

import Foundation
