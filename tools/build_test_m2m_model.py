"""Build the tiny real M2M-100-layout translation model used as a test fixture.

The app's permissive default for Vietnamese is M2M-100 418M (MIT) converted to
CTranslate2 (docs/mt_models.md).  This builds a tiny model laid out like that
conversion, so the real CTranslate2 / SentencePiece path of the "m2m100" format
of counter_app/pipeline/mt_ct2.py runs offline in the tests:

1. a joint SentencePiece unigram model over ja, en and vi, trained on the 16
   counter phrases of `tools/m2m_fixture_phrases.tsv` (a subset of
   mt_fixture_phrases.tsv with a Vietnamese column);
2. an M2M-100 transformer (d_model 128, 2+2 layers, 4 heads, FFN 256) whose
   vocabulary is M2M-100's: `<s> <pad> </s> <unk>`, the pieces, the language
   tokens `__en__ __ja__ __vi__`, then `madeupword0..1` (added by the
   converter, as in the real conversion).  Source = `[__src__] + pieces +
   </s>`; the decoder starts from `</s>` with the target token forced first.
   Full-batch AdamW, plain cross-entropy, the learning rate decaying (cosine)
   from 2e-3 to 5e-5 over DECAY_STEPS, each step also on a copy of the batch
   with decoder-input noise (DECODER_NOISE: random pieces, labels unchanged),
   until every target token's teacher-forced margin reaches TOKEN_MARGIN nats.
   Without noise the check failed at every step tried (225-525): with a length
   penalty CTranslate2's beam search stops once 4 hypotheses have ended, and a
   wrong one that ends at once ("The fee is three hundred?" </s>) beat the
   right one to it; the noise teaches the model to go on after a wrong word;
3. a CTranslate2 conversion (TransformersConverter's M2M-100 loader, int8 weights
   in [-63, 63]: see tests/fixtures/mt/README.md), the vocabulary written as
   `shared_vocabulary.txt` like the upstream conversion the catalog names
   (michaelfeil/ct2fast-m2m100_418M, CTranslate2 3.13); then the check of
   build_test_mt_model: one fresh process per backend (MKL, oneDNN, both capped
   to AVX2), compute types int8 and float32, every phrase of all six directions
   exact with the decoding mt_ct2 uses and a beam margin >= MIN_MARGIN; else
   training goes on (EXTRA_STEPS at a time, up to MAX_STEPS).

Writes `tests/fixtures/mt_ct2/tiny-m2m/`: `model.bin`, `config.json`,
`shared_vocabulary.txt`, `sentencepiece.bpe.model`, `counter-model.json`, `README.md`.

torch and transformers are build-time only; keep them out of the app's venv:

    /tmp/mtvenv/bin/python tools/build_test_m2m_model.py [--out DIR]
    .venv/bin/python tools/build_test_m2m_model.py --check-only [--out DIR]

Seeds are fixed and training is single-threaded (same torch version: same bytes).
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.build_test_mt_model import (  # noqa: E402
    BACKENDS,
    COMPUTE_TYPES,
    examine,
    read_phrases,
    report,
    run_check,
    save_converted,
    smallest_margin,
    token_margin,
)

DEFAULT_OUT = ROOT / "tests" / "fixtures" / "mt_ct2" / "tiny-m2m"
PHRASES = ROOT / "tools" / "m2m_fixture_phrases.tsv"
LANGUAGES = ("ja", "en", "vi")
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # M2M-100 / fairseq order
BOS, PAD, EOS, UNK = range(4)
MADEUP_WORDS = 2  # M2M-100 ends its vocabulary with madeupword0..7; the converter adds them
SEED = 1234
VOCAB_SIZE = 320
MAX_STEPS = 3000
TOKEN_MARGIN = 4.0
# Decoder-input noise (build_test_mt_model.train_loop): each step also trains on a copy
# of the batch whose decoder inputs after </s> and the language token are replaced by
# random pieces at this rate, labels unchanged, so a wrong beam hypothesis goes on with
# the right words instead of ending at once ("... three hundred?" </s>).  0 = off.
DECODER_NOISE = 0.1
# Learning rate: cosine from LEARNING_RATE to FINAL_LEARNING_RATE over DECAY_STEPS, then
# flat.  With noise a constant 2e-3 left the clean token margin bouncing at 2-3 nats.
LEARNING_RATE, FINAL_LEARNING_RATE, DECAY_STEPS = 2e-3, 5e-5, 600
CHECK_EVERY, EXTRA_STEPS = 25, 100
VOCABULARY_FILE = "shared_vocabulary.txt"


def language_tokens() -> dict[str, str]:
    """M2M-100's language tokens: `__xx__` with the ISO 639-1 code."""
    return {code: f"__{code}__" for code in LANGUAGES}


