"""Timeline -> one MP4 per aspect: one ffmpeg process, one filtergraph.

Every visual is cut, framed and stacked inside the filtergraph (no intermediate video files):
scene segments are trimmed from their sources and framed for the aspect (presenter framing
comes from the face box, product framing from the subject box), concatenated with the end card
(and the brand kit's intro and outro clips, framed the same way, before and after), then the
logo bug, the presenter picture-in-picture, the libass captions and scene titles and the preview
watermark are layered on top. The stills (end card, bug, masks) are drawn once with PIL.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Callable, Literal

import cv2
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from pipelines.broll.motion import is_motion_plan, load_plan
from pipelines.errors import RenderError
from pipelines.media import media_info
from pipelines.product import ASPECTS, RenderOutput, Timeline, TimelineSegment
from pipelines.render import cards
from pipelines.render.audio import BrandSound, mix_audio
from pipelines.render.captions import (CaptionLayout, TitleLayout, title_colors, write_ass, write_srt,
                                       write_vtt)
from pipelines.render.encoders import choose_encoder, encoder_args
from pipelines.render.fonts import pick_font
from pipelines.render.live import LiveFeeds
from pipelines.render.platforms import platform_preset
from pipelines.render.timeline import LAYOUTS

PREVIEW_SHORT_SIDE = 540

# x264 presets. On the 2-core reference box the encoder is most of a render, so the final
# preset is chosen by quality per CPU second, measured against a near-lossless master (CRF 1) of
# a real 9:16 ad (22 s, presenter + b-roll + captions), re-encoded single-threaded (best of 2):
#   medium          CRF 20  SSIM 0.99677  PSNR 50.57 dB   3.8 MB  20.3 CPU-s
#   veryfast        CRF 20  SSIM 0.99554  PSNR 48.52 dB   2.8 MB   7.0 CPU-s
#   superfast       CRF 21  SSIM 0.99679  PSNR 50.82 dB   5.8 MB   5.9 CPU-s
#   ultrafast+High  CRF 20  SSIM 0.99686  PSNR 51.11 dB   8.8 MB   5.3 CPU-s  (media.ULTRAFAST_HIGH)
# The last matches medium's fidelity for a quarter of its CPU; its files are ~2.3x medium's
# (3.2 Mbit/s), inside every platform's caps, which re-encode uploads anyway.
# `RenderOptions(preset="medium")` (render settings {"preset": "medium"}) is there for whoever
# has the cores and wants the smallest files.
FINAL_PRESET = "ultrafast"
PREVIEW_PRESET = "ultrafast"
FINAL_CRF = 20
PREVIEW_CRF = 26


def audio_args(preview: bool) -> list[str]:
    """48 kHz stereo AAC. The fast coder takes a third of twoloop's CPU (0.28 s vs 0.7-0.9 s for
    23 s), and at 160k stereo the difference is inaudible on voice over a music bed."""
    return ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k" if preview else "160k", "-ar", "48000", "-ac", "2"]


class RenderOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    platform: str | None = None  # tiktok | reels | shorts | feed | youtube; None = generic safe zone
    preview: bool = False  # 540 px short side, fast preset, watermark
    preset: str | None = None  # x264 preset; default FINAL_PRESET / PREVIEW_PRESET ("medium" for the best)
    crf: int | None = None
    caption_style: Literal["bold", "boxed", "karaoke", "minimal"] = "bold"
    caption_lines: int = Field(2, ge=1, le=3)
    captions: bool = True
    layout: Literal["fullbleed", "split", "pip", "showcase"] | None = None  # None: the timeline's choice
    encoder: str = "auto"  # auto | libx264 | h264_nvenc | h264_qsv | h264_vaapi
    music: str | None = None  # audio file; None: the brand kit's, else adgen's own bed
    music_gain_db: float = -14.0
    threads: int = 0  # encoder threads; 0 = ffmpeg's choice
    watermark: bool | None = None  # None: on for previews and when the brand kit asks
    titles: bool = True  # the scenes' on-screen text as animated titles


def _even(v: float) -> int:
    return max(2, int(round(v / 2)) * 2)


def output_size(aspect: str, preview: bool) -> tuple[int, int]:
    if aspect not in ASPECTS:
        raise RenderError(f"Unknown aspect ratio {aspect!r}; choose one of: {', '.join(ASPECTS)}",
                          code="unknown_aspect")
    w, h = ASPECTS[aspect]
    if preview:
        s = PREVIEW_SHORT_SIDE / min(w, h)
        return _even(w * s), _even(h * s)
    return w, h


# --------------------------------------------------------------------------- framing


def cover_crop(src_w: int, src_h: int, dst_w: int, dst_h: int, focus: tuple | None = None,
               focus_y: float = 0.5, zoom: float = 1.0) -> tuple[int, int, int, int]:
    """Largest crop (x, y, w, h) of dst's aspect inside src, the focus box's centre placed at focus_y."""
    target = dst_w / dst_h
    if src_w / src_h > target:
        ch = src_h / zoom
        cw = ch * target
    else:
        cw = src_w / zoom
        ch = cw / target
    cw, ch = min(src_w, _even(cw)), min(src_h, _even(ch))
    if focus:
        fx, fy = focus[0] + focus[2] / 2, focus[1] + focus[3] / 2
    else:
        fx, fy = src_w / 2, src_h / 2
    x = min(max(0, fx - cw / 2), src_w - cw)
    y = min(max(0, fy - focus_y * ch), src_h - ch)
    return int(x), int(y), int(cw), int(ch)


def presenter_framing(clip_w: int, clip_h: int, face: tuple[int, int, int, int], dst_w: int, dst_h: int,
                      pad_color: str) -> str:
    """Filters that frame head and shoulders in dst: a crop when it holds them, else a panel."""
    fx, fy, fw, fh = face
    need_h = fh * 2.3  # from above the hair to the top of the shoulders
    zoom = 1.0
    x, y, w, h = cover_crop(clip_w, clip_h, dst_w, dst_h, face, focus_y=0.42)
    if h >= need_h * 0.92:
        # tighten a loose crop a little so the face reads on a phone, keeping the shoulders in
        zoom = min(1.25, h / need_h)
        x, y, w, h = cover_crop(clip_w, clip_h, dst_w, dst_h, face, focus_y=0.42, zoom=zoom)
        return f"crop={w}:{h}:{x}:{y},scale={dst_w}:{dst_h}:flags=bicubic"
    # too wide a frame for a portrait clip: show a 4:5 head-and-shoulders panel on the brand colour
    panel_h = dst_h
    px, py, pw, ph = cover_crop(clip_w, clip_h, 4, 5, face, focus_y=0.4)
    panel_w = min(dst_w, _even(panel_h * pw / ph))
    return (f"crop={pw}:{ph}:{px}:{py},scale={panel_w}:{panel_h}:flags=bicubic,"
            f"pad={dst_w}:{dst_h}:{(dst_w - panel_w) // 2}:0:color={pad_color}")


def product_framing(clip_w: int, clip_h: int, subject: tuple | None, dst_w: int, dst_h: int) -> str:
    if (clip_w, clip_h) == (dst_w, dst_h):
        return "null"
    x, y, w, h = cover_crop(clip_w, clip_h, dst_w, dst_h, subject)
    return f"crop={w}:{h}:{x}:{y},scale={dst_w}:{dst_h}:flags=bicubic"


# --------------------------------------------------------------------------- graph


class _Graph:
    def __init__(self):
        self.inputs: list[list[str]] = []
        self.filters: list[str] = []
        self._n = 0

    def input(self, *args) -> int:
        self.inputs.append([str(a) for a in args])
        return len(self.inputs) - 1

    def label(self, prefix: str = "l") -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def add(self, chain: str) -> None:
        self.filters.append(chain)

    def args(self) -> list[str]:
        out: list[str] = []
        for a in self.inputs:
            out += a
        return out


def _hold(n_frames: int, fps: float) -> str:
    """Exactly n_frames: cut, or held on the last frame. Renumbered after the hold: tpad's clones
    may repeat the last timestamp, and the encoder's constant frame rate would drop a frame."""
    return (f"tpad=stop_mode=clone:stop_duration={n_frames / fps + 1:.3f},setpts=N/{fps:g}/TB,"
            f"trim=end_frame={n_frames},setsar=1,format=yuv420p")


