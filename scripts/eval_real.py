"""Run voc_synth on real, public studies as a new user would, and print each issue's figures.

The studies are fetched at development time into `~/.cache/voc_synth_dev/` (never committed;
`docs/real_data.md` says where each came from and its licence). Each study folder holds
`study.json` (format, expected participants, the interviewer and participant labels as they
appear) and `transcripts/`; a human-coded study also holds `coding.json` (codebook and coded
passages) and, where the coding was done on a plain-text copy, `text/`.

For every study this runs the CLI exactly as a user would, with no config:

    voc-synth run --interviews FOLDER --out RUN

and reads the run folder back. Printed per study:

- files ingested / files; speakers found against participants expected; files where an
  interviewer was found; names leaked (occurrences of any interviewer or participant name in
  any file written); timestamp fragments in segment text;
- number of themes, largest theme's share of themed segments, unthemed share, groups;
- themes made of small talk or of non-English text (judged by lists in this script, not by the
  product's own detectors);
- quotes that start mid-sentence (the character before the quoted span, in the document, does
  not end a sentence or a speaker label);
- for a human-coded study: runs with the researchers' codebook in `themes.codebook`, and the
  share of coded passages whose segments land under the matching code, next to a plain
  embedding baseline (each segment to its most similar code): once with the codebook alone,
  once with the coded passages of a quarter of the files as the codes' examples (scored on the
  other files), as a partly coded project imported with `voc-synth import-codebook` gives.

    .venv/bin/python scripts/eval_real.py                       # every study in the cache
    .venv/bin/python scripts/eval_real.py --study ensemble_vis_interviews --json out.json
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_CACHE = Path.home() / ".cache" / "voc_synth_dev"
TIMESTAMP = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
# A timestamp read into a label leaves its minutes at the start of the text ("34 So we…"); a
# number said aloud starts a sentence too ("20 data sets"), so these are listed for a person.
LEADING_NUMBER = re.compile(r"^\s*\d{1,2}\b")
# Independent of the product's small-talk list: words that, as a theme's top keywords, mean the
# theme is about the call rather than the subject.
SMALL_TALK_WORDS = frozenset("""
luck bye goodbye hear hearing mute muted unmute screen sharing record recording recorded thanks thank
perfect cool awesome meet nice welcome pleasure hello hi morning afternoon audio camera zoom call
""".split())
FOREIGN_WORDS = frozenset("""
le la les des du une est et pas je il elle nous vous sont avec pour dans sur mais ce cette qui que
ne plus fait bien comme au aux coup donc alors voilà der die das und ist nicht ein eine mit auf
el los las muy con para por pero una está son lo del
""".split())


# `--src DIR` runs another checkout's package (e.g. a worktree of the last commit) for "before".
SRC: Path | None = None


REUSE = False


class RunFailed(RuntimeError):
    """The CLI refused the study (what a user would see is in the message)."""


def run_cli(args: list[str], log: Path) -> float:
    started = time.perf_counter()
    out = Path(args[args.index("--out") + 1])
    if REUSE and (out / "synthesis.json").exists():
        return 0.0
    cmd = [str(ROOT / ".venv" / "bin" / "python"), "-m", "voc_synth", "run", *args]
    with log.open("w") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, env=_env())
    if proc.returncode != 0:
        raise RunFailed(f"voc-synth exited {proc.returncode}: " + " ".join(log.read_text().split()[-40:]))
    return time.perf_counter() - started


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    if SRC is not None:
        env["PYTHONPATH"] = str(SRC)
    return env


def _supports_definition() -> bool:
    probe = "from voc_synth.config import CodebookEntry; print('definition' in CodebookEntry.model_fields)"
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", probe], capture_output=True, text=True, env=_env())
    return out.stdout.strip() == "True"


def written_text(run: Path) -> str:
    """Everything the run folder holds that a person could read, as one string."""
    parts = []
    for path in sorted(run.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix in (".xlsx", ".pptx", ".docx"):
            with zipfile.ZipFile(path) as zf:
                parts += [zf.read(n).decode("utf-8", "ignore") for n in zf.namelist() if n.endswith(".xml")]
        elif path.suffix in (".png", ".jpg", ".parquet", ".npy"):
            continue
        else:
            parts.append(path.read_text(encoding="utf-8", errors="ignore"))
    return "\n".join(parts)


def name_parts(study: dict, source: Path) -> list[str]:
    """Names to look for: every interviewer/participant label of the files run that is a
    person's name, and its parts of three letters or more. (A sampled study's other
    participants are third parties in the sampled files, not its speakers.)"""
    from voc_synth.ingest.speakers import GENERIC_LABELS, looks_like_person_name

    labels = [*study.get("interviewer_names", []), *study.get("participant_names", [])]
    if study.get("sample_files"):
        from voc_synth.ingest.encoding import read_text

        texts = "\n".join(read_text(p, "utf-8") for p in source.iterdir() if p.suffix in (".md", ".txt"))
        labels = [lb for lb in labels if re.search(rf"^[ \t]*(?:\*\*)?{re.escape(lb)}(?:\*\*)?[ \t]*:", texts, re.M)
                  or re.search(rf"^INTERVIEW(?:EE|ER)?:.*\b{re.escape(lb)}\b", texts, re.M)]
    names: set[str] = set()
    for label in labels:
        if GENERIC_LABELS.match(label) or not looks_like_person_name(label) or re.search(r"\d", label):
            continue
        names.add(label)
        names.update(p for p in label.replace(".", " ").split() if len(p) >= 3 and p[:1].isupper())
    return sorted(names)


def count_leaks(text: str, names: list[str]) -> Counter[str]:
    leaks: Counter[str] = Counter()
    for name in names:
        n = len(re.findall(rf"(?<![\w]){re.escape(name)}(?![\w])", text))
        if n:
            leaks[name] = n
    return leaks


def mid_sentence_share(quotes: pd.DataFrame, segments: pd.DataFrame, documents: pd.DataFrame) -> tuple[float, list[str]]:
    """Share of quotes whose span starts inside a sentence of its document."""
    if quotes.empty:
        return 0.0, []
    doc_text = dict(zip(documents["doc_id"], documents["text"], strict=True))
    seg = segments.set_index("segment_id")
    bad = []
    for sid in quotes["segment_id"]:
        row = seg.loc[sid]
        text = doc_text.get(row["doc_id"], "")
        before = text[: int(row["char_start"])]
        line_start = before.rfind("\n") + 1
        if re.fullmatch(r"[^\n:]{1,60}:\s*", before[line_start:]):   # right after "Speaker: "
            continue
        tail = before.rstrip()
        if not tail or tail[-1] in ".!?…\"”)]:":
            continue
        bad.append(str(text[int(row["char_start"]): int(row["char_start"]) + 60]))
    return len(bad) / len(quotes), bad


def theme_flags(themes: pd.DataFrame, segments: pd.DataFrame) -> tuple[list[str], list[str]]:
    small, foreign = [], []
    for _, t in themes.iterrows():
        keywords = t["keywords"] if isinstance(t["keywords"], list) else str(t["keywords"]).split("|")
        top = [k.lower() for k in keywords[:5]]
        words = [w for k in top for w in k.split()]
        if words and sum(w in SMALL_TALK_WORDS for w in words) >= max(2, len(words) // 2):
            small.append(str(t["label"]))
        texts = segments.loc[segments["theme_id"] == t["theme_id"], "text"].astype(str)
        share = np.mean([sum(w in FOREIGN_WORDS for w in s.lower().split()) >= 3 for s in texts]) if len(texts) else 0
        if share > 0.5:
            foreign.append(str(t["label"]))
    return small, foreign


def ingest_figures(study: dict, run: Path, source: Path) -> dict:
    from voc_synth.synthesis import Synthesis

    synthesis = Synthesis.load(run)
    manifest = synthesis.manifest
    files = [f for f in manifest["files"]]
    segments, themes, quotes, documents = synthesis.segments, synthesis.themes, synthesis.quotes, synthesis.documents
    interviews = [f for f in files if f.get("people") is not None]
    speakers = set(segments["participant"].astype(str)) - {""}
    people = [f["people"] for f in interviews]
    all_participants = {p for entry in people for p in entry["participants"]}
    themed = segments[segments["theme_id"] >= 0]
    sizes = themed["theme_id"].value_counts()
    small, foreign = theme_flags(themes, segments)
    mid, examples = mid_sentence_share(quotes, segments, documents)
    leaks = count_leaks(written_text(run), name_parts(study, source))
    return {
        "files": len(files),
        "files_ingested": sum(f["status"] == "ingested" for f in files),
        "participants_expected": study.get("participants_expected"),
        "participants_found": len(speakers),
        "speaker_labels_found": len(all_participants),
        "interviewer_found_in": sum(bool(p["interviewer"]) for p in people),
        "names_leaked": sum(leaks.values()),
        "leaked": dict(leaks.most_common(8)),
        "timestamp_fragments": int(segments["text"].astype(str).str.contains(TIMESTAMP).sum()),
        "segments_starting_with_a_number": segments.loc[segments["text"].astype(str).str.contains(LEADING_NUMBER),
                                                        "text"].astype(str).str.slice(0, 40).tolist()[:5],
        "segments": len(segments),
        "segment_drops": manifest.get("segment_drops", {}),
        "themes": len(themes),
        "groups": int(themes["group_id"].nunique()) if len(themes) else 0,
        "largest_theme_share": round(float(sizes.max() / len(themed)), 3) if len(themed) else 0.0,
        "unthemed_share": round(1 - len(themed) / len(segments), 3) if len(segments) else 0.0,
        "small_talk_themes": small,
        "non_english_themes": foreign,
        "quotes": len(quotes),
        "quotes_mid_sentence": round(mid, 3),
        "mid_sentence_examples": examples[:3],
        "top_labels": themes["label"].head(12).tolist(),
    }


# --- codebook agreement ----------------------------------------------------------------------------

def _norm_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def passage_segments(coding: dict, segments: pd.DataFrame) -> list[tuple[set[str], list[int]]]:
    """(codes, indices of the segments that carry the passage) for each coded passage.

    A passage coded under several codes is one passage with several acceptable codes (a segment
    can sit under one theme only). A segment carries a passage when at least half of the
    shorter one's word trigrams are shared (a short quote inside a longer segment, or a short
    segment inside a long coded passage)."""
    by_file: dict[str, list[int]] = {}
    for i, f in enumerate(segments["source_file"].astype(str)):
        by_file.setdefault(Path(f).stem, []).append(i)
    grams = [set(zip(w, w[1:], w[2:], strict=False)) for w in (_norm_words(t) for t in segments["text"].astype(str))]
    passages: dict[tuple[str, str], set[str]] = {}
    for c in coding["codings"]:
        passages.setdefault((Path(c["file"]).stem, " ".join(_norm_words(c["text"]))), set()).add(c["code"])
    out = []
    for (stem, text), codes in passages.items():
        words = text.split()
        pgrams = set(zip(words, words[1:], words[2:], strict=False))
        inside = [i for i in by_file.get(stem, [])
                  if grams[i] and pgrams and len(grams[i] & pgrams) / min(len(grams[i]), len(pgrams)) >= 0.5]
        out.append((codes, inside))
    return out


def agreement(pairs: list[tuple[set[str], list[int]]], labels: list[str]) -> dict:
    """Share of coded passages (that have segments) whose segments mostly sit under one of
    the passage's codes."""
    matched = [(codes, idx) for codes, idx in pairs if idx]
    if not matched:
        return {"passages": len(pairs), "with_segments": 0, "agreement": 0.0}
    hits = 0
    for codes, idx in matched:
        got = Counter(labels[i] for i in idx)
        hits += sum(got.get(code, 0) for code in codes) >= len(idx) / 2
    return {"passages": len(pairs), "with_segments": len(matched), "agreement": round(hits / len(matched), 3)}


