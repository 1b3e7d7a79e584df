"""A real HTTP server that imitates AI providers on the wire and fails on command."""
