"""Build the tiny real multilingual (NLLB-layout) translation model used as a test fixture.

From the counter phrases in `tools/mt_fixture_phrases.tsv` this trains one
model for all six directions among ja, ko and en, laid out like the
CTranslate2 conversions of NLLB-200:

1. a joint SentencePiece unigram model over the three languages;
2. an M2M-100 transformer (the NLLB-200 architecture; d_model 128, 2+2 layers,
   4 heads, FFN 256) whose vocabulary is NLLB's: `<s> <pad> </s> <unk>`, the
   pieces, then the language tokens `eng_Latn jpn_Jpan kor_Hang` (from the
   registry's `nllb` codes).  Source = `[source token] + pieces + </s>`; the
   decoder starts from `</s>` with the target token forced first, so the
   language tokens alone decide the direction.  Full-batch AdamW until every
   training phrase comes out exactly;
3. a CTranslate2 conversion (int8) with `TransformersConverter`, checked with
   the decoding counter_app.pipeline.mt_ct2 uses (target_prefix, beam 4,
   length penalty 0.2);

and writes `tests/fixtures/mt_ct2/tiny-nllb/`: `model.bin`, `config.json`,
`shared_vocabulary.json`, `sentencepiece.bpe.model`, `counter-model.json`,
`README.md`.

torch and transformers are build-time only; keep them out of the app's venv:

    /work/mtvenv/bin/python tools/build_test_nllb_model.py [--out DIR]

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

from counter_app import languages  # noqa: E402  (pure Python, no app dependencies)
from tools.build_test_mt_model import PHRASES, read_phrases  # noqa: E402

DEFAULT_OUT = ROOT / "tests" / "fixtures" / "mt_ct2" / "tiny-nllb"
LANGUAGES = ("ja", "ko", "en")
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # NLLB / fairseq order
BOS, PAD, EOS, UNK = range(4)
SEED = 1234
VOCAB_SIZE = 700
MAX_STEPS = 4000
CHECK_EVERY = 25
EXTRA_STEPS = 60  # keep training a little after the first all-exact check (margin)
BEAM_SIZE, LENGTH_PENALTY = 4, 0.2  # as counter_app.pipeline.mt_ct2


def language_tokens() -> dict[str, str]:
    return {code: languages.get(code).nllb for code in LANGUAGES}


def train_sentencepiece(texts: list[str]) -> bytes:
    """Joint unigram model; id 0 is <unk>, no bos/eos/pad (the model vocabulary adds them).

    Trained from memory so the file records no temporary paths (byte-reproducible).
    """
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts), model_writer=model, vocab_size=VOCAB_SIZE,
        hard_vocab_limit=False, model_type="unigram", character_coverage=1.0, unk_id=0,
        bos_id=-1, eos_id=-1, pad_id=-1, num_threads=1, shuffle_input_sentence=False,
        minloglevel=2)
    return model.getvalue()


def model_vocabulary(sp) -> list[str]:
    """NLLB order: <s> <pad> </s> <unk>, the pieces, then the language tokens (sorted)."""
    pieces = [sp.id_to_piece(i) for i in range(1, sp.get_piece_size())]
    return [*SPECIALS, *pieces, *sorted(language_tokens().values())]


def examples(rows: list[dict[str, str]], sp, index: dict[str, int]):
    """(source ids, decoder input ids, labels) for every phrase in all six directions."""
    tokens = language_tokens()
    found = []
    for source in LANGUAGES:
        for target in LANGUAGES:
            if source == target:
                continue
            for row in rows:
                src = [index.get(p, UNK) for p in sp.encode(row[source], out_type=str)]
                tgt = [index.get(p, UNK) for p in sp.encode(row[target], out_type=str)]
                found.append(([index[tokens[source]], *src, EOS],
                              [EOS, index[tokens[target]], *tgt],
                              [-100, *tgt, EOS]))  # the forced target token is not learnt
    return found


def train_model(data, vocab_size: int):
    """Full-batch AdamW until teacher-forced argmax reproduces every target.

    A generator: yields (model, steps) then, when resumed, trains EXTRA_STEPS more
    (for when the CTranslate2 decoding is not exact yet).
    """
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    config = M2M100Config(
        vocab_size=vocab_size, d_model=128, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=256,
        decoder_ffn_dim=256, max_position_embeddings=256, dropout=0.0, attention_dropout=0.0,
        activation_dropout=0.0, encoder_layerdrop=0.0, decoder_layerdrop=0.0,
        pad_token_id=PAD, bos_token_id=BOS, eos_token_id=EOS, decoder_start_token_id=EOS,
        scale_embedding=True, tie_word_embeddings=True)
    model = M2M100ForConditionalGeneration(config)

    def batch(rows: list[list[int]], fill: int) -> torch.Tensor:
        width = max(map(len, rows))
        return torch.tensor([row + [fill] * (width - len(row)) for row in rows])

    input_ids = batch([s for s, _, _ in data], PAD)
    attention_mask = (input_ids != PAD).long()
    decoder_input_ids = batch([d for _, d, _ in data], PAD)
    labels = batch([t for _, _, t in data], -100)
    inputs = dict(input_ids=input_ids, attention_mask=attention_mask,
                  decoder_input_ids=decoder_input_ids, labels=labels)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.0)
    model.train()
    exact_since = None
    step = 0
    while True:
        step += 1
        if step > MAX_STEPS:
            raise SystemExit(f"not exact after {MAX_STEPS} steps")
        loss = model(**inputs).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % CHECK_EVERY == 0 and exact_since is None:
            with torch.no_grad():
                logits = model(**inputs).logits
            known = labels != -100
            wrong = int(((logits.argmax(-1) != labels) & known).any(-1).sum())
            print(f"    step {step}: loss {loss.item():.4f}, {wrong} examples not exact",
                  flush=True)
            if wrong == 0:
                exact_since = step
        if exact_since is not None and step > exact_since \
                and (step - exact_since) % EXTRA_STEPS == 0:
            model.eval()
            yield model, step
            model.train()


def convert_and_check(hf_dir: Path, out: Path, spm_file: Path, vocabulary: list[str],
                      rows: list[dict[str, str]]) -> list[tuple[str, str, str, str]]:
    """Runs in a child process: once a CTranslate2 translator has run in the
    training process, torch training there becomes several times slower."""
    warnings.filterwarnings("ignore", category=UserWarning)
    convert(hf_dir, out, vocabulary)
    return check_ct2(out, spm_file, rows)


def convert(hf_dir: Path, out: Path, vocabulary: list[str]) -> None:
    """TransformersConverter (what ct2-transformers-converter runs), given our vocabulary
    instead of a Hugging Face tokenizer: the M2M-100 loader reads only these fields."""
    import ctranslate2

    class Vocabulary:
        bos_token, pad_token, eos_token, unk_token = SPECIALS
        unk_token_id = UNK
        num_madeup_words = 0

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

    Converter(str(hf_dir)).convert(str(out), quantization="int8", force=True)


def check_ct2(model_dir: Path, spm_file: Path,
              rows: list[dict[str, str]]) -> list[tuple[str, str, str, str]]:
    """Translate like counter_app.pipeline.mt_ct2; return what came out wrong."""
    import ctranslate2
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(spm_file))
    tokens = language_tokens()
    specials = {"</s>", *tokens.values()}
    wrong = []
    for compute_type in ("int8", "auto", "float32"):
        translator = ctranslate2.Translator(str(model_dir), compute_type=compute_type)
        for source in LANGUAGES:
            for target in LANGUAGES:
                if source == target:
                    continue
                batch = [[tokens[source], *sp.encode(row[source], out_type=str), "</s>"]
                         for row in rows]
                results = translator.translate_batch(
                    batch, target_prefix=[[tokens[target]]] * len(batch),
                    beam_size=BEAM_SIZE, length_penalty=LENGTH_PENALTY, replace_unknowns=True,
                    max_batch_size=32, batch_type="tokens")
                for row, result in zip(rows, results, strict=True):
                    pieces = [t for t in result.hypotheses[0][1:] if t not in specials]
                    got = sp.decode_pieces(pieces)
                    if got != row[target]:
                        wrong.append((compute_type, f"{source}>{target}", row[source], got))
    return wrong


def write_description(folder: Path, rows: int, steps: int) -> None:
    description = {
        "name": "tiny-nllb", "engine": "ct2", "format": "nllb", "languages": list(LANGUAGES),
        "pairs": "any", "license": "test fixture", "version": "0.1",
        "source": "tools/build_test_nllb_model.py",
    }
    (folder / "counter-model.json").write_text(
        json.dumps(description, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(f"""# Test fixture: tiny multilingual model in NLLB-200 layout

