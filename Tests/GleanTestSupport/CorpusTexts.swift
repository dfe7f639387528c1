import Foundation

/// Real text for differential tests: the committed sample corpus and, when fetched
/// (corpora/fetch.sh), the public corpora (English news, Chinese, Russian, German).
public enum CorpusTexts {
    /// The repository root, from this file's path.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func load(limitPerFile: Int = 400) throws -> [[UInt8]] {
        var texts: [[UInt8]] = []
        let files = ["corpora/sample/news.jsonl", "corpora/public/news.jsonl", "corpora/public/zh.jsonl",
                     "corpora/public/ru.jsonl", "corpora/public/de.jsonl"]
        var found: [String] = []
        for file in files {
            let url = root.appendingPathComponent(file)
            guard let data = try? Data(contentsOf: url) else { continue }
            found.append(file)
            for line in data.split(separator: 0x0A).prefix(limitPerFile) {
                if let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
                   let text = object["text"] as? String {
                    texts.append(Array(text.utf8))
                }
            }
        }
        print("corpus texts: \(texts.count) from \(found.joined(separator: ", "))")
        return texts
    }
}