# The share of a study's files (first by name) taken as hand-coded in the learned protocol.
HAND_CODED_SHARE = 0.25


def _codebook_entries(coding: dict) -> list[dict]:
    """The researchers' codebook as `themes.codebook` entries (name, definition, examples)."""
    codebook = []
    with_definition = _supports_definition()
    for entry in coding["codebook"]:
        examples = [e for e in entry.get("examples", []) if e]
        item = {"name": entry["name"], "examples": examples}
        if entry.get("definition"):
            if with_definition:
                item["definition"] = entry["definition"]
            else:  # an older checkout: the definition is the best example it can take
                item["examples"] = [entry["definition"], *examples]
        item["examples"] = item["examples"] or [entry["name"]]
        codebook.append(item)
    return codebook


def _codebook_run(codebook: list[dict], coding: dict, study: dict, out: Path, source: Path, name: str,
                  timings: dict) -> dict:
    """Run the CLI with `codebook`; agreement of `coding`'s passages and the nearest-anchor
    baseline (each segment's own text to the mean of its code's name, definition and examples)."""
    from voc_synth.config import CodebookEntry, EmbeddingConfig
    from voc_synth.embed import embed_texts
    from voc_synth.synthesis import Synthesis

    config = {"project": study["name"], "sources": [{"path": str(source), "type": "interview"}],
              "themes": {"codebook": codebook}}
    cfg_path = out / f"{name}.yaml"
    cfg_path.write_text(yaml.safe_dump(config, sort_keys=False))
    run = out / f"{name}-run"
    timings[name] = round(run_cli(["--config", str(cfg_path), "--out", str(run)], out / f"{name}.log"), 1)
    synthesis = Synthesis.load(run)
    segments = synthesis.segments.reset_index(drop=True)
    pairs = passage_segments(coding, segments)
    ours = agreement(pairs, segments["theme_label"].astype(str).tolist())
    texts = segments["text"].astype(str).tolist()
    emb = embed_texts(texts, EmbeddingConfig())
    anchors = np.stack([
        embed_texts(CodebookEntry(**e).texts, EmbeddingConfig()).mean(axis=0)
        for e in codebook])
    anchors /= np.linalg.norm(anchors, axis=1, keepdims=True)
    nearest = (emb @ anchors.T).argmax(axis=1)
    baseline = agreement(pairs, [codebook[j]["name"] for j in nearest])
    return {"agreement": ours, "baseline": baseline,
            "codebook_themes": int(synthesis.themes["is_codebook"].sum()) if len(synthesis.themes) else 0}


