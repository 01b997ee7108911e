"""Exports a BERT-family sentence encoder (safetensors + config.json) to ONNX, without torch.

Builds the encoder graph op by op from the checkpoint's config (embeddings, N post-LN transformer
layers with exact-erf GELU) and writes `model.onnx` whose output is `last_hidden_state`; pooling
and normalization happen in TypeScript. The tokenizer files are copied beside it, so the output
directory is a self-contained local model for retriever/dense. A numpy forward pass checks the
graph after export.

  python export_bert_onnx.py --model-dir <hf model dir> --out <dir>
"""
import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

COPY_FILES = ["tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json", "config.json"]


class Graph:
    def __init__(self, weights):
        self.weights, self.nodes, self.inits, self.count = weights, [], [], 0

    def name(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def const(self, value, hint="c"):
        name = self.name(hint)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, kind, inputs, hint=None, **attrs):
        out = self.name(hint or kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def linear(self, x, prefix):
        w = self.const(self.weights[f"{prefix}.weight"].T.copy(), prefix + ".wT")
        b = self.const(self.weights[f"{prefix}.bias"], prefix + ".b")
        return self.op("Add", [self.op("MatMul", [x, w]), b])

    def layer_norm(self, x, prefix, eps):
        w = self.const(self.weights[f"{prefix}.weight"], prefix + ".g")
        b = self.const(self.weights[f"{prefix}.bias"], prefix + ".b")
        return self.op("LayerNormalization", [x, w, b], axis=-1, epsilon=eps)


def attention(g, x, mask_bias, prefix, heads, head_dim):
    split = g.const(np.array([0, 0, heads, head_dim], dtype=np.int64))
    def project(kind, perm):
        y = g.op("Reshape", [g.linear(x, f"{prefix}.attention.self.{kind}"), split])
        return g.op("Transpose", [y], perm=perm)
    q, k, v = project("query", [0, 2, 1, 3]), project("key", [0, 2, 3, 1]), project("value", [0, 2, 1, 3])
    scores = g.op("Mul", [g.op("MatMul", [q, k]), g.const(np.float32(1 / np.sqrt(head_dim)))])
    probs = g.op("Softmax", [g.op("Add", [scores, mask_bias])], axis=-1)
    context = g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
    merged = g.op("Reshape", [context, g.const(np.array([0, 0, heads * head_dim], dtype=np.int64))])
    return g.linear(merged, f"{prefix}.attention.output.dense")


def gelu(g, x):
    inner = g.op("Erf", [g.op("Div", [x, g.const(np.float32(np.sqrt(2.0)))])])
    return g.op("Mul", [g.op("Mul", [x, g.const(np.float32(0.5))]), g.op("Add", [inner, g.const(np.float32(1.0))])])


def build(weights, config, prefix=""):
    g = Graph({k[len(prefix):]: v for k, v in weights.items() if k.startswith(prefix)})
    eps, heads = float(config["layer_norm_eps"]), int(config["num_attention_heads"])
    head_dim = int(config["hidden_size"]) // heads
    seq = g.op("Gather", [g.op("Shape", ["input_ids"]), g.const(np.int64(1))], axis=0)
    positions = g.op("Unsqueeze", [g.op("Range", [g.const(np.int64(0)), seq, g.const(np.int64(1))]), g.const(np.array([0], dtype=np.int64))])
    emb = lambda name, ids: g.op("Gather", [g.const(g.weights[f"embeddings.{name}.weight"]), ids], axis=0)
    x = g.op("Add", [g.op("Add", [emb("word_embeddings", "input_ids"), emb("position_embeddings", positions)]), emb("token_type_embeddings", "token_type_ids")])
    x = g.layer_norm(x, "embeddings.LayerNorm", eps)
    mask = g.op("Cast", [g.op("Unsqueeze", ["attention_mask", g.const(np.array([1, 2], dtype=np.int64))])], to=TensorProto.FLOAT)
    mask_bias = g.op("Mul", [g.op("Sub", [g.const(np.float32(1.0)), mask]), g.const(np.float32(-1e4))])
    for index in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{index}"
        x = g.layer_norm(g.op("Add", [attention(g, x, mask_bias, p, heads, head_dim), x]), f"{p}.attention.output.LayerNorm", eps)
        hidden = gelu(g, g.linear(x, f"{p}.intermediate.dense"))
        x = g.layer_norm(g.op("Add", [g.linear(hidden, f"{p}.output.dense"), x]), f"{p}.output.LayerNorm", eps)
    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    ints = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"]) for n in ("input_ids", "attention_mask", "token_type_ids")]
    out = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", int(config["hidden_size"])])
    graph = helper.make_graph(g.nodes, "bert_encoder", ints, [out], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="rag-r1-lab")
    # IR 8 (onnx 1.13) loads in every onnxruntime-node release that supports opset 17.
    model.ir_version = 8
    return model


def numpy_forward(w, config, ids, mask):
    def ln(x, p):
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + config["layer_norm_eps"]) * w[p + ".weight"] + w[p + ".bias"]
    lin = lambda x, p: x @ w[p + ".weight"].T + w[p + ".bias"]
    heads = config["num_attention_heads"]; hd = config["hidden_size"] // heads
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: ids.shape[1]] + w["embeddings.token_type_embeddings.weight"][0]
    x = ln(x, "embeddings.LayerNorm")
    bias = (1 - mask[:, None, None, :]) * -1e4
    from math import erf
    verf = np.vectorize(erf)
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        sp = lambda t: t.reshape(t.shape[0], t.shape[1], heads, hd).transpose(0, 2, 1, 3)
        q, k, v = (sp(lin(x, f"{p}.attention.self.{n}")) for n in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd) + bias
        s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
        c = (s @ v).transpose(0, 2, 1, 3).reshape(x.shape)
        x = ln(lin(c, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
        h = lin(x, f"{p}.intermediate.dense"); h = 0.5 * h * (1 + verf(h / np.sqrt(2)))
        x = ln(lin(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
    return x


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    src, out = Path(args.model_dir), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    config = json.loads((src / "config.json").read_text())
    weights = load_file(str(src / "model.safetensors"))
    prefix = "bert." if any(k.startswith("bert.") for k in weights) else ""
    model = build(weights, config, prefix)
    onnx.checker.check_model(model)
    onnx.save(model, str(out / "model.onnx"))
    for name in COPY_FILES:
        if (src / name).exists():
            shutil.copy(src / name, out / name)
    pooling = src / "1_Pooling" / "config.json"
    mean = json.loads(pooling.read_text()).get("pooling_mode_mean_tokens", True) if pooling.exists() else True
    (out / "encoder.json").write_text(json.dumps({"pooling": "mean" if mean else "cls", "normalize": True, "maxLength": 256, "queryPrefix": "", "passagePrefix": ""}, indent=2) + "\n")
    rng = np.random.default_rng(0)
    ids = rng.integers(1000, 5000, size=(2, 7)); mask = np.ones_like(ids); mask[1, 5:] = 0
    session = onnxruntime.InferenceSession(str(out / "model.onnx"))
    got = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
    want = numpy_forward({k[len(prefix):]: v for k, v in weights.items()}, config, ids, mask)
    diff = float(np.abs(got - want)[mask.astype(bool)].max())
    print(json.dumps({"out": str(out), "maxAbsDiffVsNumpy": diff}))
    if diff > 1e-3:
        raise SystemExit(f"exported graph disagrees with the numpy forward pass: {diff}")


if __name__ == "__main__":
    main()
