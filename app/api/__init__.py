"""The web layer: REST routers, the websocket, pages, and their pydantic schemas.

Modules: schemas (JobCreate, JobPublic, JobControl), deps (shared dependencies),
jobs (REST for jobs), ws (the websocket of Contract 4), datasets, health, pages,
limits (request size and the shape of 422 answers), errors (the refusals of the layers
below mapped to HTTP answers once, as exception handlers).
"""
