import CPCRE2

/// Options of one pattern, as written under `flags` in a pattern file.
///
/// Every pattern is compiled for UTF-8 with Unicode properties (PCRE2 `UTF` + `UCP`): `\w`, `\d`,
/// `\b` and POSIX classes follow Unicode. `no-ucp` (alias `ascii`) makes them ASCII-only, which is
/// also much faster; write `[0-9]` where only ASCII digits are wanted.
/// `flags: [caseless, extended]` compiles `(?ix)`.
public struct PatternFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `caseless` (`i`): letters match either case.
    public static let caseless = PatternFlags(rawValue: 1 << 0)
    /// `multiline` (`m`): `^` and `$` match at line breaks too.
    public static let multiline = PatternFlags(rawValue: 1 << 1)
    /// `dotall` (`s`): `.` matches a newline too.
    public static let dotall = PatternFlags(rawValue: 1 << 2)
    /// `extended` (`x`): whitespace in the regex is ignored, `#` starts a comment.
    public static let extended = PatternFlags(rawValue: 1 << 3)
    /// `no-ucp` (alias `ascii`): `\d \w \s \b` and POSIX classes are ASCII-only.
    public static let noUCP = PatternFlags(rawValue: 1 << 4)
    /// `ungreedy` (`U`): quantifiers are lazy unless followed by `?`.
    public static let ungreedy = PatternFlags(rawValue: 1 << 5)

    /// The names accepted in a file, each with its flag.
    public static let names: [(String, PatternFlags)] = [
        ("caseless", .caseless), ("i", .caseless),
        ("multiline", .multiline), ("m", .multiline),
        ("dotall", .dotall), ("s", .dotall),
        ("extended", .extended), ("x", .extended),
        ("no-ucp", .noUCP), ("ascii", .noUCP),
        ("ungreedy", .ungreedy), ("U", .ungreedy),
    ]

    /// The PCRE2 compile options for these flags (always UTF; UCP unless `no-ucp`).
    var compileOptions: UInt32 {
        var o = UInt32(PCRE2_UTF) | UInt32(PCRE2_NEVER_BACKSLASH_C)
        if !contains(.noUCP) { o |= UInt32(PCRE2_UCP) }
        if contains(.caseless) { o |= UInt32(PCRE2_CASELESS) }
        if contains(.multiline) { o |= UInt32(PCRE2_MULTILINE) }
        if contains(.dotall) { o |= UInt32(PCRE2_DOTALL) }
        if contains(.extended) { o |= UInt32(PCRE2_EXTENDED) }
        if contains(.ungreedy) { o |= UInt32(PCRE2_UNGREEDY) }
        return o
    }

    /// The names of the flags that are set, canonical spelling.
    public var names: [String] {
        var out: [String] = []
        if contains(.caseless) { out.append("caseless") }
        if contains(.multiline) { out.append("multiline") }
        if contains(.dotall) { out.append("dotall") }
        if contains(.extended) { out.append("extended") }
        if contains(.noUCP) { out.append("no-ucp") }
        if contains(.ungreedy) { out.append("ungreedy") }
        return out
    }
}

/// Which capture group of a match is the entity.
///
/// `whole` (the default) is group 0. `group: 1` or `group: name` picks a capture, so that a cue
/// word can stay outside the entity: `(?:Mr|Mrs)\.? (?<name>[A-Z]\w+)` with `group: name` gives
/// "Smith" for "Mr. Smith". A match whose chosen group did not take part gives no span.
public enum PatternGroup: Sendable, Hashable, CustomStringConvertible {
    case whole
    case number(Int)
    case name(String)

    public var description: String {
        switch self {
        case .whole: "0"
        case .number(let n): "\(n)"
        case .name(let s): s
        }
    }
}

