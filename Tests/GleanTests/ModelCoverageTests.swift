import Glean
import Testing

/// The warnings for `--labels` values no model gives and a `--lang` no model covers.
struct ModelCoverageTests {
    @Test func defaultModelsGiveTheirLabelsAndCoverEnglishOnly() throws {
        let stages = try ModelSelection().stages()
        let labels = ModelCoverage.labels(of: stages)
        for l in ["GPE", "DATE", "MONEY", "PERSON", "NORP"] { #expect(labels.contains(l)) }
        #expect(ModelCoverage.hasLanguageModels(stages, for: "en"))
        #expect(ModelCoverage.hasLanguageModels(stages, for: "en-AU"))
        #expect(!ModelCoverage.hasLanguageModels(stages, for: "de"))

        #expect(ModelCoverage.warnings(stages: stages, labels: ["GPE", "DATE"], lang: "en").isEmpty)
        let w = ModelCoverage.warnings(stages: stages, labels: ["GPE", "PLACE"], lang: "zh")
        #expect(w.count == 2)
        #expect(w[0].contains("--labels PLACE") && !w[0].contains("--labels GPE"))
        #expect(w[1].contains("--lang zh"))
    }
}
