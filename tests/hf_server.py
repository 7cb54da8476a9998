"""A Hugging Face hub on loopback, speaking the HTTP API huggingface_hub uses (HF_ENDPOINT):

    GET  /api/{models|datasets}/{repo}/revision/{rev}             repo_info (branch -> commit)
    GET  /api/{models|datasets}/{repo}/tree/{rev}[/{path}]        list_repo_tree (recursive)
    HEAD /[datasets/]{repo}/resolve/{rev}/{path}                   file metadata (X-Repo-Commit, ETag...)
    GET  /[datasets/]{repo}/resolve/{rev}/{path}                   the bytes, Range requests honoured

Large or binary files are served as LFS files (their sha256 is the ETag and the tree's lfs.oid),
small text files as git blobs (blob sha1). Faults for tests: `corrupt` serves other bytes than the
advertised hash; `drop` closes the connection half-way through a file a number of times (each
retry then asks for the rest with a Range header, as the real CDN allows). Every request is
logged in `server.log` as (method, path, Range header).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

LFS_SUFFIXES = (".pth", ".bin", ".safetensors", ".onnx", ".gz", ".pt", ".ckpt")


@dataclass
class Repo:
    files: dict[str, bytes]
    commit: str = ""
    repo_type: str = "model"

    def __post_init__(self):
        if not self.commit:
            digest = hashlib.sha1()
            for path in sorted(self.files):
                digest.update(path.encode() + hashlib.sha256(self.files[path]).digest())
            self.commit = digest.hexdigest()


def repo_from_folder(folder: Path, repo_type: str = "model") -> Repo:
    folder = Path(folder)
    return Repo({p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()},
                repo_type=repo_type)


def is_lfs(path: str, data: bytes) -> bool:
    return path.endswith(LFS_SUFFIXES) or len(data) > 10_000


def blob_sha1(data: bytes) -> str:
    return hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()


@dataclass
class Hub:
    repos: dict[str, Repo]
    corrupt: set[tuple[str, str]] = field(default_factory=set)  # (repo, path): wrong bytes served
    drop: dict[tuple[str, str], int] = field(default_factory=dict)  # (repo, path): times to cut off mid-file
    log: list[tuple[str, str, str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _tree_entry(path: str, data: bytes) -> dict:
    entry = {"type": "file", "oid": blob_sha1(data), "size": len(data), "path": path}
    if is_lfs(path, data):
        entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
    return entry


class Handler(http.server.BaseHTTPRequestHandler):
    hub: Hub
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _json(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _not_found(self, message="Entry not found", error_code="EntryNotFound"):
        data = json.dumps({"error": message}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Error-Code", error_code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _repo(self, parts: list[str]) -> tuple[Repo | None, str, list[str]]:
        if len(parts) < 2:
            return None, "", []
        repo_id = f"{parts[0]}/{parts[1]}"
        return self.hub.repos.get(repo_id), repo_id, parts[2:]

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urlparse(self.path)
        parts = [unquote(p) for p in url.path.strip("/").split("/")]
        with self.hub.lock:
            self.hub.log.append((self.command, url.path, self.headers.get("Range")))
        if parts[:1] == ["api"] and len(parts) >= 2 and parts[1] in ("models", "datasets"):
            return self._api(parts[2:])
        if parts[:1] == ["datasets"]:
            parts = parts[1:]
        repo, repo_id, rest = self._repo(parts)
        if repo is None:
            return self._not_found("Repository not found", "RepoNotFound")
        if len(rest) < 3 or rest[0] != "resolve":
            return self._not_found()
        path = "/".join(rest[2:])
        if path not in repo.files:
            return self._not_found()
        return self._file(repo, repo_id, path)

    def _api(self, parts: list[str]):
        repo, repo_id, rest = self._repo(parts)
        if repo is None:
            return self._not_found("Repository not found", "RepoNotFound")
        if rest[:1] == ["revision"]:
            return self._json({"id": repo_id, "modelId": repo_id, "sha": repo.commit, "private": False,
                               "disabled": False, "gated": False, "tags": [], "downloads": 0, "likes": 0,
                               "siblings": [{"rfilename": p} for p in sorted(repo.files)]})
        if rest[:1] == ["tree"]:
            prefix = "/".join(rest[2:])
            entries = [_tree_entry(p, d) for p, d in sorted(repo.files.items())
                       if not prefix or p.startswith(prefix.rstrip("/") + "/")]
            folders = sorted({"/".join(e["path"].split("/")[:i]) for e in entries
                              for i in range(1, e["path"].count("/") + 1)})
            return self._json([{"type": "directory", "oid": "0" * 40, "size": 0, "path": f} for f in folders]
                              + entries)
        return self._not_found()

    def _file(self, repo: Repo, repo_id: str, path: str):
        data = repo.files[path]
        advertised = data
        if (repo_id, path) in self.hub.corrupt:
            data = bytes([data[0] ^ 0xFF]) + data[1:] if data else b"x"
        lfs = is_lfs(path, advertised)
        etag = hashlib.sha256(advertised).hexdigest() if lfs else blob_sha1(advertised)
        start = 0
        range_header = self.headers.get("Range")
        if range_header and range_header.startswith("bytes="):
            start = int(range_header[6:].split("-")[0] or 0)
        body = data[start:]
        self.send_response(206 if start else 200)
        self.send_header("X-Repo-Commit", repo.commit)
        self.send_header("ETag", f'"{etag}"')
        if lfs:
            self.send_header("X-Linked-Etag", f'"{etag}"')
            self.send_header("X-Linked-Size", str(len(advertised)))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if self.command == "HEAD":
            return
        with self.hub.lock:
            cut = self.hub.drop.get((repo_id, path), 0) > 0 and len(body) > 1
            if cut:
                self.hub.drop[(repo_id, path)] -= 1
        if cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)  # the peer sees the body end early
            return
        self.wfile.write(body)


@contextlib.contextmanager
def serve_hub(hub: Hub):
    """A running loopback hub: yields its base URL (use as HF_ENDPOINT)."""
    handler = type("HubHandler", (Handler,), {"hub": hub})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """`python tests/hf_server.py OWNER/NAME=FOLDER ... [--port N]`: serve folders as hub repositories
    until interrupted (then `HF_ENDPOINT=http://127.0.0.1:N adgen models pull ...`)."""
    import argparse
    import time

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("repos", nargs="+", metavar="OWNER/NAME=FOLDER")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    hub = Hub({spec.split("=", 1)[0]: repo_from_folder(Path(spec.split("=", 1)[1])) for spec in args.repos})
    handler = type("HubHandler", (Handler,), {"hub": hub})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    print(f"HF_ENDPOINT=http://127.0.0.1:{server.server_address[1]}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