def train_sentencepiece(texts: list[str], vocab_size: int = VOCAB_SIZE) -> bytes:
    """Joint unigram model; id 0 is <unk>, no bos/eos/pad (the model vocabulary adds them).

    Trained from memory so the file records no temporary paths (byte-reproducible).
    """
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts), model_writer=model, vocab_size=vocab_size,
        hard_vocab_limit=False, model_type="unigram", character_coverage=1.0, unk_id=0,
        bos_id=-1, eos_id=-1, pad_id=-1, num_threads=1, shuffle_input_sentence=False,
        minloglevel=2)
    return model.getvalue()


def model_vocabulary(sp, tokens: dict[str, str] | None = None) -> list[str]:
    """M2M-100 and NLLB order: <s> <pad> </s> <unk>, the pieces, the language tokens
    (sorted)."""
    tokens = tokens or language_tokens()
    pieces = [sp.id_to_piece(i) for i in range(1, sp.get_piece_size())]
    return [*SPECIALS, *pieces, *sorted(tokens.values())]


def examples(rows: list[dict[str, str]], sp, index: dict[str, int],
             codes=LANGUAGES, tokens: dict[str, str] | None = None):
    """(source ids, decoder input ids, labels) for every phrase in all directions."""
    tokens = tokens or language_tokens()
    found = []
    for source in codes:
        for target in codes:
            if source == target:
                continue
            for row in rows:
                src = [index.get(p, UNK) for p in sp.encode(row[source], out_type=str)]
                tgt = [index.get(p, UNK) for p in sp.encode(row[target], out_type=str)]
                found.append(([index[tokens[source]], *src, EOS],
                              [EOS, index[tokens[target]], *tgt],
                              [-100, *tgt, EOS]))  # the forced target token is not learnt
    return found


def prepare(rows: list[dict[str, str]], folder: Path, codes=LANGUAGES,
            tokens: dict[str, str] | None = None, vocab_size: int = VOCAB_SIZE):
    """SentencePiece over every phrase (written to `folder`), the vocabulary and its
    index, and the training examples: (sp, vocabulary, data).  Shared with
    tools/build_test_nllb_model.py."""
    import sentencepiece as spm

    tokens = tokens or language_tokens()
    spm_file = folder / "sentencepiece.bpe.model"
    spm_file.write_bytes(train_sentencepiece([row[code] for row in rows for code in codes],
                                             vocab_size))
    sp = spm.SentencePieceProcessor(model_file=str(spm_file))
    vocabulary = model_vocabulary(sp, tokens)
    index = {token: i for i, token in enumerate(vocabulary)}
    return sp, vocabulary, examples(rows, sp, index, codes, tokens)


