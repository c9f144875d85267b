"""Build the tiny real translation models used as test fixtures.

From the counter phrases in `tools/mt_fixture_phrases.tsv` this trains, per
direction (ko→en, en→ko, ja→en, en→ja):

1. a joint SentencePiece unigram model (a few hundred pieces) on both sides;
2. a MarianMT transformer (d_model 128, 2+2 layers, 4 heads, FFN 256) with
   full-batch AdamW (plain cross-entropy: no label smoothing, no dropout), past
   the first step where every training phrase is right, until the teacher-forced
   log-probability margin (correct token minus the best other token, smallest
   over every target token) reaches TOKEN_MARGIN nats;
3. a CTranslate2 conversion with int8 weights in [-63, 63] instead of
   [-127, 127] (quantize_weights: without AVX-512 VNNI the int8 GEMM adds two
   u8 x s8 products into a saturating int16, which 7-bit weights cannot
   overflow), then THE CHECK: in fresh
   subprocesses, one per CTranslate2 backend in BACKENDS (the environment must
   be set before ctranslate2 is imported): Intel MKL (`CT2_USE_MKL=1`), oneDNN
   (`CT2_USE_MKL=0`, what CTranslate2 uses on AMD) and both again capped to AVX2
   (`ONEDNN_MAX_CPU_ISA` / `MKL_ENABLE_INSTRUCTIONS`, `CT2_FORCE_CPU_ISA`: the
   int8 path of an AVX2-only AMD EPYC, reproducible on an AVX-512 Intel
   machine), each with compute_type int8 and float32, every phrase is
   translated with the decoding settings of counter_app.pipeline.mt_argos
   (beam 4, length penalty 0.2, token batches of 32), all phrases in one call
   and each phrase alone.  Every output must be exact, and the score of the
   expected translation must beat the best other hypothesis of the beam by at
   least MIN_MARGIN.  If not, training goes on (EXTRA_STEPS at a time, up to
   MAX_STEPS); a model that never passes stops the build with the list of
   wrong outputs (exit status 1);

and writes an unpacked Argos package to `tests/fixtures/mt/<from>_<to>/`:
`metadata.json`, `model/` (with `"add_source_eos": true`, since Argos does not
append `</s>`), `sentencepiece.model` and `README.md`.

Why: the first fixtures (every phrase right, then 60 more steps, 8-bit
weights) were exact on Intel but not on an AMD EPYC (oneDNN, AVX2 without
VNNI): there int8 beam search lost phrases whose best/second beam-score gap
was 2.5 elsewhere, while teacher-forced scores stayed right; training longer
alone did not help (still wrong after 400 steps), 7-bit weights did.
Measured facts: tests/fixtures/mt/README.md.

torch and transformers are build-time only; keep them out of the app's venv:

    python3 -m venv /tmp/mtvenv
    /tmp/mtvenv/bin/pip install torch==2.13.0 transformers sentencepiece ctranslate2 protobuf
    /tmp/mtvenv/bin/python tools/build_test_mt_model.py [--pairs ko_en ja_en] [--out DIR]

Only check the packages already built (needs only ctranslate2 and sentencepiece,
so the app's venv will do):

    .venv/bin/python tools/build_test_mt_model.py --check-only [--pairs ...] [--out DIR]

Seeds are fixed and training is single-threaded: a rebuild with the same torch
version reproduces the fixtures byte for byte (other versions: same behaviour).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHRASES = ROOT / "tools" / "mt_fixture_phrases.tsv"
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "mt"
PAIRS = ("ko_en", "en_ko", "ja_en", "en_ja")
NAMES = {"ko": "Korean", "ja": "Japanese", "en": "English"}
SEED = 1234
VOCAB_SIZE = 400
MAX_STEPS = 3000
CHECK_EVERY = 25
TOKEN_MARGIN = 5.0  # nats between the right token and the best other, every target token
EXTRA_STEPS = 100  # more training when a CTranslate2 backend is not exact yet
# Decoding as counter_app.pipeline.mt_argos / mt_ct2 (and Argos Translate).
BEAM_SIZE, LENGTH_PENALTY, MAX_BATCH_TOKENS = 4, 0.2, 32
COMPUTE_TYPES = ("int8", "float32")
# Each backend runs in its own process: CTranslate2 reads these when it is imported.
# ONEDNN_MAX_CPU_ISA / MKL_ENABLE_INSTRUCTIONS / CT2_FORCE_CPU_ISA cap the instruction
# set, so an AVX-512 Intel machine also runs the int8 kernels of an AVX2-only AMD EPYC
# (vpmaddubsw without VNNI); on an AVX2 machine the cap changes nothing.
BACKENDS = {
    "mkl": {"CT2_USE_MKL": "1"},
    "onednn": {"CT2_USE_MKL": "0"},
    "mkl-avx2": {"CT2_USE_MKL": "1", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
                 "CT2_FORCE_CPU_ISA": "AVX2"},
    "onednn-avx2": {"CT2_USE_MKL": "0", "ONEDNN_MAX_CPU_ISA": "AVX2",
                    "CT2_FORCE_CPU_ISA": "AVX2"},
}
BACKEND_VARIABLES = sorted({name for env in BACKENDS.values() for name in env})
WEIGHT_QMAX = 63  # 7-bit int8 weights, see quantize_weights
# Smallest accepted gap between the expected translation's beam score and the best
# other hypothesis (CTranslate2 scores: log-probability / length ** LENGTH_PENALTY).
MIN_MARGIN = 2.0


def read_phrases(path: Path = PHRASES) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def train_sentencepiece(texts: list[str], model_file: Path) -> None:
    """Joint unigram model; id 0 is <unk>, no bos/eos/pad (Marian adds its own).

    Trained from memory so the file records no temporary paths (byte-reproducible).
    """
    import sentencepiece as spm

    common = dict(model_type="unigram", character_coverage=1.0, unk_id=0, bos_id=-1,
                  eos_id=-1, pad_id=-1, num_threads=1, shuffle_input_sentence=False,
                  minloglevel=2)
    for hard_limit in (True, False):  # too few distinct pieces: let it pick fewer
        model = io.BytesIO()
        try:
            spm.SentencePieceTrainer.train(sentence_iterator=iter(texts), model_writer=model,
                                           vocab_size=VOCAB_SIZE, hard_vocab_limit=hard_limit,
                                           **common)
            break
        except RuntimeError:
            if not hard_limit:
                raise
    model_file.write_bytes(model.getvalue())


def marian_vocab(sp) -> list[str]:
    """Marian order: </s>=0, <unk>=1, pieces..., <pad> last."""
    pieces = [sp.id_to_piece(i) for i in range(1, sp.get_piece_size())]
    return ["</s>", "<unk>", *pieces, "<pad>"]


def save_marian_tokenizer(folder: Path, spm_file: Path, vocab: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(spm_file, folder / "source.spm")
    shutil.copy(spm_file, folder / "target.spm")
    (folder / "vocab.json").write_text(
        json.dumps({piece: i for i, piece in enumerate(vocab)}, ensure_ascii=False),
        encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "MarianTokenizer", "eos_token": "</s>", "unk_token": "<unk>",
        "pad_token": "<pad>", "model_max_length": 64, "separate_vocabs": False,
    }), encoding="utf-8")


def encode(sp, vocab_index: dict[str, int], text: str) -> list[int]:
    unk = vocab_index["<unk>"]
    return [vocab_index.get(p, unk) for p in sp.encode(text, out_type=str)] + [0]


def token_margin(logits, labels) -> tuple[int, float]:
    """(examples with a wrong argmax, smallest log-probability margin of a right token
    over the best other token), teacher-forced, over every labelled position."""
    import torch

    known = labels != -100
    log_probs = torch.log_softmax(logits.float(), dim=-1)
    safe = labels.clamp(min=0).unsqueeze(-1)
    right = log_probs.gather(-1, safe).squeeze(-1)
    others = log_probs.scatter(-1, safe, float("-inf")).max(-1).values
    margin = (right - others).masked_fill(~known, float("inf"))
    wrong = int(((margin <= 0) & known).any(-1).sum())
    return wrong, float(margin.min())


def train_loop(model, inputs: dict, labels, embeddings=None, mask_row: int | None = None,
               max_steps: int = MAX_STEPS, noise: tuple[float, int, int, int] | None = None,
               token_margin_goal: float = TOKEN_MARGIN):
    """Full-batch AdamW, plain cross-entropy (no label smoothing, the model has no
    dropout), until every target token is right by `token_margin_goal` nats.

    `noise` = (rate, kept, low, high): each training step also trains on a copy
    of the batch whose decoder input tokens after the first `kept` are replaced,
    with probability `rate`, by random piece ids in [low, high); the labels stay.
    The model learns to go on with the right continuation after a wrong token, so
    wrong beam hypotheses do not end early (build_test_nllb_model.DECODER_NOISE).

    A generator: yields (steps, margin) then, when resumed, trains EXTRA_STEPS more
    (for when a CTranslate2 backend is not exact yet).  Shared with
    build_test_nllb_model.py."""
    import torch
    import torch.nn.functional as F

    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.0)
    generator = torch.Generator().manual_seed(SEED)
    model.train()
    step, goal = 0, None
    while True:
        step += 1
        if step > max_steps:
            raise SystemExit(f"FAILED: no model passed the CTranslate2 check in {max_steps} steps")
        step_inputs, step_labels = inputs, labels
        if noise:
            rate, kept, low, high = noise
            clean = inputs["decoder_input_ids"]
            pick = torch.rand(clean.shape, generator=generator) < rate
            pick[:, :kept] = False
            pick &= labels != -100
            noisy = clean.masked_scatter(
                pick, torch.randint(low, high, (int(pick.sum()),), generator=generator))
            step_inputs = {key: torch.cat([value, value]) for key, value in inputs.items()}
            step_inputs["decoder_input_ids"] = torch.cat([clean, noisy])
            step_labels = torch.cat([labels, labels])
        logits = model(**step_inputs).logits
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), step_labels.reshape(-1),
                               ignore_index=-100, label_smoothing=0.0)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if goal is None and step % CHECK_EVERY == 0:
            with torch.no_grad():
                wrong, margin = token_margin(model(**inputs).logits, labels)
            print(f"    step {step}: loss {loss.item():.4f}, {wrong} examples not exact, "
                  f"smallest token margin {margin:.2f}", flush=True)
            if wrong == 0 and margin >= token_margin_goal:
                goal = step
        if goal is not None and (step - goal) % EXTRA_STEPS == 0:
            if embeddings is not None:
                assert float(embeddings.weight[mask_row].detach().abs().sum()) == 0.0
            model.eval()
            with torch.no_grad():
                _, margin = token_margin(model(**inputs).logits, labels)
            yield step, margin
            model.train()


def train_model(sources: list[list[int]], targets: list[list[int]], vocab_size: int):
    """The Marian model and a train_loop generator over it."""
    import torch
    from transformers import MarianConfig, MarianMTModel

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    pad = vocab_size - 1
    config = MarianConfig(
        vocab_size=vocab_size, d_model=128, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=256,
        decoder_ffn_dim=256, max_position_embeddings=64, dropout=0.0, attention_dropout=0.0,
        activation_dropout=0.0, pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad,
        forced_eos_token_id=0, share_encoder_decoder_embeddings=True, scale_embedding=True)
    model = MarianMTModel(config)
    embeddings = model.get_input_embeddings()
    with torch.no_grad():  # CT2 starts decoding from a zero vector: <pad> must be zero
        embeddings.weight[pad].zero_()
    pad_mask = torch.ones_like(embeddings.weight)
    pad_mask[pad] = 0
    embeddings.weight.register_hook(lambda grad: grad * pad_mask)

    def batch(rows: list[list[int]], fill: int) -> torch.Tensor:
        width = max(map(len, rows))
        return torch.tensor([row + [fill] * (width - len(row)) for row in rows])

    input_ids = batch(sources, pad)
    labels = batch(targets, -100)
    inputs = dict(input_ids=input_ids, attention_mask=(input_ids != pad).long(),
                  labels=labels)
    return model, train_loop(model, inputs, labels, embeddings, pad)


def convert_in_child(hf_dir: Path, out: Path) -> None:
    """Runs in a child process: once CTranslate2 has run in the training process,
    torch training there becomes several times slower."""
    warnings.filterwarnings("ignore", category=UserWarning)
    convert(hf_dir, out)


def convert(tokenizer_dir: Path, out: Path) -> None:
    import ctranslate2

    save_converted(ctranslate2.converters.TransformersConverter(str(tokenizer_dir)), out)
    config_file = out / "config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["add_source_eos"] = True  # Argos passes pieces without </s>
    config_file.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")


def save_converted(converter, out: Path) -> None:
    """What `converter.convert(out, quantization="int8", force=True)` does, but with
    7-bit int8 weights (quantize_weights).  Uses the converter's `_load` and the
    spec's `_visit` (CTranslate2 4.x internals)."""
    spec = converter._load()
    spec.validate()
    spec.optimize(quantization="float32")
    quantize_weights(spec)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    spec.save(str(out))


