"""The web site: where pages live, which pages there are, how they are drawn, how they are written."""
