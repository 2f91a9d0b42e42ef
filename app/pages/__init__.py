"""The web pages: a mediator's (and a party's) screens, rendered on the server.

One module per screen or resource, each a thin router over the same stores and services
as the API; templates under `app/templates/`, one per screen and small fragments for the
parts htmx swaps; every string in `app/pages/messages/<language>.toml`; every asset served
by the service from `app/static/`.
"""
