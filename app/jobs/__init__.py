"""Training jobs: run the trainer off the event loop, pace it, log its frames for viewers.

Modules: log (a job's ordered frame log and cursors), control (commands to a running
job), frames (metrics and pictures of the model), pace (a loop's pace and its turn to
train), runner (the training loop and where it runs), spec (what defines a job, and its
data), job (one job), errors (why a request is refused), manager (the server's jobs:
admission and lookup), idle (jobs their owners left behind), stream (one viewer's
messages, in order), messages (the websocket's messages and their parts, each a typed
shape), workers (worker processes on this machine); and for the distributed mode
(GRADLIVE_BROKER_URL) broker (what is kept in
Redis, and how), remote (a server replica's side) and brokerworker (`gradlive worker`).
Nothing here knows the web framework.
"""
