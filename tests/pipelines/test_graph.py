"""The executor tells each node its share of the cores (encoders size their threads to it)."""

from __future__ import annotations

import os

import pipelines.stages  # noqa: F401  (the real stages, registered first)
from pipelines.graph import STAGES, ArtifactStore, InProcessExecutor, Node, cpu_share_of, register_stage, run_node


def test_nodes_running_side_by_side_split_the_cores(tmp_path):
    cores = os.cpu_count() or 1
    assert cpu_share_of(1) == 0  # alone: the tool picks its own thread count
    assert cpu_share_of(2) == max(1, cores // 2)
    assert cpu_share_of(cores * 4) == 1
    store = ArtifactStore(tmp_path)
    assert InProcessExecutor(store, workers=2).cpu_share == cpu_share_of(2)

    seen = {}

    @register_stage("probe_cpu_share", "1", "cpu")
    def probe(ctx, params, deps):
        seen["share"] = ctx.cpu_share
        return {}

    try:
        run_node(store, Node("probe_cpu_share", "probe_cpu_share", {}), {}, cpu_share=3)
    finally:
        STAGES.pop("probe_cpu_share")
    assert seen["share"] == 3