def _framed(g: _Graph, idx: int, framing: str, w: int, h: int, fps: float, n_frames: int, out: str) -> None:
    """Source -> framed, exactly n_frames long (held on its last frame if the source is short).

    A presenter panel narrower than the frame sits on a soft blur of its own backdrop rather than
    on flat bars. The studio backdrop barely changes, so the blur is made once from the first
    frame and held (per frame it cost ~3 ms at 1080x960, a quarter of the encode)."""
    hold = _hold(n_frames, fps)
    if ",pad=" in framing:
        panel, pad = framing.split(",pad=")
        x = pad.split(":")[2]
        a, b, bg, fg = (g.label(p) for p in ("pa", "pb", "pbg", "pfg"))
        g.add(f"[{idx}:v]setpts=PTS-STARTPTS,fps={fps},split=2[{a}][{b}]")
        g.add(f"[{b}]trim=end_frame=1,scale=48:28,gblur=sigma=1.5,scale={w}:{h}:flags=bicubic,"
              f"eq=brightness=-0.05:saturation=0.9,format=yuv420p,loop=loop=-1:size=1,setpts=N/{fps}/TB[{bg}]")
        g.add(f"[{a}]{panel}[{fg}]")
        g.add(f"[{bg}][{fg}]overlay={x}:0:shortest=1,{hold}[{out}]")
        return
    g.add(f"[{idx}:v]setpts=PTS-STARTPTS,fps={fps},{framing},{hold}[{out}]")


