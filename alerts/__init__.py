"""Alerts: routes, outbox, notifiers keyed by kind (email, slack, webhook), templates, dispatcher.

Public API:

* :func:`alerts.outbox.enqueue_for_finding` — the indexer calls it inside the transaction that
  stores a finding;
* :class:`alerts.dispatcher.Dispatcher` — ``run_once()`` / ``run_forever(stop)`` / ``wake()`` for the
  service loop;
* :func:`alerts.render.render_email`, :func:`alerts.render.render_slack`,
  :func:`alerts.render.render_webhook` and :func:`alerts.preview.write_preview` — rendering without
  sending.
"""
