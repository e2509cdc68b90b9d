"""CLIP image embedder on a tiny randomly initialised transformers CLIP, and pixel vectors in a real index."""

import io
import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from PIL import Image, ImageDraw  # noqa: E402

from batchrag.crawl.images import store_image  # noqa: E402
from batchrag.domain.errors import UnknownComponent  # noqa: E402
from batchrag.index.embedders.base import EmbedderError  # noqa: E402
from batchrag.index.image_embedders.registry import IMAGE_EMBEDDERS  # noqa: E402
from batchrag.index.sync import sync  # noqa: E402
from batchrag.index.tables import IndexMismatchError, open_tables, read_meta  # noqa: E402
from batchrag.retrieve.search import Retriever  # noqa: E402
from batchrag.settings import Settings  # noqa: E402
from batchrag.store import open_store  # noqa: E402

RED, BLUE, GREEN = (255, 0, 0), (0, 0, 255), (0, 160, 0)


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory):
    """A 2-layer, 32-wide CLIP with a byte-level tokenizer built from a vocab written here: nothing downloaded."""
    import torch
    from tokenizers import pre_tokenizers
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer

    d = tmp_path_factory.mktemp("tiny-clip")
    tok_dir = d / "tok"
    tok_dir.mkdir()
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for ch in sorted(pre_tokenizers.ByteLevel.alphabet()):
        vocab.setdefault(ch, len(vocab))
        vocab.setdefault(ch + "</w>", len(vocab))
    (tok_dir / "vocab.json").write_text(json.dumps(vocab))
    (tok_dir / "merges.txt").write_text("#version: 0.2\n")
    tok = CLIPTokenizer.from_pretrained(str(tok_dir), model_max_length=77)
    proc = CLIPProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
        tokenizer=tok,
    )
    small = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2}
    cfg = CLIPConfig(
        text_config={
            **small,
            "vocab_size": len(tok),
            "max_position_embeddings": 77,
            "bos_token_id": tok.bos_token_id,
            "eos_token_id": tok.eos_token_id,
            "pad_token_id": tok.pad_token_id,
        },
        vision_config={**small, "image_size": 32, "patch_size": 8},
        projection_dim=16,
    )
    torch.manual_seed(0)
    model_dir = d / "model"
    CLIPModel(cfg).save_pretrained(str(model_dir))
    proc.save_pretrained(str(model_dir))
    return f"clip:{model_dir}"


def _picture(colour, size=(48, 40), mark=BLUE) -> Image.Image:
    im = Image.new("RGB", size, colour)
    ImageDraw.Draw(im).rectangle((4, 4, 20, 16), fill=mark)
    return im


def _png(colour, mark=BLUE) -> bytes:
    buf = io.BytesIO()
    _picture(colour, mark=mark).save(buf, "PNG")
    return buf.getvalue()


def _gif(first, second) -> bytes:
    buf = io.BytesIO()
    a, b = _picture(first, mark=GREEN), _picture(second, mark=GREEN)
    a.save(buf, "GIF", save_all=True, append_images=[b], duration=100, loop=0)
    return buf.getvalue()


def test_images_and_texts_embed_normalised_deterministic(tiny_clip, tmp_path):
    emb = IMAGE_EMBEDDERS.create(tiny_clip, Settings().index)
    assert IMAGE_EMBEDDERS.create(tiny_clip, Settings().index) is emb and emb.dim == 16  # loaded once per process
    paths = []
    for i, c in enumerate([RED, BLUE, GREEN]):
        paths.append(tmp_path / f"{i}.png")
        paths[-1].write_bytes(_png(c))
    v = emb.embed_images(paths)
    assert v.shape == (3, 16) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert np.allclose(emb.embed_images(paths), v, atol=1e-6)
    assert np.allclose(emb.embed_images(paths[1:2])[0], v[1], atol=1e-5)  # a batch does not change a row
    assert not np.allclose(v[0], v[1], atol=1e-3)
    t = emb.embed_texts(["a red square on a blue field", "word " * 300])  # longer than 77 tokens: truncated
    assert t.shape == (2, 16) and np.allclose(np.linalg.norm(t, axis=1), 1, atol=1e-5)
    assert emb.embed_texts([]).shape == (0, 16) and emb.embed_images([]).shape == (0, 16)