def _probe_size(path: str, cache: dict) -> tuple[int, int]:
    if path not in cache:
        info = media_info(path)
        cache[path] = (info.width or 0, info.height or 0)
    return cache[path]


def _escape_filter_path(path: Path) -> str:
    return str(path).replace("\\", "\\\\\\\\").replace("'", "\\\\\\'").replace(":", "\\\\:")


def _product_still(segments: list[TimelineSegment]) -> tuple[Image.Image | None, tuple | None, float]:
    """A frame that shows the product (for the end card), and where in its clip it was taken."""
    for seg in segments:
        if seg.kind in ("product_image", "broll") and is_motion_plan(seg.source):
            t = min(1.0, (seg.end - seg.start) / 2)
            clip = load_plan(seg.source)
            return Image.fromarray(clip.still(t)), clip.end_subject_box(), t
        if seg.kind in ("product_image", "broll") and seg.source and Path(seg.source).is_file():
            t = min(1.0, (seg.end - seg.start) / 2)
            # read in-process (OpenCV's FFmpeg): starting an ffmpeg for one frame costs ~3x as much
            capture = cv2.VideoCapture(seg.source)
            capture.set(cv2.CAP_PROP_POS_MSEC, t * 1000)
            ok, frame = capture.read()
            capture.release()
            if ok:
                return Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)), seg.subject_box, t
    return None, None, 0.0


