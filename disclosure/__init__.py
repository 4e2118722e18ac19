"""From alert to takedown (docs/disclosure.md): where to report a disclosure (security.txt and the
config), the mirror sweep of public archives, the removal watch, the message to the publisher and the
signed, time-stamped evidence package."""
