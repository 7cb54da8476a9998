"""Live frame sources: motion b-roll drawn while the render's ffmpeg encodes, piped in raw.

A motion clip is a still and a camera path. Encoding it to an intermediate H.264 file and
decoding that again in the render costs more CPU than drawing it (1080x1920: x264 ultrafast
~8.5 ms and decode ~3 ms a frame, against ~5 ms to draw), and the file is drawn at the full
frame even where a split layout shows half of it. So the b-roll stage stores the plan, and the
renderer draws each segment at exactly the size its layout shows, one thread per segment,
into a pipe that the one ffmpeg process reads as a rawvideo input.
"""

from __future__ import annotations

import fcntl
import os
import threading
from dataclasses import dataclass, field

from pipelines.broll.motion import MotionClip
from pipelines.errors import RenderError
from pipelines.media import run_ffmpeg

# a bigger pipe means fewer wake-ups per 3 MB frame; Linux caps unprivileged pipes at 1 MiB
_PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)


@dataclass
class _Feed:
    clip: MotionClip
    frames: int
    read_fd: int
    write_fd: int
    error: BaseException | None = None
    thread: threading.Thread | None = field(default=None, repr=False)


class LiveFeeds:
    """The live inputs of one ffmpeg command: `add()` them while building the graph, then
    `run()` the command (it starts the writers and hands the pipes to ffmpeg). `close()` in a
    `finally` releases the pipes of a command that never ran."""

    def __init__(self):
        self._feeds: list[_Feed] = []
        self._stop = threading.Event()
        self._ran = False

    def add(self, clip: MotionClip, frames: int) -> list[str]:
        """ffmpeg input options for the first `frames` frames of `clip`."""
        read_fd, write_fd = os.pipe()
        try:
            fcntl.fcntl(write_fd, _F_SETPIPE_SZ, _PIPE_BYTES)
        except OSError:
            pass  # a smaller pipe works, only with more context switches
        self._feeds.append(_Feed(clip, max(1, frames), read_fd, write_fd))
        return ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{clip.width}x{clip.height}",
                "-framerate", f"{clip.fps:g}", "-thread_queue_size", "4", "-i", f"pipe:{read_fd}"]

    def run(self, args: list, **kwargs) -> str:
        """`run_ffmpeg(args, **kwargs)` with the live inputs fed; raises if a writer failed
        (ffmpeg itself would only have seen the input end early and held its last frame)."""
        self._ran = True
        for feed in self._feeds:
            feed.thread = threading.Thread(target=self._pump, args=(feed,), daemon=True,
                                           name=f"live-broll-{feed.read_fd}")
            feed.thread.start()
        try:
            # run_ffmpeg closes our read ends once ffmpeg holds them: if it stops, writers get EPIPE
            out = run_ffmpeg(args, pass_fds=[f.read_fd for f in self._feeds], **kwargs)
        finally:
            self._stop.set()
            for feed in self._feeds:
                feed.thread.join(timeout=30)
        for feed in self._feeds:
            if feed.error is not None:
                raise RenderError(f"A b-roll shot could not be drawn: {feed.error}",
                                  code="broll_draw_failed") from feed.error
        return out

    def close(self) -> None:
        if not self._ran:
            for feed in self._feeds:
                os.close(feed.read_fd)
                os.close(feed.write_fd)
            self._feeds.clear()

    def _pump(self, feed: _Feed) -> None:
        try:
            with os.fdopen(feed.write_fd, "wb", buffering=0) as pipe:
                for buffer in feed.clip.frames(limit=feed.frames):
                    if self._stop.is_set():
                        return
                    view = memoryview(buffer).cast("B")
                    while view:
                        view = view[pipe.write(view):]
        except BrokenPipeError:
            pass  # ffmpeg stopped reading: it failed or was cancelled, and says so itself
        except BaseException as exc:  # noqa: BLE001 - raised by run()
            feed.error = exc