NOT a real translation model. An M2M-100 transformer (the NLLB-200
architecture; d_model 128, 2+2 layers, 4 heads, FFN 256) trained by
`tools/build_test_nllb_model.py` on the {rows} counter phrases of
`tools/mt_fixture_phrases.tsv` in all six directions among Japanese, Korean
and English ({steps} full-batch AdamW steps), converted to CTranslate2 (int8).
It translates exactly those phrases and produces nonsense for anything else.
The tests use it to run the real CTranslate2 / SentencePiece path of
`counter_app/pipeline/mt_ct2.py` offline (`tests/test_mt_ct2.py`).

Layout as in the CTranslate2 conversions of NLLB-200 (`model.bin`,
`config.json`, `shared_vocabulary.json`, `sentencepiece.bpe.model`) plus our
`counter-model.json` (format "nllb", languages, pairs "any", licence).
The vocabulary follows NLLB: `<s> <pad> </s> <unk>`, the SentencePiece
pieces, then the language tokens `eng_Latn jpn_Jpan kor_Hang`. Source tokens
are `[source language token] + pieces + </s>`; the target language token is
given as `target_prefix` and stripped from the output.
""", encoding="utf-8")


def build(out: Path) -> dict:
    import sentencepiece as spm

    rows = read_phrases(PHRASES)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        spm_file = tmp / "sentencepiece.bpe.model"
        spm_file.write_bytes(train_sentencepiece(
            [row[code] for row in rows for code in LANGUAGES]))
        sp = spm.SentencePieceProcessor(model_file=str(spm_file))
        vocabulary = model_vocabulary(sp)
        index = {token: i for i, token in enumerate(vocabulary)}
        data = examples(rows, sp, index)
        print(f"  {len(data)} examples, {len(vocabulary)} vocabulary entries", flush=True)
        hf_dir = tmp / "hf"
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        spawn = multiprocessing.get_context("spawn")
        for model, steps in train_model(data, len(vocabulary)):
            model.save_pretrained(hf_dir)
            with ProcessPoolExecutor(1, mp_context=spawn) as child:
                wrong = child.submit(convert_and_check, hf_dir, out, spm_file, vocabulary,
                                     rows).result()
            if not wrong:
                break
            print(f"    step {steps}: {len(wrong)} CTranslate2 outputs differ "
                  f"(e.g. {wrong[0]}), training on", flush=True)
        seconds = time.perf_counter() - started
        shutil.copy(spm_file, out / "sentencepiece.bpe.model")
    write_description(out, len(rows), steps)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    params = sum(p.numel() for p in model.parameters())
    print(f"  tiny-nllb: {steps} steps, {seconds:.1f} s, {params} parameters, "
          f"{size / 1e6:.2f} MB on disk, all {len(rows)} phrases exact in 6 directions")
    return {"steps": steps, "seconds": seconds, "bytes": size, "params": params}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    warnings.filterwarnings("ignore", category=UserWarning)
    import torch

    torch.set_num_threads(1)  # same arithmetic on every machine
    build(args.out)


if __name__ == "__main__":
    main()
