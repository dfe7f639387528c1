import GleanCore
import GleanGazetteer
import GleanPatterns

/// What a set of entity stages can find: the labels they give and the languages they cover, so
/// that the command line can warn about a `--labels` value no model gives, or a `--lang` that no
/// language-specific model covers.
///
/// ```swift
/// let stages = try ModelSelection().stages()
/// ModelCoverage.labels(of: stages).contains("GPE")        // true
/// ModelCoverage.hasLanguageModels(stages, for: "de")      // false: English only today
/// ```
public enum ModelCoverage {
    /// Every label the stages can give (patterns, their labelled branches, gazetteer labels).
    public static func labels(of stages: [any AnnotationStage]) -> Set<String> {
        var labels = Set<String>()
        for stage in stages {
            if let p = stage as? PatternStage {
                for d in p.patterns.definitions {
                    labels.insert(d.label)
                    for b in d.branches { labels.insert(b.label) }
                }
            } else if let g = stage as? GazetteerStage {
                for gazetteer in g.gazetteers { labels.formUnion(gazetteer.labels) }
            }
        }
        labels.remove("")
        return labels
    }

    /// Whether any gazetteer or language-specific pattern applies to documents in `lang`
    /// (patterns with no `lang`, such as URLs and e-mail addresses, apply to every language and
    /// do not count).
    public static func hasLanguageModels(_ stages: [any AnnotationStage], for lang: String) -> Bool {
        let l = lang.lowercased()
        func matches(_ want: String) -> Bool {
            let w = want.lowercased()
            return l == w || l.hasPrefix(w + "-") || l.hasPrefix(w + "_")
        }
        for stage in stages {
            if let p = stage as? PatternStage, p.patterns.definitions.contains(where: { $0.lang.contains(where: matches) }) {
                return true
            }
            if let g = stage as? GazetteerStage, g.gazetteers.contains(where: { $0.applies(toLanguage: lang) }) {
                return true
            }
        }
        return false
    }

    /// The warnings `glean annotate` prints for these options: each `--labels` value that no
    /// stage gives, and a `--lang` that no language-specific model covers.
    public static func warnings(stages: [any AnnotationStage], labels wanted: Set<String>?, lang: String) -> [String] {
        var out: [String] = []
        let known = labels(of: stages)
        if let wanted {
            let unknown = wanted.subtracting(known).sorted()
            if !unknown.isEmpty {
                out.append("warning: --labels \(unknown.joined(separator: ",")): no model gives \(unknown.count == 1 ? "this label" : "these labels")"
                           + " (labels: \(known.sorted().joined(separator: ", ")))")
            }
        }
        if !stages.isEmpty, !hasLanguageModels(stages, for: lang) {
            var anyLang = Set<String>()
            for stage in stages {
                if let p = stage as? PatternStage {
                    for d in p.patterns.definitions where d.lang.isEmpty { anyLang.insert(d.label) }
                }
            }
            out.append("warning: --lang \(lang): no entity models for this language (the default gazetteer and the language-specific patterns are English only)"
                       + (anyLang.isEmpty ? "; no entities will be found" : "; only language-independent patterns run (\(anyLang.sorted().joined(separator: ", ")))"))
        }
        return out
    }
}
