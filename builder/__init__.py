"""briefing: build briefing books as static, offline HTML sites."""
