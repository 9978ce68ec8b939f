"""The socket of one mediation, `/ws/mediations/<id>/`: a thin consumer (consumer.py) and
the plain parts it is made of, each testable without Channels: frame parsing (frames.py),
the per-connection rate limit (ratelimit.py), a room's ordered stream of events that stops
at a revocation (stream.py), presence (presence.py, sent and heard by presence_relay.py),
the session the socket was opened with (session.py), and how long a socket lives
(lifetime.py). Database reads go through the selectors."""