/// How a match's named groups turn into a normalised `value`.
///
/// - `date`: groups `year` (4 digits), `month` (1-12 or an English month name or its
///   abbreviation) and `day` give ISO 8601 `2023-03-02`; `year` and `month` alone give `2023-03`.
///   Instead of `day` and `month`, groups `a` and `b` hold a numeric day and month in either order
///   ("02/03/2023"): a value is given only when the order is certain (one of them is above 12, or
///   they are equal). No `year`, or an impossible date (31 April), gives no value.
/// - `time`: groups `hour`, `minute`, `second`, `ampm` (am, pm, a.m., p.m.) give `16:00` or
///   `09:57:30`; a group `word` holding "noon" or "midnight" gives `12:00` or `00:00`.
/// - `year`: group `year` (or the whole match) as 4 digits.
/// - `number`: the matched text without thousands separators (`1,234.5` -> `1234.5`).
/// - `era`: group `year` (1 to 4 digits) and an optional group `era` (BC, BCE, B.C., AD, CE ...)
///   give an ISO 8601 year in astronomical numbering: "300 BC" -> `-0299`, "AD 43" -> `0043`.
/// - `century`: group `century` (an ordinal, "4th" or "fourth") and an optional `era` give the
///   century as an ISO 8601 interval of years: "the 4th century" -> `0301/0400`, "the 5th
///   century BC" -> `-0499/-0400`.
public enum ValueKind: String, Sendable, CaseIterable {
    case date, time, year, number, era, century
}

/// A branch of a pattern that labels its own matches: when the named group `group` takes part in
/// a match, the span is that group (its offsets), with this label, value kind and priority.
///
/// It lets one regex (one pass over the text) find entities of several labels, each alternative
/// wrapped in its own group:
/// ```yaml
/// - name: numbers
///   regex: '(?<iso>[0-9]{4}-[0-9]{2}-[0-9]{2})|(?<pct>[0-9]+%)'
///   labels:
///     iso: {label: DATE, value: date}
///     pct: PERCENT
/// ```
/// The span's name is `pattern/group` ("numbers/iso"); the branch groups are not written under
/// `groups`. Global matching is that of the one regex: leftmost, and at one position the first
/// alternative that matches.
public struct PatternBranch: Sendable, Equatable {
    public var group: String
    public var label: String
    public var value: ValueKind?
    /// nil: the pattern's priority.
    public var priority: Int?
    /// A named group where the span starts when that group is set (see ``PatternDefinition/lead``).
    public var lead: String?

    public init(group: String, label: String, value: ValueKind? = nil, priority: Int? = nil, lead: String? = nil) {
        self.group = group
        self.label = label
        self.value = value
        self.priority = priority
        self.lead = lead
    }
}