def train_model(data, vocab_size: int, noise_rate: float = DECODER_NOISE,
                token_margin: float = TOKEN_MARGIN):
    """The M2M-100 model (MADEUP_WORDS unused rows at the end) and its train_loop."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    config = M2M100Config(
        vocab_size=vocab_size + MADEUP_WORDS, d_model=128, encoder_layers=2,
        decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
        encoder_ffn_dim=256, decoder_ffn_dim=256, max_position_embeddings=256, dropout=0.0,
        attention_dropout=0.0, activation_dropout=0.0, encoder_layerdrop=0.0,
        decoder_layerdrop=0.0, pad_token_id=PAD, bos_token_id=BOS, eos_token_id=EOS,
        decoder_start_token_id=EOS, scale_embedding=True, tie_word_embeddings=True)
    model = M2M100ForConditionalGeneration(config)

    def batch(rows: list[list[int]], fill: int) -> torch.Tensor:
        width = max(map(len, rows))
        return torch.tensor([row + [fill] * (width - len(row)) for row in rows])

    input_ids = batch([s for s, _, _ in data], PAD)
    labels = batch([t for _, _, t in data], -100)
    inputs = dict(input_ids=input_ids, attention_mask=(input_ids != PAD).long(),
                  decoder_input_ids=batch([d for _, d, _ in data], PAD))
    noise = (noise_rate, 2, len(SPECIALS), vocab_size - len(LANGUAGES)) if noise_rate else None
    return model, train_loop(model, inputs, labels, noise, token_margin)


def train_loop(model, inputs: dict, labels, noise: tuple[float, int, int, int] | None,
               token_margin_goal: float):
    """build_test_mt_model.train_loop with a decaying learning rate: full-batch AdamW,
    plain cross-entropy, each step also on a noisy copy of the batch (decoder inputs
    after the first `kept` replaced by random pieces in [low, high) at `rate`; labels
    unchanged).  Yields (steps, clean margin) once every example is right by
    `token_margin_goal` nats, then every EXTRA_STEPS more steps."""
    import math

    import torch
    import torch.nn.functional as F

    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.0)
    generator = torch.Generator().manual_seed(SEED)
    model.train()
    step, goal = 0, None
    while True:
        step += 1
        if step > MAX_STEPS:
            raise SystemExit(f"FAILED: no model passed the CTranslate2 check in {MAX_STEPS} steps")
        progress = min(1.0, step / DECAY_STEPS)
        for group in optimizer.param_groups:
            group["lr"] = FINAL_LEARNING_RATE + 0.5 * (LEARNING_RATE - FINAL_LEARNING_RATE) \
                * (1 + math.cos(math.pi * progress))
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
                               ignore_index=-100)
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
            model.eval()
            with torch.no_grad():
                _, margin = token_margin(model(**inputs).logits, labels)
            yield step, margin
            model.train()


def convert_in_child(hf_dir: Path, out: Path, vocabulary: list[str]) -> None:
    """Runs in a child process (torch trains slower once CTranslate2 ran in-process)."""
    warnings.filterwarnings("ignore", category=UserWarning)
    convert(hf_dir, out, vocabulary)


def convert(hf_dir: Path, out: Path, vocabulary: list[str]) -> None:
    """TransformersConverter given our vocabulary instead of a Hugging Face tokenizer
    (the M2M-100 loader reads only these fields; it appends the madeup words).
    Weights int8 in [-63, 63]; the vocabulary rewritten as .txt (one token a line)."""
    import ctranslate2

    class Vocabulary:
        bos_token, pad_token, eos_token, unk_token = SPECIALS
        unk_token_id = UNK

        def __init__(self, tokens: list[str]):
            self.tokens = tokens
            self.special_tokens_map = {
                "additional_special_tokens": sorted(language_tokens().values())}

        def get_vocab(self) -> dict[str, int]:
            return {token: i for i, token in enumerate(self.tokens)}

        def convert_ids_to_tokens(self, token_id: int) -> str:
            return self.tokens[token_id]

    class Converter(ctranslate2.converters.TransformersConverter):
        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            return Vocabulary(vocabulary)

    save_converted(Converter(str(hf_dir)), out)
    tokens = json.loads((out / "shared_vocabulary.json").read_text(encoding="utf-8"))
    (out / VOCABULARY_FILE).write_text("".join(f"{t}\n" for t in tokens), encoding="utf-8")
    (out / "shared_vocabulary.json").unlink()


def check_model(model_dir: Path, rows: list[dict[str, str]]) -> list[dict]:
    """The check in this process (backend from the environment), decoding as mt_ct2."""
    return check_directions(model_dir, rows, LANGUAGES, language_tokens())


def check_directions(model_dir: Path, rows: list[dict[str, str]], codes, tokens: dict
                     ) -> list[dict]:
    """Every direction among `codes`, every compute type: the source starts with its
    language token, the target token is forced first (as mt_ct2 decodes M2M-100 and
    NLLB layouts alike).  Shared with tools/build_test_nllb_model.py."""
    import ctranslate2
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model_dir / "sentencepiece.bpe.model"))
    specials = {"</s>", *tokens.values()}

    def decode(hypothesis: list[str]) -> str:
        return sp.decode_pieces([t for t in hypothesis[1:] if t not in specials]).strip()

    records = []
    for compute_type in COMPUTE_TYPES:
        translator = ctranslate2.Translator(str(model_dir), device="cpu",
                                            compute_type=compute_type, inter_threads=1,
                                            intra_threads=1)
        for source in codes:
            for target in codes:
                if source == target:
                    continue
                batch = [[tokens[source], *sp.encode(row[source], out_type=str), "</s>"]
                         for row in rows]
                found = examine(translator, batch, [row[target] for row in rows], decode,
                                target_prefix=[[tokens[target]]] * len(batch),
                                label=lambda i, source=source: rows[i][source])
                records.append({"direction": f"{source}>{target}",
                                "compute_type": compute_type, **found})
    return records


def write_description(folder: Path, rows: int, steps: int, margin: float, size: int,
                      noise_rate: float) -> None:
    description = {
        "name": "tiny-m2m", "engine": "ct2", "format": "m2m100", "languages": list(LANGUAGES),
        "pairs": "any", "license": "MIT", "version": "0.1",
        "source": "tools/build_test_m2m_model.py",
    }
    (folder / "counter-model.json").write_text(
        json.dumps(description, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    noise = f", decoder-input noise {noise_rate}" if noise_rate else ""
    (folder / "README.md").write_text(f"""# Test fixture: tiny multilingual model in M2M-100 layout

