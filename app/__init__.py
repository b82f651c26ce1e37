"""gradlive: watch a neural network learn, the lecture's equations live in the browser."""

__version__ = "0.1.0"