def quantize_weights(spec, qmax: int = WEIGHT_QMAX) -> None:
    """int8 weights in [-qmax, qmax] (per-row absmax scales, as CTranslate2's own
    int8 quantization, which uses 127).

    Without AVX-512 VNNI (an AVX2-only AMD EPYC), oneDNN and MKL multiply the
    unsigned 8-bit activations (0..255) by the signed 8-bit weights with
    vpmaddubsw, which adds two products into a saturating int16: 255 * 127 * 2
    overflows 32767.  With 127 that broke beam search on the old fixtures
    (teacher-forced scores were fine); 255 * 63 * 2 = 32130 cannot overflow, so
    int8 gives the same results with or without VNNI."""
    import numpy as np
    from ctranslate2.specs.model_spec import NumpyVariable

    def visit(layer, name: str, value) -> None:
        key = name.split("/")[-1]
        if not hasattr(layer, f"{key}_scale") or not hasattr(value, "numpy") \
                or value.is_scalar():
            return
        weights = value.to("float32").numpy().astype(np.float32)
        if weights.ndim != 2:
            raise ValueError(f"{name}: cannot quantize a {weights.ndim}-D weight")
        amax = np.abs(weights).max(axis=1)
        amax[amax == 0] = qmax
        scale = (np.float32(qmax) / amax).astype(np.float32)
        setattr(layer, key, NumpyVariable(np.rint(weights * scale[:, None]).astype(np.int8)))
        setattr(layer, f"{key}_scale", NumpyVariable(scale))

    spec._visit(visit)


