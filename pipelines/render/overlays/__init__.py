"""One module per layer drawn into a render besides the scenes: the brand's intro and outro
clips, the end card, the logo bug, captions, scene titles and the preview watermark. Each draws
its stills (PIL) and adds its own chains to the graph; none runs ffmpeg."""
