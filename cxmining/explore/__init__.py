"""`cxmining explore`: an offline web workbench over the store's snapshot (process map, variants, drill-down to
journeys, a journey's timeline); `queries.py` reads the store, `app.py` serves it with the page in `static/`."""
