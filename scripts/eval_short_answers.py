"""Every answer counts: the share of a real export of short remarks that a run counts, and
whether the short answers' sentiment is right.

Builds an export in the shape of a feedback-form download from the real, labelled sets under
~/.cache/voc_synth_dev/sentiment/<name>/raw/ (see docs/real_data.md; nothing from them is
committed): every record of at most `SHORT_WORDS` words, duplicates included ("good" from 286
diners is 286 answers), plus a seeded sample of longer records as the rest of the export. It
writes the export (`Response ID`, `Score`, `Comment`) to OUT/export/ and the labels to
OUT/labels.csv (outside the export), runs the CLI on the folder as a user would
(`voc-synth run OUT/export --out OUT/run`, zero-config), and prints:

- the share of non-empty records counted toward sentiment (a scored segment) and toward the
  totals (a document), overall and for the short ones, and why the rest were left out;
- for short answers with a positive or negative label: the share whose label the run matches,
  and the share not contradicted (a negative one labelled negative, a positive one not negative).

    python scripts/eval_short_answers.py --out /tmp/short_eval
    python scripts/eval_short_answers.py --out /tmp/short_eval_before --cli "env PYTHONPATH=/tmp/old/src python -m voc_synth"
    python scripts/eval_short_answers.py --out /tmp/short_eval --no-run     # figures from an earlier run
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT / "src", ROOT / "scripts"):
    if str(path) not in sys.path:  # run from a checkout without installing
        sys.path.insert(0, str(path))

from eval_sentiment_real import CACHE, LOADERS, available_domains  # noqa: E402

SHORT_WORDS = 4
LONGER_WORDS = (5, 40)
LONGER_RECORDS = 1500  # the rest of the export: enough for themes and stages to form
BAR = 0.95


def build_export(out: Path, seed: int = 0) -> pd.DataFrame:
    """Write OUT/export/remarks.csv and OUT/labels.csv; return the labelled rows."""
    frames = []
    for name in available_domains():
        frame = LOADERS[name](CACHE / name / "raw")
        frame = frame[frame["text"].astype(str).str.strip().str.len() > 0].assign(domain=name)
        frames.append(frame)
    records = pd.concat(frames, ignore_index=True)
    records["text"] = records["text"].astype(str).str.replace(r"[\x80-\x9f\u2028\u2029\r]", " ", regex=True).str.strip()
    words = records["text"].str.split().str.len()
    short = records[words <= SHORT_WORDS]
    longer = records[words.between(*LONGER_WORDS)]
    longer = longer.sample(min(LONGER_RECORDS, len(longer)), random_state=seed)
    export = pd.concat([short, longer]).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    export["response_id"] = [f"SR-{i:06d}" for i in range(1, len(export) + 1)]
    export["short"] = export["text"].str.split().str.len() <= SHORT_WORDS
    (out / "export").mkdir(parents=True, exist_ok=True)
    score = export["rating"].map(lambda r: "" if pd.isna(r) else f"{int(r)}")
    pd.DataFrame({"Response ID": export["response_id"], "Score": score, "Comment": export["text"]}).to_csv(
        out / "export" / "remarks.csv", index=False)
    export[["response_id", "domain", "label", "rating", "short"]].to_csv(out / "labels.csv", index=False)
    return export


def run_cli(cli: list[str], out: Path) -> None:
    command = [*cli, "run", str(out / "export"), "--out", str(out / "run")]
    print("$", " ".join(shlex.quote(c) for c in command), flush=True)
    subprocess.run(command, check=True)


def figures(out: Path) -> dict[str, Any]:
    """Counted shares and short answers' sentiment against their labels, from OUT/run."""
    from voc_synth.sentiment import document_sentiment

    labels = pd.read_csv(out / "labels.csv", keep_default_na=False, na_values={"rating": [""]})
    data = json.loads((out / "run" / "synthesis.json").read_text(encoding="utf-8"))
    documents = pd.DataFrame.from_records(data["documents"])
    segments = pd.DataFrame.from_records(data["segments"])
    manifest = data["meta"]["manifest"]
    # Rows are located as "row N" (N-th data row), whatever the run took as the id.
    row_of = {f"row {i}": rid for i, rid in enumerate(labels["response_id"], start=1)}
    documents["response_id"] = documents["locator"].map(row_of)
    segments = segments.merge(documents[["doc_id", "response_id"]], on="doc_id", how="left")
    scored = segments[pd.to_numeric(segments["sentiment"], errors="coerce").notna()]
    docs = document_sentiment(scored.assign(sentiment=pd.to_numeric(scored["sentiment"])), by="response_id")
    labels["in_totals"] = labels["response_id"].isin(documents["response_id"])
    labels["in_sentiment"] = labels["response_id"].isin(docs.index)
    labels["predicted"] = labels["response_id"].map(docs["sentiment_label"])

    def share(frame: pd.DataFrame, column: str) -> float:
        return round(float(frame[column].mean()), 4) if len(frame) else float("nan")

    short = labels[labels["short"]]
    polar = short[short["label"].isin(["positive", "negative"]) & short["in_sentiment"]]
    matched = polar["predicted"] == polar["label"]
    not_contradicted = (polar["label"] == "negative") & (polar["predicted"] == "negative") | (
        (polar["label"] == "positive") & (polar["predicted"] != "negative"))
    short_segments = segments[segments.get("theme_note", pd.Series("", index=segments.index)).fillna("") != ""]
    return {
        "records": int(len(labels)),
        "short_records": int(len(short)),
        "counted_sentiment": share(labels, "in_sentiment"),
        "counted_totals": share(labels, "in_totals"),
        "short_counted_sentiment": share(short, "in_sentiment"),
        "short_counted_totals": share(short, "in_totals"),
        "bar": BAR,
        "skipped_by_reason": manifest["totals"].get("skipped_by_reason", {}),
        "segments_not_themed": int(manifest["totals"].get("segments_not_themed", 0)),
        "short_with_sentiment_labelled_polar": int(len(polar)),
        "short_label_matched": round(float(matched.mean()), 4) if len(polar) else float("nan"),
        "short_not_contradicted": round(float(not_contradicted.mean()), 4) if len(polar) else float("nan"),
        "short_by_domain": {
            str(d): {"n": int(len(g)), "counted": share(g, "in_sentiment"),
                     "matched": round(float((g["predicted"] == g["label"])[g["label"].isin(["positive", "negative"])
                                                                       & g["in_sentiment"]].mean()), 4)}
            for d, g in short.groupby("domain")
        },
        "short_answers_on_a_stage": int((short_segments["stage"] != "unmapped").sum()) if len(short_segments) else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the export, labels and run")
    parser.add_argument("--cli", default=f"{sys.executable} -m voc_synth", help="how to call voc-synth")
    parser.add_argument("--no-run", action="store_true", help="read OUT/run from an earlier run")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not args.no_run:
        export = build_export(args.out)
        print(f"export: {len(export):,} records, {int(export['short'].sum()):,} of at most {SHORT_WORDS} words", flush=True)
        run_cli(shlex.split(args.cli), args.out)
    result = figures(args.out)
    print(json.dumps(result, indent=2))
    verdict = "meets" if result["short_counted_sentiment"] >= BAR and result["counted_sentiment"] >= BAR else "misses"
    print(f"counted toward sentiment: {result['counted_sentiment']:.1%} of records, "
          f"{result['short_counted_sentiment']:.1%} of short ones ({verdict} the {BAR:.0%} bar)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
