"""The in-process executor's choice of what runs next."""

from pathlib import Path

from pipelines.jobs import PARAMS, Node
from pipelines.runner import schedule_order
from pipelines.stages import NodeResult

_PARAMS = {
    "export": {"engine": "batch", "engines": {}},
    "render": {"engine": "ffmpeg", "variant": 0, "aspect": "9:16", "duration_s": 20.0},
    "avatar": {"engine": "puppet", "variant": 0},
    "broll": {"engine": "motion", "variant": 0, "scene": 0, "width": 1080, "height": 1080},
    "voice": {"engine": "espeak", "variant": 0},
}


def _node(node_id: str, stage: str, deps=(), **params) -> Node:
    return Node(id=node_id, stage=stage, params=PARAMS[stage].model_validate({**_PARAMS[stage], **params}),
                deps=tuple(deps), queue="cpu")


def _voice(node_id: str, seconds: float) -> NodeResult:
    return NodeResult(node_id=node_id, stage="voice", key=node_id, meta={"duration_s": seconds}, dir=Path("."))


def test_upstream_stages_go_before_renders_and_export():
    results = {"voice:0": _voice("voice:0", 20.0)}
    nodes = [_node("export", "export"), _node("render:0:1x1", "render", ["voice:0"], aspect="1:1"),
             _node("avatar:1", "avatar"), _node("broll:1:2", "broll"), _node("voice:1", "voice")]
    order = [n.id for n in sorted(nodes, key=lambda n: schedule_order(n, results))]
    assert order == ["voice:1", "broll:1:2", "avatar:1", "render:0:1x1", "export"]


def test_renders_go_biggest_first_by_pixels_and_seconds():
    results = {"voice:0": _voice("voice:0", 20.0), "voice:1": _voice("voice:1", 28.0)}
    nodes = [_node("render:0:1x1", "render", ["voice:0"], aspect="1:1"),
             _node("render:0:9x16", "render", ["voice:0"], aspect="9:16"),
             _node("render:1:1x1", "render", ["voice:1"], aspect="1:1"),
             _node("render:1:9x16", "render", ["voice:1"], aspect="9:16")]
    order = [n.id for n in sorted(nodes, key=lambda n: schedule_order(n, results))]
    # the longer variant's render of each size first, so the batch ends on the smallest one
    assert order == ["render:1:9x16", "render:0:9x16", "render:1:1x1", "render:0:1x1"]
