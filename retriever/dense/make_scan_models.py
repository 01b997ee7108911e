"""Writes the two tiny ONNX graphs DenseIndex runs its exact inner-product scan with.

scores = embeddings @ queries (queries transposed to [dimension, batch]), then the top k of
each column. Run through onnxruntime, the scan is MLAS's matrix product: one pass over a block
of rows serves every query of a batch. float16 embeddings are widened inside the graph, a block
of rows at a time, so the index stays float16 in memory.

Regenerate (the outputs are committed), with the venv retriever/dense/setup-test-model.sh makes:
  .data/venv/onnx-export/bin/python retriever/dense/make_scan_models.py
"""

from pathlib import Path

import onnx
from onnx import TensorProto, helper

OPSET = 17  # TopK with a tensor k and a sorted, lower-index-first tie rule; Gemm/MatMul as-is
IR_VERSION = 8


def scan_model(embedding_type: int) -> onnx.ModelProto:
    value = helper.make_tensor_value_info
    inputs = [
        value("embeddings", embedding_type, ["rows", "dimension"]),
        value("queries", TensorProto.FLOAT, ["dimension", "batch"]),
        value("k", TensorProto.INT64, [1]),
    ]
    outputs = [
        value("scores", TensorProto.FLOAT, ["k", "batch"]),
        value("rows_found", TensorProto.INT64, ["k", "batch"]),
    ]
    nodes = []
    embeddings = "embeddings"
    if embedding_type != TensorProto.FLOAT:
        nodes.append(helper.make_node("Cast", ["embeddings"], ["wide"], to=TensorProto.FLOAT))
        embeddings = "wide"
    nodes.append(helper.make_node("MatMul", [embeddings, "queries"], ["all_scores"]))
    nodes.append(
        helper.make_node("TopK", ["all_scores", "k"], ["scores", "rows_found"], axis=0)
    )
    graph = helper.make_graph(nodes, "inner_product_top_k", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    here = Path(__file__).parent
    for name, embedding_type in [("float32", TensorProto.FLOAT), ("float16", TensorProto.FLOAT16)]:
        onnx.save(scan_model(embedding_type), here / f"scan-{name}.onnx")
