# gradlive for a teaching sandbox: one container a whole class shares.
#   docker build -t gradlive .
#   docker run --rm -p 8000:8000 -v gradlive-data:/data gradlive   then open http://localhost:8000
# Limits are GRADLIVE_* environment variables (see app/config.py), e.g.
#   docker run -e GRADLIVE_MAX_RUNNING_JOBS=16 ...
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GRADLIVE_HOST=0.0.0.0 \
    GRADLIVE_PORT=8000 \
    GRADLIVE_DATA_DIR=/data

RUN groupadd --system --gid 10001 gradlive \
    && useradd --system --uid 10001 --gid gradlive --home-dir /app --shell /usr/sbin/nologin gradlive

WORKDIR /src

# A normal install: the wheel carries the page (static/ and templates/ inside the
# package), so the source tree is not needed once it is built.
COPY pyproject.toml README.md ./
COPY app ./app
COPY static ./static
COPY templates ./templates
RUN pip install --no-cache-dir . \
    && rm -rf /src

WORKDIR /app

# The jobs' database (gradlive.db), the one folder the server writes: a volume, so runs
# outlive the container (docker run -v gradlive-data:/data ...). Made before VOLUME, so a
# new named volume starts out owned by the server's user.
RUN mkdir /data && chown 10001:10001 /data
VOLUME /data

# Not root: the code stays root's and read-only to the server.
USER 10001:10001

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('GRADLIVE_PORT', '8000'), timeout=4)"]

CMD ["gradlive", "serve"]