def codebook_figures(study_dir: Path, study: dict, out: Path, source: Path, timings: dict) -> dict:
    """Two protocols. *Codebook only*: the codes' names, definitions and examples as written,
    scored on every coded passage. *A quarter hand-coded*: the researchers' coded passages in
    the first quarter of the files (by name) join their codes' examples, as a codebook imported
    from a partly coded QDA project would carry them; scored on the other files' passages."""
    coding = json.loads((study_dir / "coding.json").read_text())
    codebook = _codebook_entries(coding)
    only = _codebook_run(codebook, coding, study, out, source, "codebook", timings)
    files = sorted({Path(c["file"]).stem for c in coding["codings"]})
    hand = set(files[: max(1, round(len(files) * HAND_CODED_SHARE))])
    taught = []
    for entry in codebook:
        passages = [c["text"] for c in coding["codings"] if c["code"] == entry["name"] and Path(c["file"]).stem in hand]
        taught.append({**entry, "examples": [*entry["examples"], *dict.fromkeys(" ".join(p.split()) for p in passages)]})
    rest = {"codebook": coding["codebook"],
            "codings": [c for c in coding["codings"] if Path(c["file"]).stem not in hand]}
    learned = _codebook_run(taught, rest, study, out, source, "codebook-quarter", timings)
    return {"codebook_agreement": only["agreement"], "baseline_agreement": only["baseline"],
            "codebook_themes": only["codebook_themes"],
            "hand_coded_files": f"{len(hand)}/{len(files)}",
            "quarter_agreement": learned["agreement"], "quarter_baseline": learned["baseline"]}