def test_gif_is_its_first_frame_and_bad_files_are_skipped_one_by_one(tiny_clip, tmp_path):
    emb = IMAGE_EMBEDDERS.create(tiny_clip, Settings().index)
    gif, first, second = tmp_path / "anim.gif", tmp_path / "first.png", tmp_path / "second.png"
    gif.write_bytes(_gif(RED, BLUE))
    first.write_bytes(_buf(_picture(RED, mark=GREEN)))
    second.write_bytes(_buf(_picture(BLUE, mark=GREEN)))
    junk, cut, gone = tmp_path / "junk.png", tmp_path / "cut.png", tmp_path / "gone.jpg"
    junk.write_bytes(b"<html>not a picture</html>")
    cut.write_bytes(_png(GREEN)[:60])  # a download cut short
    v = emb.embed_images([gif, junk, first, cut, second, gone])
    assert np.allclose(v[0], v[2], atol=1e-5) and not np.allclose(v[0], v[4], atol=1e-3)
    assert not v[1].any() and not v[3].any() and not v[5].any()
    assert np.allclose(np.linalg.norm(v[[0, 2, 4]], axis=1), 1, atol=1e-5)
    assert set(emb.failures) == {str(junk), str(cut), str(gone)}
    assert "UnidentifiedImageError" in emb.failures[str(junk)]


def _buf(im: Image.Image) -> bytes:
    b = io.BytesIO()
    im.save(b, "PNG")
    return b.getvalue()


def test_names_and_unloadable_models_are_clear_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert IMAGE_EMBEDDERS.create("none", Settings().index) is None
    with pytest.raises(UnknownComponent, match="unknown image embedder 'siglip2'"):
        IMAGE_EMBEDDERS.create("siglip2", Settings().index)
    empty = tmp_path / "no-weights"
    empty.mkdir()
    with pytest.raises(EmbedderError, match=r"cannot load image model .*BATCHRAG_IMAGE_EMBEDDER=clip:/path"):
        IMAGE_EMBEDDERS.create(f"clip:{empty}", Settings().index)


def _give_files(settings) -> dict[str, str]:
    """Download-like files for the fixture pictures: one GIF, one corrupt file, one never downloaded."""
    store = open_store(settings)
    urls = sorted({im.url for a in store.iter_articles() for im in a.images})
    kinds = {}
    colours = [RED, BLUE, GREEN, (250, 200, 0), (90, 0, 90), (0, 200, 200), (120, 120, 120), (20, 20, 20)]
    for i, url in enumerate(urls):
        if url.endswith("drone.jpg"):
            kinds[url] = "missing"
            continue
        if url.endswith("chess.png"):
            bad = settings.store.images_dir / "chess-corrupt.png"
            bad.parent.mkdir(parents=True, exist_ok=True)
            bad.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
            store.set_image_file(url, bad.name, None, None, None)
            kinds[url] = "corrupt"
            continue
        data = (
            _gif(RED, BLUE)
            if url.endswith("storm.jpg")
            else _png(colours[i % len(colours)], mark=(i * 20, 0, 0))
        )
        res = store_image(data, url, settings.store.images_dir)
        assert res.local_path, res
        store.set_image_file(url, res.local_path, res.width, res.height, None)
        kinds[url] = "file"
    return kinds


