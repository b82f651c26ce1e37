"""The NumPy engine: the lecture's equations, and nothing of the web.

Modules: activations (g and g'), problems (the output unit and cost of binary,
multi-class and regression problems), features (the inputs fed to the network), model
(forward, cost, backward, update, predict), optimizers, datasets, grid (the decision
boundary), gradcheck, trainer (a step generator), errors (FieldError: a refused value
and the argument it concerns). `from app.nn import datasets, model`
as in a notebook.
"""
