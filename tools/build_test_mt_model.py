"""Build the tiny real translation models used as test fixtures.

From the counter phrases in `tools/mt_fixture_phrases.tsv` this trains, per
direction (ko→en, en→ko, ja→en, en→ja):

1. a joint SentencePiece unigram model (a few hundred pieces) on both sides;
2. a MarianMT transformer (d_model 128, 2+2 layers, 4 heads, FFN 256) with
   full-batch AdamW until every training phrase translates exactly;
3. a CTranslate2 conversion (int8 weights), checked again with the decoding
   settings Argos Translate uses (beam 4, length penalty 0.2);

and writes an unpacked Argos package to `tests/fixtures/mt/<from>_<to>/`:
`metadata.json`, `model/` (with `"add_source_eos": true`, since Argos does not
append `</s>`), `sentencepiece.model` and `README.md`.

torch and transformers are build-time only; keep them out of the app's venv:

    python3 -m venv /work/mtvenv
    /work/mtvenv/bin/pip install torch==2.13.0 transformers sentencepiece ctranslate2
    /work/mtvenv/bin/python tools/build_test_mt_model.py [--pairs ko_en ja_en] [--out DIR]

Seeds are fixed and training is single-threaded: a rebuild with the same torch
version reproduces the fixtures byte for byte (other versions: same behaviour).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import os
import shutil
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHRASES = ROOT / "tools" / "mt_fixture_phrases.tsv"
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "mt"
PAIRS = ("ko_en", "en_ko", "ja_en", "en_ja")
NAMES = {"ko": "Korean", "ja": "Japanese", "en": "English"}
SEED = 1234
VOCAB_SIZE = 400
MAX_STEPS = 1500
CHECK_EVERY = 25
EXTRA_STEPS = 60  # keep training a little after the first all-exact check (margin)


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


def train_model(sources: list[list[int]], targets: list[list[int]], vocab_size: int):
    """Full-batch AdamW until teacher-forced argmax reproduces every target.

    A generator: yields (model, steps) then, when resumed, trains EXTRA_STEPS more
    (for when quantized decoding is not exact yet).
    """
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
    attention_mask = (input_ids != pad).long()
    labels = batch(targets, -100)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.0)
    model.train()
    exact_since = None
    step = 0
    while True:
        step += 1
        if step > MAX_STEPS:
            raise SystemExit(f"not exact after {MAX_STEPS} steps")
        loss = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % CHECK_EVERY == 0 and exact_since is None:
            with torch.no_grad():
                logits = model(input_ids=input_ids, attention_mask=attention_mask,
                               labels=labels).logits
            known = labels != -100
            exact = bool(((logits.argmax(-1) == labels) | ~known).all())
            if exact and exact_since is None:
                exact_since = step
                print(f"    step {step}: every token right (loss {loss.item():.4f})")
        if exact_since is not None and step > exact_since \
                and (step - exact_since) % EXTRA_STEPS == 0:
            assert float(embeddings.weight[pad].detach().abs().sum()) == 0.0
            model.eval()
            yield model, step
            model.train()


def convert_and_check(hf_dir: Path, out: Path, spm_file: Path,
                      pairs: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Runs in a child process: once a CTranslate2 translator has run in the
    training process, torch training there becomes several times slower."""
    import sentencepiece as spm

    warnings.filterwarnings("ignore", category=UserWarning)
    convert(hf_dir, out, "int8")
    return check_ct2(out, spm.SentencePieceProcessor(model_file=str(spm_file)), pairs)


def convert(tokenizer_dir: Path, out: Path, quantization: str | None) -> None:
    import ctranslate2

    converter = ctranslate2.converters.TransformersConverter(str(tokenizer_dir))
    converter.convert(str(out), quantization=quantization, force=True)
    config_file = out / "config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["add_source_eos"] = True  # Argos passes pieces without </s>
    config_file.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")


def check_ct2(model_dir: Path, sp, pairs: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Translate like Argos does; return the phrases that came out wrong."""
    import ctranslate2

    wrong = []
    for compute_type in ("int8", "auto", "float32"):
        translator = ctranslate2.Translator(str(model_dir), compute_type=compute_type)
        results = translator.translate_batch(
            [sp.encode(src, out_type=str) for src, _ in pairs], beam_size=4,
            length_penalty=0.2, replace_unknowns=True, max_batch_size=32, batch_type="tokens")
        for (src, tgt), result in zip(pairs, results, strict=True):
            got = sp.decode_pieces(result.hypotheses[0])
            if got != tgt:
                wrong.append((compute_type, src, got))
    return wrong


def write_package(folder: Path, src: str, tgt: str, spm_file: Path, phrases: int,
                  steps: int) -> None:
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

`model/config.json` sets `"add_source_eos": true` because Argos Translate
passes SentencePiece pieces to CTranslate2 without a closing `</s>`.
""", encoding="utf-8")


def build_pair(pair: str, rows: list[dict[str, str]], out_root: Path) -> dict:
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
        print(f"  {pair}: {len(pairs)} phrases, {len(vocab)} vocabulary entries")
        hf_dir = tmp / "hf"
        save_marian_tokenizer(hf_dir, spm_file, vocab)
        folder = out_root / pair
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        spawn = multiprocessing.get_context("spawn")
        for model, steps in train_model(sources, targets, len(vocab)):
            model.save_pretrained(hf_dir)
            with ProcessPoolExecutor(1, mp_context=spawn) as child:
                wrong = child.submit(convert_and_check, hf_dir, folder / "model", spm_file,
                                     pairs).result()
            if not wrong:
                break
            print(f"    step {steps}: {len(wrong)} CTranslate2 outputs differ, training on")
        train_seconds = time.perf_counter() - started
        write_package(folder, src, tgt, spm_file, len(pairs), steps)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    params = sum(p.numel() for p in model.parameters())
    print(f"  {pair}: {steps} steps, {train_seconds:.1f} s, {params} parameters, "
          f"{size / 1e6:.2f} MB on disk, all {len(pairs)} phrases exact in CTranslate2")
    return {"pair": pair, "steps": steps, "seconds": train_seconds, "bytes": size,
            "params": params}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", nargs="+", default=list(PAIRS), choices=PAIRS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--phrases", type=Path, default=PHRASES)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    warnings.filterwarnings("ignore", category=UserWarning)
    import torch

    torch.set_num_threads(1)  # same arithmetic on every machine
    rows = read_phrases(args.phrases)
    for pair in args.pairs:
        build_pair(pair, rows, args.out)


if __name__ == "__main__":
    main()