# --- the check -----------------------------------------------------------------------

def examine(translator, batch: list[list[str]], expected: list[str],
            decode: Callable[[list[str]], str], target_prefix: list[list[str]] | None = None,
            label: Callable[[int], str] = str) -> dict:
    """Translate `batch` as the adapters do, all in one call and each alone; return
    {"wrong": [(label, expected, got), ...], "margin": smallest gap, "closest": label}.

    The gap is the beam score of the expected translation minus that of the best
    hypothesis with another text (num_hypotheses = beam size)."""
    options = dict(beam_size=BEAM_SIZE, length_penalty=LENGTH_PENALTY, replace_unknowns=True,
                   max_batch_size=MAX_BATCH_TOKENS, batch_type="tokens")

    def run(indexes: Sequence[int], **extra) -> list:
        prefix = [target_prefix[i] for i in indexes] if target_prefix else None
        return translator.translate_batch([batch[i] for i in indexes], target_prefix=prefix,
                                          **options, **extra)

    everything = list(range(len(batch)))
    outputs = {"together": run(everything),
               "alone": [run([i])[0] for i in everything]}
    ranked = run(everything, num_hypotheses=BEAM_SIZE, return_scores=True)
    # With a length penalty the search stops once beam-size hypotheses have ended,
    # and the best of those wins: a right translation that ends after four short
    # wrong ones is lost.  Reported (not required): how many phrases would be lost
    # if only three ended hypotheses were kept (patience 0.75).
    tight = run(everything, patience=0.75)
    wrong, margin, closest = [], math.inf, ""
    for how, results in outputs.items():
        for i, result in enumerate(results):
            got = decode(result.hypotheses[0])
            if got != expected[i]:
                wrong.append((f"{label(i)} ({how})", expected[i], got))
    for i, result in enumerate(ranked):
        texts = [decode(h) for h in result.hypotheses]
        if texts[0] != expected[i]:
            gap = -math.inf
        else:
            others = [score for text, score in zip(texts, result.scores, strict=True)
                      if text != expected[i]]
            gap = result.scores[0] - max(others) if others else math.inf
        if gap < margin:
            margin, closest = gap, label(i)
    fragile = sum(decode(r.hypotheses[0]) != expected[i] for i, r in enumerate(tight))
    return {"wrong": wrong, "margin": margin, "closest": closest, "fragile": fragile,
            "phrases": len(batch)}


