"""The read-only JSON API (`/api/v1/`) for the county's hall screen and other county systems.

django-ninja: `endpoints` (the routes, each a call of the dashboards' selectors), `schemas` (what
they answer), `auth` (a county's token or a signed-in user's session, and the scope each may read),
`tokens` (making and revoking tokens; only their SHA-256 is kept).
"""
