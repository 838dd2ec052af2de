"""Run a sentence-transformers model's transformer under OpenVINO instead of torch.

Encoding is the dearest step of a big run (about half of all CPU time at 100k segments), and
on a 2-core CPU with native bfloat16 OpenVINO runs MiniLM about 1.35x faster than torch does in
bfloat16 (425 against 310 segments/s on the 100k benchmark's segments), with vectors that agree
with torch's to a cosine of 0.99998. Two things make the difference: OpenVINO's fused CPU
kernels, and one inference stream per core, each working on its own batch, where torch splits
every batch across both cores and waits for the slower half.

Only the transformer (the sentence-transformers model's first module) runs in OpenVINO. The
tokenizer, the pooling and the normalisation are the model's own sentence-transformers modules,
so any model whose first module is a Hugging Face transformer is encoded exactly as its
configuration says (mean, CLS or max pooling alike).

The converted model is saved as OpenVINO IR next to the other assembled models
(`models.assembled_models_dir()`), keyed by the weights' fingerprint and the OpenVINO version,
so conversion (a few seconds) happens once per model and machine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

#: Texts per inference request. Each stream works on one request at a time; smaller requests
#: pad less and keep both streams busy (16 was fastest of 16, 32 and 64 on 2 cores).
REQUEST_SIZE = 16


class RuntimeUnavailable(RuntimeError):
    """The OpenVINO runtime cannot encode with this model here (why is in the message)."""


def openvino_installed() -> bool:
    """Whether the `openvino` package can be imported."""
    return importlib.util.find_spec("openvino") is not None


def openvino_version() -> str:
    """The installed OpenVINO release, e.g. "2026.4.1" (part of the cache identity)."""
    import importlib.metadata

    return importlib.metadata.version("openvino")


class OpenVINOEncoder:
    """Encodes like `SentenceTransformer.encode` (the subset voc_synth uses), with the
    transformer compiled by OpenVINO for this CPU.

    `precision` is "bfloat16" or "float32" (OpenVINO's inference precision hint).
    `ir_dir` is where the converted model is kept between runs (None: convert every time).
    """

    def __init__(self, model: Any, precision: str, ir_dir: Path | None = None):
        import openvino as ov

        first = model[0]
        transformer = getattr(first, "auto_model", None)
        if transformer is None or not hasattr(transformer, "forward"):
            raise RuntimeUnavailable(f"the model's first module ({type(first).__name__}) is not a transformer")
        self.model = model
        self._rest = list(model)[1:]
        self._inputs = _forward_inputs(transformer)
        sample = self._features(["A short example sentence.", "Another one, a little longer than that."])
        core = ov.Core()
        ir_path = _ir_path(ir_dir, model) if ir_dir else None
        if ir_path is not None and ir_path.is_file():
            ov_model = core.read_model(ir_path)
        else:
            ov_model = _convert(ov, transformer, sample)
            if ir_path is not None:
                _save_ir(ov, ov_model, ir_path)
        hint = "bf16" if precision == "bfloat16" else "f32"
        self.compiled = core.compile_model(ov_model, "CPU", {
            "INFERENCE_PRECISION_HINT": hint, "PERFORMANCE_HINT": "THROUGHPUT"})
        self.precision = precision
        self.requests = max(1, int(self.compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))

    def get_sentence_embedding_dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def _features(self, texts: list[str]) -> dict[str, Any]:
        features = self.model.preprocess(texts)
        return {name: features[name] for name in self._inputs if name in features}

    def encode(self, texts: list[str], batch_size: int = REQUEST_SIZE, **_: Any) -> np.ndarray:
        """L2-normalised float32 vectors of `texts`, in order.

        `batch_size` is ignored beyond capping the request size: OpenVINO is fastest with
        `REQUEST_SIZE` texts per request, one request per stream.
        """
        import openvino as ov
        import torch

        if not texts:
            return np.zeros((0, self.get_sentence_embedding_dimension()), dtype=np.float32)
        size = max(1, min(batch_size, REQUEST_SIZE))
        batches = [self._features(texts[i:i + size]) for i in range(0, len(texts), size)]
        hidden: list[np.ndarray | None] = [None] * len(batches)

        def done(request: Any, index: int) -> None:
            # The output buffer belongs to the request and is reused: copy it.
            hidden[index] = np.array(request.get_output_tensor(0).data, dtype=np.float32, copy=True)

        queue = ov.AsyncInferQueue(self.compiled, self.requests)
        queue.set_callback(done)
        for index, features in enumerate(batches):
            queue.start_async({name: np.ascontiguousarray(value.numpy()) for name, value in features.items()},
                              userdata=index)
        queue.wait_all()
        out = []
        with torch.inference_mode():
            for features, states in zip(batches, hidden, strict=True):
                if states is None:
                    raise RuntimeError("OpenVINO returned no output for a batch of texts.")
                step: dict[str, Any] = dict(features)
                step["token_embeddings"] = torch.from_numpy(states)
                for module in self._rest:
                    step = module(step)
                out.append(step["sentence_embedding"].float().numpy())
        return np.concatenate(out).astype(np.float32, copy=False)


def _forward_inputs(transformer: Any) -> list[str]:
    """The tensor inputs the transformer's forward takes, in the order it takes them."""
    wanted = ("input_ids", "attention_mask", "token_type_ids", "position_ids")
    params = inspect.signature(transformer.forward).parameters
    return [name for name in params if name in wanted]


def _convert(ov: Any, transformer: Any, sample: dict[str, Any]) -> Any:
    import warnings

    import torch
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
            # Tracing warns about shape checks it freezes; for an encoder they are constant
            # (no causal mask, no cache), which test_embed_runtime checks against torch.
            warnings.simplefilter("ignore")
            return ov.convert_model(transformer, example_input=dict(sample))
    finally:
        hf_logging.set_verbosity(verbosity)


def _ir_path(ir_dir: Path, model: Any) -> Path:
    """Where the IR of `model` is kept: keyed by its weights and the OpenVINO version."""
    import torch

    digest = hashlib.blake2b(f"openvino {openvino_version()}".encode(), digest_size=16)
    state = model[0].auto_model.state_dict()
    for name in sorted(state):
        tensor = state[name]
        digest.update(name.encode())
        digest.update(str(tuple(tensor.shape)).encode())
        # Every weight: a fine-tuned copy of a model must never reuse the original's IR
        # (about 0.1 s for MiniLM, 0.5 s for mpnet).
        digest.update(tensor.detach().contiguous().view(-1).view(torch.uint8).numpy().tobytes()
                      if tensor.dtype != torch.bool else tensor.numpy().tobytes())
    return Path(ir_dir) / digest.hexdigest() / "model.xml"


def _save_ir(ov: Any, ov_model: Any, path: Path) -> None:
    """Save atomically (a temporary folder renamed into place): two runs at once are safe."""
    try:
        path.parent.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=path.parent.parent, prefix=".ir-"))
        ov.save_model(ov_model, tmp / path.name, compress_to_fp16=False)
        try:
            os.replace(tmp, path.parent)
        except OSError:  # another run saved it first
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        pass  # keeping the IR is an optimisation: a read-only cache must not fail the run