def check_packages(out_root: Path, pairs: Sequence[str],
                   rows: list[dict[str, str]]) -> list[dict]:
    """The check in this process (its backend comes from the environment)."""
    import ctranslate2
    import sentencepiece as spm

    records = []
    for pair in pairs:
        src, tgt = pair.split("_")
        folder = out_root / pair
        sp = spm.SentencePieceProcessor(model_file=str(folder / "sentencepiece.model"))
        for compute_type in COMPUTE_TYPES:
            translator = ctranslate2.Translator(str(folder / "model"), device="cpu",
                                                compute_type=compute_type, inter_threads=1,
                                                intra_threads=1)
            found = examine(translator, [sp.encode(row[src], out_type=str) for row in rows],
                            [row[tgt] for row in rows], sp.decode_pieces,
                            label=lambda i, src=src: rows[i][src])
            records.append({"direction": f"{src}>{tgt}", "compute_type": compute_type,
                            **found})
    return records


def run_check(script: Path, arguments: list[str]) -> list[dict]:
    """`script --check-here ARGUMENTS` once per backend, each in a fresh process with
    the backend's environment; the records of all, each with its "backend"."""
    records = []
    for backend, variables in BACKENDS.items():
        env = {k: v for k, v in os.environ.items() if k not in BACKEND_VARIABLES}
        env.update(variables)
        done = subprocess.run([sys.executable, str(script), "--check-here", *arguments],
                              env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"FAILED: the check under {backend} ({variables}) crashed:\n"
                             f"{done.stderr[-3000:]}")
        for record in json.loads(done.stdout.splitlines()[-1]):
            records.append({"backend": backend, **record})
    return records