NOT a real translation model. An M2M-100 transformer (d_model 128, 2+2
layers, 4 heads, FFN 256) trained by `tools/build_test_m2m_model.py` on the
{rows} counter phrases of `tools/m2m_fixture_phrases.tsv` in all six
directions among Japanese, English and Vietnamese ({steps} full-batch AdamW
steps{noise}), converted to CTranslate2 with 7-bit int8 weights (see
`../../mt/README.md` for why 7 bits). {size / 1e6:.2f} MB.
It translates exactly those phrases and produces nonsense for anything else.
The tests use it to run the real CTranslate2 / SentencePiece path of the
"m2m100" format of `counter_app/pipeline/mt_ct2.py` offline
(`tests/test_mt_ct2.py`), the layout of the app's permissive default for
Vietnamese (M2M-100 418M, MIT; see `docs/mt_models.md`).

Checked when built: every phrase exact in all six directions under Intel MKL
(`CT2_USE_MKL=1`) and oneDNN (`CT2_USE_MKL=0`), both also capped to AVX2,
compute types int8 and float32; smallest gap between the expected
translation's beam score and the next hypothesis: {margin:.2f} (required: 2.0).
Check again: `.venv/bin/python tools/build_test_m2m_model.py --check-only`.

Without decoder-input noise (the recipe of the other fixtures) no build passed
that check (steps 225-525 tried): with a length penalty CTranslate2's beam
search stops once 4 hypotheses have ended, and short wrong ones ("The fee is
three hundred?") ended before the right one, on every backend alike. Training
also on a noisy copy of the batch (random pieces in the decoder input, labels
unchanged) teaches the model to go on after a wrong word; the decaying
learning rate then lets the margins grow.

Layout as in the CTranslate2 conversion of M2M-100 418M that the catalog
names (`michaelfeil/ct2fast-m2m100_418M`): `model.bin`, `config.json`,
`shared_vocabulary.txt` (one token a line), `sentencepiece.bpe.model`, plus
our `counter-model.json` (format "m2m100", languages, pairs "any", licence
"MIT" as the real model's). The vocabulary follows M2M-100: `<s> <pad> </s>
<unk>`, the SentencePiece pieces, the language tokens `__en__ __ja__ __vi__`,
then `madeupword0 madeupword1`. Source tokens are `[__src__] + pieces +
</s>`; the target language token is given as `target_prefix` and stripped
from the output.
""", encoding="utf-8")


def build(out: Path, noise_rate: float = DECODER_NOISE,
          token_margin: float = TOKEN_MARGIN) -> dict:

    rows = read_phrases(PHRASES)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        spm_file = tmp / "sentencepiece.bpe.model"
        sp, vocabulary, data = prepare(rows, tmp)
        print(f"  {len(data)} examples, {len(vocabulary)} vocabulary entries", flush=True)
        hf_dir = tmp / "hf"
        spawn = multiprocessing.get_context("spawn")
        model, training = train_model(data, len(vocabulary), noise_rate, token_margin)
        for steps, token_gap in training:
            train_seconds = time.perf_counter() - started
            model.save_pretrained(hf_dir)
            with ProcessPoolExecutor(1, mp_context=spawn) as child:
                child.submit(convert_in_child, hf_dir, out, vocabulary).result()
            shutil.copy(spm_file, out / "sentencepiece.bpe.model")
            print(f"    step {steps}: token margin {token_gap:.2f}; checking CTranslate2",
                  flush=True)
            records = run_check(Path(__file__), ["--out", str(out)])
            problems = report(records)
            if not problems:
                break
            print(f"    step {steps}: {len(problems)} problems (e.g. {problems[0]}), "
                  "training on", flush=True)
    margin = smallest_margin(records)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    write_description(out, len(rows), steps, margin, size, noise_rate)
    params = sum(p.numel() for p in model.parameters())
    print(f"  tiny-m2m: {steps} steps, training {train_seconds:.1f} s, {params} parameters, "
          f"{size / 1e6:.2f} MB, all {len(rows)} phrases exact in 6 directions under "
          f"{len(BACKENDS)} backends x {len(COMPUTE_TYPES)} compute types, smallest beam "
          f"margin {margin:.2f}, token margin {token_gap:.2f}", flush=True)
    return {"steps": steps, "seconds": train_seconds, "bytes": size, "margin": margin}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check-only", action="store_true",
                        help="only run the CTranslate2 check on the model in --out")
    parser.add_argument("--decoder-noise", type=float, default=DECODER_NOISE,
                        help="rate of decoder-input noise in training (default %(default)s)")
    parser.add_argument("--token-margin", type=float, default=TOKEN_MARGIN,
                        help="teacher-forced margin (nats) before the first check "
                             "(default %(default)s)")
    parser.add_argument("--check-here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check_here:  # a child of run_check: backend chosen by the environment
        print(json.dumps(check_model(args.out, read_phrases(PHRASES)), ensure_ascii=False))
        return
    if args.check_only:
        problems = report(run_check(Path(__file__), ["--out", str(args.out)]))
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
    build(args.out, args.decoder_noise, args.token_margin)


if __name__ == "__main__":
    main()
