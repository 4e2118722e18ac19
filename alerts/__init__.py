"""Alerts: routes, outbox, notifiers keyed by kind (email, slack, webhook), templates, dispatcher.

Public API:

* :func:`alerts.planner.plan_events` — turns the ``new``/``reappeared`` finding events the indexer
  records into outbox rows (:func:`alerts.outbox.enqueue_for_finding`); the dispatcher runs it first on
  every pass;
* :class:`alerts.dispatcher.Dispatcher` — ``run_once()`` / ``run_forever(stop)`` / ``wake()`` for the
  service loop;
* :func:`alerts.render.render_email`, :func:`alerts.render.render_slack`,
  :func:`alerts.render.render_webhook` and :func:`alerts.preview.write_preview` — rendering without
  sending.
"""