/// One pattern of a pattern file, as written (before compilation).
///
/// ```yaml
/// - name: iso-date
///   label: DATE
///   regex: '\b(?<year>[0-9]{4})-(?<month>[0-9]{2})-(?<day>[0-9]{2})\b'
///   value: date
///   priority: 10
/// ```
public struct PatternDefinition: Sendable, Equatable {
    /// Unique within a ``PatternSet``; written on each span as `name`.
    public var name: String
    /// The entity label (`DATE`, `PERSON`, ...).
    public var label: String
    /// A PCRE2 regex.
    public var regex: String
    public var flags: PatternFlags = []
    public var group: PatternGroup = .whole
    /// Third key of the resolution order (higher wins a tie), default 0.
    public var priority: Int = 0
    /// Language tags this pattern is for (`en` also covers `en-AU`); empty: every language.
    public var lang: [String] = []
    public var value: ValueKind? = nil
    /// Branches that label their own matches (`labels` in a file); empty: every match is one
    /// span labelled `label`.
    public var branches: [PatternBranch] = []
    /// A declared prefilter: every match contains at least one of these strings, so a document
    /// holding none of them is skipped. The author vouches for it (the default pack's tests
    /// check it on real text); empty: no declared prefilter (the derived one still applies).
    public var requires: [String] = []
    /// Free text for the author and `glean patterns check`.
    public var description: String? = nil
    /// A named group that, when set, moves the span's start back to its own start: a capture in a
    /// lookbehind, so that a match can start at a rare byte (a digit) while the entity includes a
    /// word before it. `'(?<=(?<mod>about)[ ])?[0-9]+'` with `lead: mod` gives "about 60" for
    /// "about 60" and "60" for "60". nil: the span is the chosen group.
    public var lead: String? = nil
    /// Guards against catastrophic backtracking, per match call (nil: the set's default).
    public var matchLimit: UInt32? = nil
    public var depthLimit: UInt32? = nil
    /// In KiB, as PCRE2 counts it.
    public var heapLimit: UInt32? = nil
    /// The regex as written in a pack file, before `{{list}}` expansion (nil in a flat file).
    public var source: String? = nil
    /// Words before a match that belong to the entity (`lead: '{{modifiers}}'` in a pack file):
    /// when the text before the match is one of them and a space, with a word boundary before
    /// it, the span starts at that word (the longest one that fits). "about 60" with lead word
    /// "about" gives "about 60" while the match is "60". Sorted longest first.
    public var leadWords: [String] = []
    /// Words every match starts with (`start_words` in a pack file, expanded): each match starts
    /// at a run of ASCII letters, not preceded by one, that is one of these (the leading letters of
    /// each listed word: "Jan." gives "Jan"). The author vouches for it, as for `requires`; the plan
    /// then tries the pattern only at those words. Empty: the plan works out the start itself.
    public var startWords: [String] = []
    public var startWordsSource: [String] = []
    /// Words every match starts right after, followed by one space (`start_after_words`): the
    /// plan tries the pattern only there ("leader Xi": a cue word, then the name). Whole words of
    /// ASCII letters; the author vouches for it, as for `start_words`.
    public var startAfterWords: [String] = []
    public var startAfterWordsSource: [String] = []
    /// Words that follow every match's start within `startBeforeWithin` words
    /// (`start_before_words`, `start_before_within`): each match starts inside the run of at most
    /// that many words (runs of ASCII letters, `&`, `-`, `'`, `.` and non-ASCII bytes, each
    /// followed by one space) right before one of
    /// these words ("New South Wales Rural Fire Service": the head "Service" and the five words
    /// before it). The plan finds the words first and tries the pattern only in those runs.
    /// Whole words of ASCII letters; the author vouches for it, as for `start_words`.
    public var startBeforeWords: [String] = []
    public var startBeforeWordsSource: [String] = []
    public var startBeforeWithin: Int = 6
    /// `lead` as written in a pack file (list references and words), before expansion.
    public var leadSource: [String] = []
    /// Texts and the spans this pattern alone must give on them (`examples` in a file).
    public var examples: [PatternExample] = []
    /// Texts on which this pattern alone must give no span (`not` in a file).
    public var counterExamples: [PatternCounterExample] = []
    /// Where the pattern was defined (file and 1-based line), for messages.
    public var file: String = ""
    public var line: Int? = nil

    public init(name: String, label: String, regex: String, flags: PatternFlags = [],
                group: PatternGroup = .whole, priority: Int = 0, lang: [String] = [],
                value: ValueKind? = nil) {
        self.name = name
        self.label = label
        self.regex = regex
        self.flags = flags
        self.group = group
        self.priority = priority
        self.lang = lang
        self.value = value
    }

    /// The keys a pattern may have in a file.
    public static let allowedKeys = [
        "name", "label", "labels", "regex", "flags", "group", "priority", "lang", "value", "requires", "description", "lead",
        "match_limit", "depth_limit", "heap_limit", "examples", "not", "start_words", "start_after_words",
        "start_before_words", "start_before_within",
    ]
}

/// An example of a pattern: a text and the spans the pattern alone must give on it, in text
/// order (each its matched text, and where given its normalised value).
///
/// ```yaml
/// examples:
///   - {text: "Filed 2023-03-02.", span: 2023-03-02, value: 2023-03-02}
///   - {text: "4pm and 5pm", spans: [4pm, {text: 5pm, value: "17:00"}]}
/// ```
public struct PatternExample: Sendable, Equatable {
    public struct Expected: Sendable, Equatable {
        public var text: String
        public var value: String?
    }
    public var text: String
    public var spans: [Expected]
    public var line: Int?
}

/// A counter-example: a text on which the pattern alone gives no span (`not: [text]`).
public struct PatternCounterExample: Sendable, Equatable {
    public var text: String
    public var line: Int?
}
