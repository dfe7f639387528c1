"""Data-table tests of the gold-set tooling and the quality scoring (no corpus, no Glean needed).

    Benchmarks/.venv/bin/python -m unittest discover -s Benchmarks/tests -v
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "gold"))
import gold  # noqa: E402
import quality  # noqa: E402

TEXT = "Sydney's west. In Sydney, 20 people; anyone? One of two, one more."


class FindTests(unittest.TestCase):
    # (pattern, search from, expected (start, end) or None)
    TABLE = [
        ("Sydney", 0, (0, 6)),                 # followed by an apostrophe: a boundary
        ("Sydney", 1, (18, 24)),               # the next whole-word mention
        ("one", 0, (57, 60)),                  # not inside "anyone", not "One" (case matters)
        ("One", 0, (45, 48)),
        ("\u27e6one\u27e7 more", 0, (57, 60)),  # context picks the mention
        ("two, \u27e6one\u27e7", 0, (57, 60)),
        ("ydney", 0, None),                    # never inside a word
        ("20 people", 0, (26, 35)),
        ("Melbourne", 0, None),
    ]

    def test_table(self):
        for pattern, pos, want in self.TABLE:
            with self.subTest(pattern=pattern, pos=pos):
                got = gold.find(TEXT, pattern, pos)
                self.assertEqual(got, want)
                if got:
                    self.assertEqual(TEXT[got[0]:got[1]], pattern.split("\u27e6")[-1]
                                     .split("\u27e7")[0])


class ScoreTests(unittest.TestCase):
    def score(self, gold_ents, pred):
        g = {"id": "d", "ents": [[s, e, l, TEXT[s:e]] for s, e, l in gold_ents]}
        return quality.score([(g, TEXT)], {"d": pred})

    def test_exact_and_overlap(self):
        gold_ents = [(0, 6, "GPE"), (18, 24, "GPE"), (26, 35, "CARDINAL")]
        pred = [(0, 6, "GPE"),          # exact hit
                (18, 24, "ORG"),        # wrong label
                (26, 28, "CARDINAL"),   # boundary: overlap hit, exact miss
                (45, 48, "CARDINAL")]   # spurious
        r = self.score(gold_ents, pred)
        t = r["table"]
        self.assertEqual((t["exact"]["GPE"]["tp"], t["exact"]["GPE"]["pred"],
                          t["exact"]["GPE"]["gold"]), (1, 1, 2))
        self.assertEqual(t["exact"]["CARDINAL"]["tp"], 0)
        self.assertEqual(t["overlap"]["CARDINAL"]["tp"], 1)
        self.assertAlmostEqual(t["overlap"]["CARDINAL"]["precision"], 0.5)
        self.assertAlmostEqual(t["overlap"]["CARDINAL"]["recall"], 1.0)
        self.assertAlmostEqual(t["overlap"]["ALL"]["precision"], 2 / 4)
        self.assertAlmostEqual(t["overlap"]["ALL"]["recall"], 2 / 3)
        kinds = {k[0] for k in r["fp"]}
        self.assertIn("wrong label (gold GPE)", kinds)
        self.assertIn("spurious", kinds)
        self.assertIn("boundary", kinds)
        self.assertEqual(dict(r["misses"]["GPE"]), {"Sydney": 1})

    def test_one_to_one_and_unscored(self):
        # Two predictions inside one gold entity: the second is a split, not a hit.
        r = self.score([(26, 35, "CARDINAL")],
                       [(26, 28, "CARDINAL"), (29, 35, "CARDINAL"), (0, 6, "EMAIL")])
        t = r["table"]["overlap"]["CARDINAL"]
        self.assertEqual((t["tp"], t["pred"]), (1, 2))
        self.assertEqual(r["unscored"]["EMAIL"], 1)
        self.assertTrue(any(k[0].startswith("split") for k in r["fp"]))



class SplitTests(unittest.TestCase):
    # (id, split, kind): held-out documents are scored for the final figures only
    TABLE = [
        ("lee-1", "dev", "news"),
        ("lee-292", "dev", "news"),
        ("lee-293", "heldout", "news"),
        ("lee-300", "heldout", "news"),
        ("ny-1", "dev", "encyclopedia"),
        ("berlin-2", "heldout", "encyclopedia"),
        ("wiki-estonia-1", "dev", "encyclopedia"),
        ("news-group-10", "dev", "forum"),
    ]

    def test_table(self):
        for doc_id, split, kind in self.TABLE:
            with self.subTest(doc_id=doc_id):
                self.assertEqual(gold.split_of(doc_id), split)
                self.assertEqual(gold.kind_of(doc_id), kind)

    def test_subsets_keep_splits_apart(self):
        docs = [({"id": i, "split": gold.split_of(i), "kind": gold.kind_of(i), "ents": []}, "")
                for i, _, _ in self.TABLE]
        for split, kind, part in quality.subsets(docs):
            for g, _ in part:
                self.assertEqual(g["split"], split)
                if kind != "all":
                    self.assertEqual(g["kind"], kind)

if __name__ == "__main__":
    unittest.main()
