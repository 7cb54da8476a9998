"""adgen: product page in, finished video ads out."""

__version__ = "0.1.0"
