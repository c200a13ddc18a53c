"""Everything that touches the wire: the one connection to Kakao, its pumps, pool and limits.

``connection`` (where Kakao is, sending a catalogue call, the one JWKS cache, one log record per
call), ``transport`` (the pumps that drive core flows), ``pool`` (keep-alive connections),
``limits`` (deadlines, answer-size caps) and the Authlib sessions built on them
(``session``, ``requests_session``, ``httpx_session``). Nothing here is imported by ``core``.
"""

__all__: list[str] = []