def test_index_with_pixel_vectors_and_pixel_signal_in_image_search(corpus, tmp_path, tiny_clip):
    text_only = corpus.build(tmp_path / "d", "use-m3")
    assert read_meta(text_only.store)["image_embedder"] == "none"
    kinds = _give_files(text_only)
    s = text_only.with_changes(**{"image_embedder": tiny_clip})
    store = open_store(s)
    with pytest.raises(IndexMismatchError, match=r"image embedder none, settings ask for clip:.*--rebuild"):
        sync(store, s)

    summary = sync(store, s, rebuild=True)
    # the text vectors all come from the vector cache; only pictures are new
    assert summary.image_embedder == tiny_clip and summary.embedded == 0
    assert summary.pixels == summary.pixels_embedded == 8 and summary.images == 10
    assert len(summary.pixel_failures) == 1 and summary.pixel_failures[0].startswith("chess-corrupt.png: ")
    meta, _, it = open_tables(s.store, s.index.embedder)
    assert meta["image_embedder"] == tiny_clip and meta["pixel_dim"] == 16
    rows = it.to_arrow().select(["url", "pixel_vector", "has_pixels"]).to_pylist()
    for r in rows:
        v = np.array(r["pixel_vector"], np.float32)
        assert r["has_pixels"] == (kinds[r["url"]] == "file")
        assert abs(float(np.linalg.norm(v)) - 1) < 1e-4 if r["has_pixels"] else not v.any()

    again = sync(store, s)  # nothing changed: nothing embedded, the failed file is not retried
    assert (again.embedded, again.pixels_embedded, again.updated) == (0, 0, 0) and again.pixels == 8
    drone = next(u for u, k in kinds.items() if k == "missing")
    res = store_image(_png((10, 250, 10)), drone, s.store.images_dir)
    store.set_image_file(drone, res.local_path, res.width, res.height, None)
    late = sync(store, s)  # a picture downloaded after its story was indexed gets its vector
    assert (late.updated, late.embedded, late.pixels_embedded, late.pixels) == (1, 0, 1, 9)

    r = Retriever.of(s)
    en = "A drone photographs a wheat field"
    plan = {n: (t, w) for n, t, w in r.image_plan("Як дрони виявляють хвороби пшениці?", en)}
    assert plan["pixels"] == (en, s.retrieve.image_pixel_weight)  # CLIP reads the English rewrite
    assert dict((n, (t, w)) for n, t, w in r.image_plan("drones over wheat"))["pixels"] == ("drones over wheat", s.retrieve.image_pixel_weight)
    with_px = {h.url: h.score for h in r.search_images("drones over wheat fields", k=20)}
    off = Retriever.of(s.with_changes(**{"image_pixel_weight": 0.0}))
    assert all(n != "pixels" for n, *_ in off.image_plan("drones over wheat"))
    without = {h.url: h.score for h in off.search_images("drones over wheat fields", k=20)}
    assert with_px.keys() == without.keys() and len(with_px) == 10
    # The pixel signal is added in standard deviations (docs/decisions/0015): a picture without a vector (its file
    # is corrupt) gets the lowest of them; every picture with one gets at least that, and some more.
    delta = {url: sc - without[url] for url, sc in with_px.items()}
    floor = min(delta.values())
    for url, d in delta.items():
        assert d >= floor - 1e-6 and (abs(d - floor) < 1e-6 if kinds[url] == "corrupt" else True), url
    assert max(delta.values()) > floor + 1e-3 and any(abs(d - floor) < 1e-6 for u, d in delta.items()
                                                       if kinds[u] == "corrupt")
    assert r.search_images("drone", k=3, english_query="a drone over a field")

    # settings without an image embedder search without pixels; another one is the mismatch error
    plain = Retriever.of(text_only)
    assert all(n != "pixels" for n, *_ in plain.image_plan("drones")) and plain.search_images("drones", k=2)
    other = s.with_changes(**{"image_embedder": tiny_clip + "/"})
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        Retriever.of(other).search_images("drones")
    with pytest.raises(IndexMismatchError, match=r"built with image embedder clip:.*--rebuild"):
        sync(open_store(text_only), text_only)
