"""The continuous service behind ``spillwatch run``: scheduler, crawl and index jobs, dispatcher,
UI, health and metrics."""
