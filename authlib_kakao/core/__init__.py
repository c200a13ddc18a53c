"""Pure Kakao logic: request builders, response parsers and shape conversions. No I/O here."""

__all__: list[str] = []