def render(timeline: Timeline, aspect: str, out_dir: Path, options: RenderOptions | None = None,
           report: Callable[[float, str], None] | None = None,
           is_cancelled: Callable[[], bool] | None = None) -> RenderOutput:
    options = options or RenderOptions()
    report = report or (lambda fraction, message="": None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    preset_info = platform_preset(options.platform)
    if timeline.duration_s > preset_info.max_duration_s + 0.01:
        stings = " and ".join(f"the brand {name} ({d:.1f} s)" for name, d in
                              (("intro", timeline.intro_s), ("outro", timeline.outro_s)) if d > 0)
        raise RenderError(f"The ad is {timeline.duration_s:.1f} s long{' with ' + stings if stings else ''}; "
                          f"{preset_info.label} accepts at most {preset_info.max_duration_s:.0f} s.", code="too_long")
    width, height = output_size(aspect, options.preview)
    safe = preset_info.insets(aspect).box(width, height)
    fps = preset_info.fps or timeline.fps
    short = min(width, height)
    layout = options.layout or timeline.layout
    if layout not in LAYOUTS:
        layout = "fullbleed"
    if timeline.presenter is None or not timeline.presenter_path:
        layout = "showcase"
    brand = timeline.brand
    work = out_dir / "_work"
    work.mkdir(exist_ok=True)
    feeds = LiveFeeds()  # motion b-roll drawn straight into the encode
    try:
        return _render(timeline, aspect, out_dir, work, options, report, is_cancelled, width, height,
                       safe, fps, short, layout, brand, preset_info, feeds=feeds)
    finally:
        feeds.close()
        if not os.environ.get("ADGEN_RENDER_DEBUG"):
            shutil.rmtree(work, ignore_errors=True)


def _render(timeline, aspect, out_dir, work, options, report, is_cancelled, width, height, safe, fps,
            short, layout, brand, preset_info, *, feeds: LiveFeeds) -> RenderOutput:
    report(0.02, "mixing audio")
    body_segments = [s for s in timeline.segments if s.kind != "end_card"]
    voice_end = body_segments[-1].end if body_segments else 0.0
    total_frames = round(timeline.duration_s * fps)
    body_frames = round(voice_end * fps)
    # the brand's intro plays before the body, its outro after the end card; the body's own times
    # (segments, words, PiP windows, the bug) move by intro_s in the file
    intro_frames, outro_frames = round(timeline.intro_s * fps), round(timeline.outro_s * fps)
    intro_s = intro_frames / fps
    end_frames = total_frames - intro_frames - body_frames - outro_frames
    duration = total_frames / fps
    intro_clip = _brand_clip_path(brand.intro, intro_frames, "intro")
    outro_clip = _brand_clip_path(brand.outro, outro_frames, "outro")
    audio = mix_audio(Path(timeline.voice_audio), duration, voice_end, options.music or brand.music,
                      music_gain_db=options.music_gain_db, is_cancelled=is_cancelled,
                      intro=_brand_sound(intro_clip, intro_frames / fps),
                      outro=_brand_sound(outro_clip, outro_frames / fps))

    report(0.08, "drawing captions and cards")
    stem = "video"
    font = pick_font(timeline.language, " ".join(w.word for w in timeline.words[:50]), brand.font)
    seam = None
    if layout == "split" and height > width and timeline.presenter is not None:
        seam = height // 2 - round(min(width, height) * 0.03)  # low in the product panel, off the face
    cap_layout = CaptionLayout(width, height, safe, font, timeline.language, options.caption_style,
                               options.caption_lines, bottom=seam)
    # captions and their files describe the MP4, so they run on its clock (after the intro)
    words = [w.model_copy(update={"start": w.start + intro_s, "end": w.end + intro_s}) for w in timeline.words]
    chunks = cap_layout.chunks(words)
    ass_path = out_dir / f"{stem}.ass"  # kept: styled captions an editor can import
    write_srt(out_dir / f"{stem}.srt", chunks, cap_layout.joiner())
    write_vtt(out_dir / f"{stem}.vtt", chunks, cap_layout.joiner())

    still, still_box, _ = _product_still(body_segments)
    card_png = cards.end_card(work / "end.png", width, height, safe, brand=brand, title=timeline.product_title,
                              price=timeline.price_text, list_price=timeline.list_price_text, cta=timeline.cta,
                              language=timeline.language, product_still=still, subject_box=still_box,
                              brand_name=brand.name)
    bug_png = cards.logo_bug(work / "bug.png", short, brand, brand.name, timeline.language)
    bug_box = None
    if bug_png:
        bug_w, bug_h = Image.open(bug_png).size
        bx, by = safe[2] - bug_w - round(short * 0.02), safe[1] + round(short * 0.02)
        bug_box = (bx, by, bx + bug_w, by + bug_h)
    titles = _scene_titles(timeline, body_segments, layout, width, height, safe, short, font, intro_s,
                           chunks if options.captions else [], bug_box) if options.titles else []
    colors = title_colors(brand.primary_color, brand.secondary_color, brand.accent_color)
    write_ass(ass_path, chunks, cap_layout, accent=_caption_accent(brand.accent_color), titles=titles,
              title_colors=colors)
    burn_ass = ass_path if options.captions and chunks else None
    if burn_ass is None and titles:  # captions off: burn the titles alone
        burn_ass = work / "titles.ass"
        write_ass(burn_ass, [], cap_layout, titles=titles, title_colors=colors)
    want_watermark = options.watermark if options.watermark is not None else (options.preview or brand.watermark)

    g = _Graph()
    sizes: dict[str, tuple[int, int]] = {}
    pad_color = brand.primary_color or "#111111"
    presenter = timeline.presenter if layout != "showcase" else None
    ppath = timeline.presenter_path if presenter else None

    # split: side by side on square and wide frames (portrait panels suit a portrait presenter),
    # stacked on tall frames
    landscape = width >= height
    if layout == "split":
        prod_w, prod_h = (_even(width / 2), height) if landscape else (width, _even(height / 2))
    else:
        prod_w, prod_h = width, height

    def borrowed_source(seg: TimelineSegment) -> TimelineSegment | None:
        own = [s for s in body_segments if s.kind != "avatar" and s.source]
        if not own:
            return None
        return min(own, key=lambda s: (abs((s.scene or 0) - (seg.scene or 0)), s.scene or 0))

    def visual_chain(seg: TimelineSegment, n_frames: int, w: int, h: int, want_presenter: bool) -> str:
        d = n_frames / fps
        if want_presenter and seg.kind == "avatar" and ppath:
            idx = g.input("-ss", f"{seg.start:.3f}", "-t", f"{d + 0.25:.3f}", "-i", ppath)
            framing = presenter_framing(presenter.width, presenter.height, presenter.face_box, w, h, pad_color)
        else:
            src = seg if (seg.kind != "avatar" and seg.source) else borrowed_source(seg)
            if src is None or not src.source:
                idx = g.input("-f", "lavfi", "-t", f"{d + 0.25:.3f}", "-i", f"color=c={pad_color}:s={w}x{h}:r={fps}")
                framing = "null"
            elif is_motion_plan(src.source):
                # drawn live at this panel's size (nothing to crop), or smaller and upscaled here
                # when the photo has less detail than the panel (drawing costs ~4.8 ms a 1080x1920
                # frame, a bicubic upscale ~1.3 ms)
                clip = load_plan(src.source, w, h)
                detail = clip.detail_scale()
                framing = "null"
                if detail <= 0.8:
                    clip = load_plan(src.source, _even(w * detail), _even(h * detail))
                    framing = f"scale={w}:{h}:flags=bicubic"
                idx = g.input(*feeds.add(clip, n_frames))
            else:
                idx = g.input("-t", f"{d + 0.25:.3f}", "-i", src.source)
                cw, ch = src.source_size or _probe_size(src.source, sizes)
                framing = product_framing(cw, ch, src.subject_box, w, h)
        out = g.label("seg")
        _framed(g, idx, framing, w, h, fps, n_frames, out)
        return out

    # ---- body segments
    seg_labels = []
    cuts = [round(s.start * fps) for s in body_segments] + [body_frames]
    pip_windows = []
    for seg, f0, f1 in zip(body_segments, cuts, cuts[1:]):
        n = f1 - f0
        if n <= 0:
            continue
        if layout == "split":
            seg_labels.append(visual_chain(seg, n, prod_w, prod_h, want_presenter=False))
        else:
            seg_labels.append(visual_chain(seg, n, width, height, want_presenter=layout in ("fullbleed", "pip")))
            if layout == "pip" and seg.kind != "avatar":
                pip_windows.append((f0 / fps, f1 / fps))
    body = g.label("body")
    if seg_labels:
        g.add("".join(f"[{s}]" for s in seg_labels) + f"concat=n={len(seg_labels)}:v=1:a=0[{body}]")
    else:
        g.add(f"color=c={pad_color}:s={prod_w}x{prod_h}:r={fps}:d={voice_end:.3f}[{body}]")

    if layout == "split" and ppath:
        pres_w, pres_h = (width - prod_w, height) if landscape else (width, height - prod_h)
        idx = g.input("-t", f"{voice_end + 0.25:.3f}", "-i", ppath)
        framing = presenter_framing(presenter.width, presenter.height, presenter.face_box, pres_w, pres_h, pad_color)
        pres = g.label("pres")
        _framed(g, idx, framing, pres_w, pres_h, fps, body_frames, pres)
        stacked = g.label("split")
        g.add(f"[{body}][{pres}]{'hstack' if landscape else 'vstack'}=inputs=2[{stacked}]")
        body = stacked
    elif layout == "split":
        scaled = g.label("split")
        g.add(f"[{body}]scale={width}:{height}[{scaled}]")
        body = scaled

    # ---- end card
    card_idx = g.input("-i", card_png)
    card = g.label("card")
    # a still comes in on a 1/25 s clock: N/30 s in it rounds to repeated timestamps, and the
    # encoder's constant rate would drop those frames, so the card gets the output's clock first
    g.add(f"[{card_idx}:v]format=yuv420p,loop=loop={max(0, end_frames - 1)}:size=1:start=0,"
          f"settb=1/{fps:g},setpts=N,setsar=1[{card}]")
    parts = [body, card]
    if intro_clip:
        parts.insert(0, _brand_clip_chain(g, intro_clip, intro_frames, width, height, fps, sizes))
    if outro_clip:
        parts.append(_brand_clip_chain(g, outro_clip, outro_frames, width, height, fps, sizes))
    video = g.label("v")
    g.add("".join(f"[{p}]" for p in parts) + f"concat=n={len(parts)}:v=1:a=0[{video}]")

    # ---- presenter picture-in-picture over b-roll
    if layout == "pip" and ppath and pip_windows:
        px, py, size = _pip_box(safe, short)
        mask = cards.circle_mask(work / "mask.png", size)
        ring = cards.ring(work / "ring.png", size, brand.accent_color)
        idx = g.input("-t", f"{voice_end + 0.25:.3f}", "-i", ppath)
        midx = g.input("-i", mask)
        ridx = g.input("-i", ring)
        fx, fy, fw, fh = presenter.face_box
        side = min(presenter.width, presenter.height, _even(fh * 2.1))
        x = int(min(max(0, fx + fw / 2 - side / 2), presenter.width - side))
        y = int(min(max(0, fy + fh * 0.6 - side / 2), presenter.height - side))
        w = h = side
        pip, m, pipm, out, out2 = (g.label(p) for p in ("pip", "mask", "pipm", "vp", "vr"))
        # delayed by the intro so the presenter stays in sync with the voice
        delay = f"tpad=start_duration={intro_s:.4f}," if intro_frames else ""
        g.add(f"[{idx}:v]setpts=PTS-STARTPTS,fps={fps},{delay}crop={w}:{h}:{x}:{y},scale={size}:{size},"
              f"format=yuva420p[{pip}]")
        g.add(f"[{midx}:v]format=gray,loop=loop=-1:size=1,setpts=N/{fps}/TB[{m}]")
        g.add(f"[{pip}][{m}]alphamerge[{pipm}]")
        enable = "+".join(f"between(t,{intro_s + a:.3f},{intro_s + b - 0.001:.3f})" for a, b in pip_windows)
        g.add(f"[{video}][{pipm}]overlay={px}:{py}:eof_action=pass:enable='{enable}'[{out}]")
        g.add(f"[{out}][{ridx}:v]overlay={px}:{py}:enable='{enable}'[{out2}]")
        video = out2

    # ---- logo bug (not on the end card, which carries the big logo)
    if bug_png:
        bidx = g.input("-i", bug_png)
        out = g.label("vb")
        body_on = f"gte(t,{intro_s:.3f})*lt(t,{intro_s + voice_end:.3f})" if intro_frames else f"lt(t,{voice_end:.3f})"
        g.add(f"[{video}][{bidx}:v]overlay={bug_box[0]}:{bug_box[1]}:enable='{body_on}'[{out}]")
        video = out

    # ---- captions and scene titles (one libass pass)
    if burn_ass is not None:
        out = g.label("vc")
        fontsdir = f":fontsdir='{_escape_filter_path(Path(font.fontsdir))}'" if font.fontsdir else ""
        g.add(f"[{video}]ass=filename='{_escape_filter_path(burn_ass)}'{fontsdir}[{out}]")
        video = out

    if want_watermark:
        wm = cards.watermark(work / "wm.png", short)
        wm_w, wm_h = Image.open(wm).size
        widx = g.input("-i", wm)
        out = g.label("vw")
        g.add(f"[{video}][{widx}:v]overlay={(width - wm_w) // 2}:{(height - wm_h) // 2}[{out}]")
        video = out

    # ---- thumbnail: a frame from the first product shot, else the end card
    thumb_frame = intro_frames + body_frames + end_frames // 2
    for seg in body_segments:
        if seg.kind != "avatar" and seg.source:
            thumb_frame = intro_frames + round((seg.start + min(1.0, (seg.end - seg.start) / 2)) * fps)
            break
    final, thumb = g.label("final"), g.label("thumb")
    g.add(f"[{video}]format=yuv420p,split=2[{final}][t0]")
    g.add(f"[t0]select='eq(n\\,{thumb_frame})'[{thumb}]")
    audio_idx = g.input("-i", audio)

    encoder = choose_encoder(options.encoder)
    preset = options.preset or (PREVIEW_PRESET if options.preview else FINAL_PRESET)
    crf = options.crf or (PREVIEW_CRF if options.preview else FINAL_CRF)
    maxrate = preset_info.video_bitrate_k if not options.preview else max(1500, preset_info.video_bitrate_k // 3)
    venc = encoder_args(encoder, preset=preset, crf=crf, maxrate_k=maxrate, fps=fps, threads=options.threads)
    pre: list[str] = []
    if encoder == "h264_vaapi":
        pre = ["-vaapi_device", "/dev/dri/renderD128"]
        hw = g.label("hw")
        g.add(f"[{final}]format=nv12,hwupload[{hw}]")
        final = hw
    video_path = out_dir / f"{stem}.mp4"
    thumb_path = out_dir / f"{stem}.jpg"
    progress_path = work / "progress.txt"
    args = [*pre, *g.args(), "-filter_complex", ";".join(g.filters),
            "-map", f"[{final}]", "-map", f"{audio_idx}:a", *venc, "-r", f"{fps:g}", *audio_args(options.preview),
            # no -frames:v here: it closes the file before the audio catches up; the graph's frame count is exact
            "-t", f"{duration:.4f}", "-movflags", "+faststart",
            video_path,
            "-map", f"[{thumb}]", "-frames:v", "1", "-update", "1", "-q:v", "3", thumb_path,
            "-progress", progress_path]
    report(0.12, "encoding")
    (work.parent / "ffmpeg-args.txt").write_text("\n".join(map(str, args))) if os.environ.get("ADGEN_RENDER_DEBUG") else None
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_progress, args=(progress_path, duration, report, stop), daemon=True)
    watcher.start()
    try:
        feeds.run(args, is_cancelled=is_cancelled)
    finally:
        stop.set()
        watcher.join(timeout=1)

    info = media_info(video_path)
    if (info.width, info.height) != (width, height) or not info.audio_codec:
        raise RenderError(f"The {aspect} render came out wrong ({info.width}x{info.height}, "
                          f"audio={info.audio_codec}).", code="bad_output")
    if info.size_bytes > preset_info.max_file_mb * 1024 * 1024:
        raise RenderError(f"The {aspect} video is {info.size_bytes / 1e6:.0f} MB; {preset_info.label} accepts "
                          f"at most {preset_info.max_file_mb} MB.", code="too_large")
    report(1.0, "done")
    return RenderOutput(aspect=aspect, width=width, height=height, duration_s=round(info.duration_s, 3),
                        file=video_path.name, captions=f"{stem}.srt", captions_vtt=f"{stem}.vtt",
                        thumbnail=thumb_path.name if thumb_path.is_file() else None,
                        platform=options.platform, video_codec=info.video_codec, audio_codec=info.audio_codec,
                        size_bytes=info.size_bytes)


# --------------------------------------------------------------------------- brand intro / outro

# A clip whose aspect is this much off the frame's (a 16:9 sting in a 9:16 ad: 3.2x) is shown whole
# over a blurred cover of itself; closer ones (4:5 in 9:16: 1.4x) are cover-cropped like b-roll.
FIT_OVER_BLUR_ABOVE = 1.5


def _brand_clip_path(path: str | None, n_frames: int, what: str) -> str | None:
    if n_frames <= 0:
        return None
    if not path or not Path(path).is_file():
        raise RenderError(f"The brand kit's {what} clip {Path(path or '').name or '(none)'} is missing.",
                          code="brand_kit_invalid")
    return path


def _brand_sound(path: str | None, seconds: float) -> BrandSound | None:
    if not path:
        return None
    return BrandSound(Path(path) if media_info(path).audio_codec else None, seconds)


def _brand_clip_chain(g: _Graph, path: str, n_frames: int, width: int, height: int, fps: float,
                      sizes: dict) -> str:
    """A brand clip framed for the output, exactly n_frames long (cut, or held on its last frame)."""
    idx = g.input("-t", f"{n_frames / fps + 0.25:.3f}", "-i", path)
    cw, ch = _probe_size(path, sizes)
    x, y, w, h = cover_crop(cw, ch, width, height)
    hold = _hold(n_frames, fps)
    out = g.label("brand")
    src = f"[{idx}:v]setpts=PTS-STARTPTS,fps={fps}"
    if max(cw * height / (ch * width), ch * width / (cw * height)) <= FIT_OVER_BLUR_ABOVE:
        g.add(f"{src},crop={w}:{h}:{x}:{y},scale={width}:{height}:flags=bicubic,{hold}[{out}]")
        return out
    fit_w, fit_h = (width, min(height, _even(width * ch / cw))) if cw * height > ch * width else \
        (min(width, _even(height * cw / ch)), height)
    a, b, bg, fg = (g.label(p) for p in ("ba", "bb", "bbg", "bfg"))
    g.add(f"{src},split=2[{a}][{b}]")
    # the backdrop: a tiny cover crop blown back up (nearly free), dimmed so the clip stands out
    g.add(f"[{b}]crop={w}:{h}:{x}:{y},scale={_even(width / 24)}:{_even(height / 24)},gblur=sigma=1.2,"
          f"scale={width}:{height}:flags=bicubic,eq=brightness=-0.08:saturation=0.85[{bg}]")
    g.add(f"[{a}]scale={fit_w}:{fit_h}:flags=bicubic[{fg}]")
    g.add(f"[{bg}][{fg}]overlay={(width - fit_w) // 2}:{(height - fit_h) // 2},{hold}[{out}]")
    return out


# --------------------------------------------------------------------------- scene titles


def _pip_box(safe: tuple[int, int, int, int], short: int) -> tuple[int, int, int]:
    """x, y and side of the presenter picture-in-picture (top left of the safe zone)."""
    return safe[0] + round(short * 0.02), safe[1] + round(short * 0.02), _even(short * 0.34)


def _face_on_screen(presenter, w: int, h: int, pad_color: str, origin: tuple[int, int] = (0, 0)):
    """Where the presenter's face lands in a w x h panel (hairline to chin), from the same framing
    the render uses. A title may touch the hair, never the face."""
    chain = presenter_framing(presenter.width, presenter.height, presenter.face_box, w, h, pad_color)
    cw, ch, cx, cy = map(int, chain.split("crop=")[1].split(",")[0].split(":"))
    sw, sh = map(int, chain.split("scale=")[1].split(":")[:2])
    pad_x = int(chain.split(",pad=")[1].split(":")[2]) if ",pad=" in chain else 0
    fx, fy, fw, fh = presenter.face_box
    kx, ky = sw / cw, sh / ch
    x0 = origin[0] + pad_x + (fx - cx) * kx
    y0 = origin[1] + (fy - 0.1 * fh - cy) * ky
    x1 = origin[0] + pad_x + (fx + fw - cx) * kx
    y1 = origin[1] + (fy + 1.1 * fh - cy) * ky
    return (max(origin[0], round(x0)), max(origin[1], round(y0)), min(origin[0] + w, round(x1)),
            min(origin[1] + h, round(y1)))


def _scene_titles(timeline: Timeline, body_segments: list[TimelineSegment], layout: str, width: int,
                  height: int, safe, short: int, font, intro_s: float, chunks, bug_box) -> list:
    """Each scene's on-screen text as a title over its scene, placed clear of what else is on
    screen at the time: caption boxes, the logo bug's row, the PiP, the presenter's face."""
    title_layout = TitleLayout(width, height, safe, font, timeline.language)
    presenter = timeline.presenter if layout != "showcase" and timeline.presenter_path else None
    pad_color = timeline.brand.primary_color or "#111111"
    band = None
    fixed: list = []
    if bug_box:  # the bug's whole row: titles line up under it rather than beside it ...
        fixed.append((safe[0], bug_box[1], safe[2], bug_box[3]))
    if layout == "split" and presenter is not None:
        landscape = width >= height
        prod_w, prod_h = (_even(width / 2), height) if landscape else (width, _even(height / 2))
        if landscape:
            band = (0, prod_w)  # over the product panel, centred on it
            fixed.append(_face_on_screen(presenter, width - prod_w, height, pad_color, (prod_w, 0)))
        else:
            fixed.append(_face_on_screen(presenter, width, height - prod_h, pad_color, (0, prod_h)))
    titles = []
    for seg in body_segments:
        start, end = intro_s + seg.start + 0.1, intro_s + seg.end
        if not seg.on_screen_text.strip() or end - start < 0.8:
            continue
        obstacles = list(fixed)
        if presenter is not None and seg.kind == "avatar" and layout in ("fullbleed", "pip"):
            obstacles.append(_face_on_screen(presenter, width, height, pad_color))
        if presenter is not None and seg.kind != "avatar" and layout == "pip":
            px, py, size = _pip_box(safe, short)
            obstacles.append((px, py, px + size, py + size))
        obstacles += [c.box for c in chunks if c.start < end and c.end > start]
        # ... unless only the row beside the bug is free (a presenter filling a square frame)
        beside_bug = [bug_box if ob == fixed[0] else ob for ob in obstacles] if bug_box else None
        title = title_layout.place(seg.on_screen_text, start, end, obstacles, band, fallback=beside_bug)
        if title is not None:
            titles.append(title)
    return titles


def _caption_accent(color: str) -> str:
    """The highlight colour must read on any footage: fall back to yellow for dark brand accents."""
    rgb = cards.hex_rgb(color, "#ffd400")
    return color if 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 110 else "#ffd400"


def _watch_progress(path: Path, duration: float, report, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        try:
            text = path.read_text()
        except OSError:
            continue
        idx = text.rfind("out_time_us=")
        if idx < 0:
            continue
        try:
            us = int(text[idx + 12:].split("\n", 1)[0])
        except ValueError:
            continue
        report(0.12 + 0.86 * min(1.0, us / 1e6 / max(duration, 0.1)), "encoding")


class FfmpegRenderer:
    """The render stage's engine: `FfmpegRenderer(options)(timeline, aspect, out_dir, ...)`."""

    def __init__(self, config: RenderOptions):
        self.config = config

    def __call__(self, timeline: Timeline, aspect: str, out_dir: Path, report=None,
                 is_cancelled: Callable[[], bool] | None = None) -> RenderOutput:
        return render(timeline, aspect, out_dir, self.config, report=report, is_cancelled=is_cancelled)
