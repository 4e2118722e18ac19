"""``spillwatch demo``: the story (``story``), its data (``data``) and the simulated agency site
(``agency_site``) that publishes a roster while the whole chain watches."""
