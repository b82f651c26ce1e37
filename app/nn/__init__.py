"""The NumPy engine: the lecture's equations, and nothing of the web.

Modules: activations (g and g'), model (forward, cost, backward, update, predict),
optimizers, datasets, grid (the decision boundary), gradcheck, trainer (a step
generator). `from app.nn import datasets, model` as in a notebook.
"""
