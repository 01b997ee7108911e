"""Turns the veRL rows that `rag-r1 verl render` wrote as jsonl into parquet, then reads the
parquet back the way veRL's RLHFDataset does (pandas.read_parquet) and checks the row shape
of rag-r1-spec.md section 4. Needs pyarrow and pandas, which veRL itself depends on.

Usage: python jsonl_to_parquet.py IN.jsonl OUT.parquet
"""

import json
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

COLUMNS = ["data_source", "prompt", "ability", "reward_model", "extra_info"]


def read_rows(path):
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                sys.exit(f"{path}:{number}: invalid JSON ({error})")
            if list(row.keys()) != COLUMNS:
                sys.exit(f"{path}:{number}: keys {list(row.keys())}, expected {COLUMNS}")
            rows.append(row)
    if not rows:
        sys.exit(f"{path}: no rows")
    return rows


def check_read_back(path, count):
    frame = pd.read_parquet(path)
    if list(frame.columns) != COLUMNS or len(frame) != count:
        sys.exit(f"{path}: read back {list(frame.columns)} x {len(frame)}, expected {count} rows")
    first = frame.iloc[0]
    chat = list(first["prompt"])
    if len(chat) != 1 or chat[0]["role"] != "user" or not chat[0]["content"]:
        sys.exit(f"{path}: prompt is not one user message: {chat!r}")
    target = first["reward_model"]["ground_truth"]["target"]
    if first["reward_model"]["style"] != "rule" or len(target) == 0:
        sys.exit(f"{path}: reward_model malformed: {first['reward_model']!r}")
    return frame.dtypes.to_dict()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    rows = read_rows(source)
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, target)
    check_read_back(target, len(rows))
    print(f"{target}: {len(rows)} rows, schema {table.schema.to_string(show_schema_metadata=False)!r}")


if __name__ == "__main__":
    main()
