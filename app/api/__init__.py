"""The web layer: REST routers, the websocket, pages, and their pydantic schemas.

Modules: schemas (JobCreate, JobPublic, JobControl), deps (shared dependencies),
jobs (REST for jobs), ws (the websocket of docs/api.md), datasets, health, pages,
limits (request size, the shape of 422 answers, and the one table of the server's
limits), errors (the refusals of the layers below mapped to HTTP answers once, as
exception handlers).
"""
