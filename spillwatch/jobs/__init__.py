"""Jobs on a distributed queue (``queue: procrastinate``, docs/scaling.md).

- :mod:`spillwatch.jobs.work`: the job functions (crawl a queued request, burst-fetch a site's newly
  linked documents, index one WARC file, dispatch alerts, maintenance) — each calls the same
  functions ``spillwatch run`` calls in-process with the embedded default;
- :mod:`spillwatch.jobs.host`: what a worker process opens once for its jobs (config, catalog, search,
  matcher, WARC store);
- :mod:`spillwatch.jobs.tasks`: the procrastinate app and its tasks (queues, locks, retries);
- :mod:`spillwatch.jobs.deferrer`: the scheduler side: ``spillwatch run`` defers jobs, runs none;
- :mod:`spillwatch.jobs.worker`: ``spillwatch worker``, with stalled-job recovery.
"""