def evaluate_study(study_dir: Path, out_root: Path, with_codebook: bool) -> dict:
    study = json.loads((study_dir / "study.json").read_text())
    source = study_dir / study.get("run_folder", "transcripts")
    out = out_root / study_dir.name
    out.mkdir(parents=True, exist_ok=True)
    if study.get("sample_files"):
        # A large study is sampled to the size of a typical one (the first N files by name).
        import shutil

        chosen = sorted(p for p in source.iterdir() if p.is_file())[: int(study["sample_files"])]
        sample = out / "input"
        shutil.rmtree(sample, ignore_errors=True)
        sample.mkdir()
        for path in chosen:
            shutil.copy2(path, sample / path.name)
        source = sample
        study = {**study, "participants_expected": len(chosen)}
    run = out / "run"
    try:
        timings = {"run": round(run_cli(["--interviews", str(source), "--out", str(run)], out / "run.log"), 1)}
    except RunFailed as err:
        return {"files": len([p for p in source.iterdir() if p.is_file()]), "files_ingested": 0, "error": str(err)}
    figures = ingest_figures(study, run, source)
    if with_codebook and (study_dir / "coding.json").exists():
        figures.update(codebook_figures(study_dir, study, out, source, timings))
    figures["seconds"] = timings
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE / "interviews")
    parser.add_argument("--study", action="append", help="only these studies (folder names)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/voc_synth_eval_real"))
    parser.add_argument("--no-codebook", action="store_true", help="skip the codebook runs")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="read runs already in --out instead of running again")
    parser.add_argument("--src", type=Path, default=None, help="run the package from this src folder instead")
    args = parser.parse_args(argv)
    global SRC, REUSE
    SRC, REUSE = args.src, args.reuse
    studies = sorted(p for p in args.cache.iterdir() if (p / "study.json").exists())
    if args.study:
        studies = [p for p in studies if p.name in args.study]
    if not studies:
        print(f"No studies under {args.cache}; fetch them first (docs/real_data.md).", file=sys.stderr)
        return 2
    results = {}
    for study_dir in studies:
        print(f"== {study_dir.name}", flush=True)
        results[study_dir.name] = evaluate_study(study_dir, args.out, not args.no_codebook)
        for key, value in results[study_dir.name].items():
            print(f"  {key:24s} {value}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