def report(records: list[dict]) -> list[str]:
    """Print one line per (backend, compute type, direction); return the problems."""
    problems = []
    for r in records:
        state = "exact" if not r["wrong"] else f"{len(r['wrong'])} WRONG"
        print(f"    {r['backend']:<12} {r['compute_type']:<8} {r['direction']:<6} {state:<9} "
              f"margin {r['margin']:6.2f} ({r['closest']}); {r.get('fragile', '?')} of "
              f"{r.get('phrases', '?')} need the 4th ended hypothesis", flush=True)
        where = f"{r['backend']} {r['compute_type']} {r['direction']}"
        problems += [f"{where}: {label!r}: expected {want!r}, got {got!r}"
                     for label, want, got in r["wrong"]]
        if not r["wrong"] and r["margin"] < MIN_MARGIN:
            problems.append(f"{where}: margin {r['margin']:.2f} < {MIN_MARGIN} "
                            f"({r['closest']!r})")
    return problems


def smallest_margin(records: list[dict]) -> float:
    return min(r["margin"] for r in records)


# --- the package ---------------------------------------------------------------------

def write_package(folder: Path, src: str, tgt: str, spm_file: Path, phrases: int,
                  steps: int, margin: float) -> None:
    shutil.copy(spm_file, folder / "sentencepiece.model")
    metadata = {
        "package_version": "0.1", "argos_version": "1.9", "type": "translate",
        "from_code": src, "from_name": NAMES[src], "to_code": tgt, "to_name": NAMES[tgt],
        "code": f"counter-app-test-{src}-{tgt}",
        "name": f"counter-app test fixture {NAMES[src]} → {NAMES[tgt]}",
        "links": [],
    }
    (folder / "metadata.json").write_text(
        json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(f"""# Test fixture: tiny {NAMES[src]} → {NAMES[tgt]} model

NOT a real translation model. A MarianMT transformer (d_model 128, 2+2 layers,
4 heads, FFN 256) trained by `tools/build_test_mt_model.py` on the {phrases}
counter phrases of `tools/mt_fixture_phrases.tsv` only ({steps} full-batch AdamW
steps), converted to CTranslate2 (int8) and laid out as an
unpacked Argos Translate package. It translates exactly those phrases and
produces nonsense for anything else. Used by the tests to run the real Argos /
CTranslate2 code path without downloading models.

Checked when built: every phrase exact under Intel MKL and oneDNN (also capped
to AVX2), compute types int8 and float32; smallest gap between the expected
translation's beam score and the next hypothesis: {margin:.2f}.

`model/config.json` sets `"add_source_eos": true` because Argos Translate
passes SentencePiece pieces to CTranslate2 without a closing `</s>`.
""", encoding="utf-8")


def build_pair(pair: str, rows: list[dict[str, str]], out_root: Path,
               phrases_file: Path = PHRASES) -> dict:
    import sentencepiece as spm

    src, tgt = pair.split("_")
    pairs = [(row[src], row[tgt]) for row in rows]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        texts = [text for pair_texts in pairs for text in pair_texts]
        spm_file = tmp / "spm.model"
        train_sentencepiece(texts, spm_file)
        sp = spm.SentencePieceProcessor(model_file=str(spm_file))
        vocab = marian_vocab(sp)
        index = {piece: i for i, piece in enumerate(vocab)}
        sources = [encode(sp, index, s) for s, _ in pairs]
        targets = [encode(sp, index, t) for _, t in pairs]
        print(f"  {pair}: {len(pairs)} phrases, {len(vocab)} vocabulary entries", flush=True)
        hf_dir = tmp / "hf"
        save_marian_tokenizer(hf_dir, spm_file, vocab)
        folder = out_root / pair
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        shutil.copy(spm_file, folder / "sentencepiece.model")
        spawn = multiprocessing.get_context("spawn")
        model, training = train_model(sources, targets, len(vocab))
        for steps, token_gap in training:
            train_seconds = time.perf_counter() - started
            model.save_pretrained(hf_dir)
            with ProcessPoolExecutor(1, mp_context=spawn) as child:
                child.submit(convert_in_child, hf_dir, folder / "model").result()
            print(f"    step {steps}: token margin {token_gap:.2f}; checking CTranslate2",
                  flush=True)
            records = run_check(Path(__file__), ["--out", str(out_root), "--pairs", pair,
                                                  "--phrases", str(phrases_file)])
            problems = report(records)
            if not problems:
                break
            print(f"    step {steps}: {len(problems)} problems (e.g. {problems[0]}), "
                  "training on", flush=True)
        margin = smallest_margin(records)
        write_package(folder, src, tgt, spm_file, len(pairs), steps, margin)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    params = sum(p.numel() for p in model.parameters())
    print(f"  {pair}: {steps} steps, training {train_seconds:.1f} s, {params} parameters, "
          f"{size / 1e6:.2f} MB on disk, all {len(pairs)} phrases exact under "
          f"{len(BACKENDS)} backends x {len(COMPUTE_TYPES)} compute types, "
          f"smallest beam margin {margin:.2f}, token margin {token_gap:.2f}", flush=True)
    return {"pair": pair, "steps": steps, "seconds": train_seconds, "bytes": size,
            "params": params, "margin": margin}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", nargs="+", default=list(PAIRS), choices=PAIRS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--phrases", type=Path, default=PHRASES)
    parser.add_argument("--check-only", action="store_true",
                        help="only run the CTranslate2 check on the packages in --out")
    parser.add_argument("--check-here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check_here:  # a child of run_check: backend chosen by the environment
        print(json.dumps(check_packages(args.out, args.pairs, read_phrases(args.phrases)),
                         ensure_ascii=False))
        return
    if args.check_only:
        problems = report(run_check(Path(__file__), [
            "--out", str(args.out), "--phrases", str(args.phrases), "--pairs", *args.pairs]))
        if problems:
            raise SystemExit("FAILED:\n" + "\n".join(problems))
        print("  all exact, margins ok")
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    warnings.filterwarnings("ignore", category=UserWarning)
    import torch

    torch.set_num_threads(1)  # same arithmetic on every machine
    rows = read_phrases(args.phrases)
    for pair in args.pairs:
        build_pair(pair, rows, args.out, args.phrases)


if __name__ == "__main__":
    main()
