# Spillwatch service image: `spillwatch run` (scheduler, crawls, indexer, alerts, UI), with Debian's
# Chromium for rendered crawls (chromium_path: /usr/bin/chromium). Every package directory is copied:
# tests/core/test_packaging.py checks this list against the repository.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends libxml2 libxslt1.1 chromium fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 spillwatch

WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY spillwatch ./spillwatch
COPY crawler ./crawler
COPY indexer ./indexer
COPY matcher ./matcher
COPY alerts ./alerts
COPY web ./web
COPY disclosure ./disclosure
COPY config ./config
RUN pip install --no-cache-dir -e .

USER spillwatch
ENV SPILLWATCH_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8470 8471
ENTRYPOINT ["spillwatch"]
CMD ["--config", "/app/config/spillwatch.yml", "run"]
